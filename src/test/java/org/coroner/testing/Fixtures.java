package org.coroner.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Locates the shared test data ({@code ../shared} beside the project, or {@code -Dcoroner.shared},
 * or {@code $CORONER_SHARED}) and unpacks what is packed into a cache directory
 * ({@code $CORONER_CACHE}, default {@code ~/.cache/coroner}), once, safely across forked test JVMs.
 * Tests that use it are tagged {@code fixtures}; they fail, not skip, when the data is missing.
 */
public final class Fixtures {
    public static final String RELEASE = "linux-6.1.0-56-amd64";

    private Fixtures() {
    }

    public static Path shared() {
        String p = System.getProperty("coroner.shared", System.getenv("CORONER_SHARED"));
        Path dir = p != null ? Path.of(p) : Path.of(System.getProperty("user.dir")).toAbsolutePath().resolve("../shared").normalize();
        if (!Files.isDirectory(dir.resolve("fixtures"))) {
            throw new IllegalStateException("test data not found at " + dir + " (set CORONER_SHARED)");
        }
        return dir;
    }

    public static Path fixtures() {
        return shared().resolve("fixtures");
    }

    public static Path kernelDir() {
        return fixtures().resolve(RELEASE);
    }

    public static Path vmcoreDir(String scenario) {
        return fixtures().resolve("vmcores").resolve(scenario);
    }

    public static Path consoleLog(String name) {
        return fixtures().resolve("console-logs").resolve(name);
    }

    /**
     * The directory of the QEMU dumps {@code scripts/make-dumps.sh} writes ({@code $CORONER_DUMPS}, else
     * {@code ~/.cache/coroner/dumps}) for a scenario, or null when they are not made yet.
     */
    public static Path qemuDumps(String scenario) {
        String env = System.getenv("CORONER_DUMPS");
        Path base = env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "coroner", "dumps");
        Path dir = base.resolve("qemu-" + scenario);
        return Files.isRegularFile(dir.resolve("complete")) ? dir : null;
    }

    /** What crash printed for a fixture dump (crash/FILE), without its start-up warnings and the {@code mod -s} table. */
    public static java.util.List<String> crashOutput(String scenario, String file) {
        try {
            java.util.List<String> all = Files.readAllLines(vmcoreDir(scenario).resolve("crash").resolve(file));
            int i = 0;
            while (i < all.size() && (all.get(i).startsWith("WARNING") || all.get(i).isBlank() || all.get(i).contains("MODULE")
                    || all.get(i).matches("^ffff[0-9a-f]{12}\\s+crashlab.*"))) {
                i++;
            }
            return all.subList(i, all.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path crashlabKo() {
        return kernelDir().resolve("crashlab.ko");
    }

    public static Path corpus() {
        return shared().resolve("corpora").resolve("syzkaller-linux");
    }

    public static Path cacheDir() {
        String c = System.getenv("CORONER_CACHE");
        Path dir = c != null ? Path.of(c) : Path.of(System.getProperty("user.home"), ".cache", "coroner");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** The 329 MB debug vmlinux, unpacked from {@code vmlinux.xz} on first use. */
    public static Path vmlinux() {
        Path packed = kernelDir().resolve("vmlinux.xz");
        return unpackXz(packed, "vmlinux-" + RELEASE);
    }

    /** Unpacks an xz file into the cache once (keyed by name and packed size); returns the unpacked path. */
    public static synchronized Path unpackXz(Path packed, String name) {
        try {
            Path dir = cacheDir();
            Path out = dir.resolve(name + "-" + Files.size(packed));
            if (Files.isRegularFile(out)) {
                return out;
            }
            try (FileChannel lockCh = FileChannel.open(dir.resolve(name + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockCh.lock()) {
                if (Files.isRegularFile(out)) {
                    return out;
                }
                Path tmp = dir.resolve(name + ".tmp-" + ProcessHandle.current().pid());
                Process p = new ProcessBuilder("xz", "-dc", "-T0", packed.toString())
                        .redirectOutput(tmp.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                if (p.waitFor() != 0) {
                    Files.deleteIfExists(tmp);
                    throw new IllegalStateException("xz failed on " + packed);
                }
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
                return out;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs a command and returns its standard output (for cross-checks against binutils and gdb). */
    public static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed with " + p.exitValue());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
