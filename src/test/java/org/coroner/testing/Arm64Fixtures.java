package org.coroner.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.coroner.session.Session;

/**
 * The arm64 test data {@code scripts/make-arm64-dumps.sh} makes under the cache directory
 * ({@code $CORONER_CACHE/arm64}): Debian's 6.1.0-56-arm64 debug vmlinux, the cross-built
 * crashlab.ko, and one QEMU run per scenario (pac: null on a CPU with pointer authentication) (ELF and kdump-compressed dumps, console log).
 * Tests that use it are tagged {@code fixtures} and fail, not skip, when it is missing.
 */
public final class Arm64Fixtures {
    public static final String RELEASE = "6.1.0-56-arm64";
    /** The scenarios the script makes: crashlab's null and mutex_abba, sysrq's crash, null with PAC. */
    public static final List<String> SCENARIOS = List.of("null", "mutex_abba", "sysrq", "pac");

    private Arm64Fixtures() {
    }

    public static Path dir() {
        Path d = Fixtures.cacheDir().resolve("arm64");
        if (!Files.isRegularFile(d.resolve("vmlinux-" + RELEASE))) {
            throw new IllegalStateException("arm64 test data not found in " + d + " (run scripts/make-arm64-dumps.sh)");
        }
        return d;
    }

    public static Path vmlinux() {
        return dir().resolve("vmlinux-" + RELEASE);
    }

    public static Path modulesDir() {
        return dir().resolve("crashlab");
    }

    public static Path dumpDir(String scenario) {
        Path d = dir().resolve("dumps").resolve(scenario);
        if (!Files.isRegularFile(d.resolve("complete"))) {
            throw new IllegalStateException("arm64 dump " + scenario + " not made (run scripts/make-arm64-dumps.sh)");
        }
        return d;
    }

    /** {@code format}: "zlib" (kdump-compressed) or "elf". */
    public static Session open(String scenario, String format) {
        return Session.open(vmlinux(), dumpDir(scenario).resolve(format), List.of(modulesDir()), false);
    }
}
