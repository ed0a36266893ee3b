package org.coroner.dump;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import org.coroner.testing.Fixtures;

/** Test data of the dump tests: System.map lookups and the dumps {@code scripts/make-dumps.sh} writes. */
final class DumpFixtures {
    private DumpFixtures() {
    }

    /** The unrelocated address of a symbol in the fixture kernel's System.map. */
    static long systemMap(String name) {
        try (var lines = Files.lines(Fixtures.kernelDir().resolve("System.map"))) {
            return lines.map(l -> l.split(" ")).filter(f -> f[2].equals(name)).findFirst()
                    .map(f -> Long.parseUnsignedLong(f[0], 16)).orElseThrow(() -> new IllegalArgumentException(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long relocated(Dump d, String name) {
        OptionalLong off = d.vmcoreInfo().orElseThrow().kernelOffset();
        return systemMap(name) + off.orElseThrow();
    }

    /** Directory of the QEMU dumps of one run ({@code scripts/make-dumps.sh}), or null if not made yet. */
    static Path qemuDumps() {
        return Fixtures.qemuDumps("null");
    }

    /** The "Linux version ..." line of a console log, without the timestamp. */
    static String bannerLine(Path consoleLog) {
        try {
            String text = new String(Files.readAllBytes(consoleLog), java.nio.charset.StandardCharsets.ISO_8859_1);
            int i = text.indexOf("Linux version ");
            int end = text.indexOf('\n', i);
            return text.substring(i, end).replace("\r", "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
