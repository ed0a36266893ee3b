package org.coroner.session;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

import org.coroner.testing.Arm64Fixtures;

/** The console log of an arm64 dump's run, and facts read from it. */
final class Arm64ShellConsole {
    private Arm64ShellConsole() {
    }

    static List<String> lines(String scenario) throws Exception {
        return Files.readAllLines(Arm64Fixtures.dumpDir(scenario).resolve("console.log"), StandardCharsets.ISO_8859_1);
    }

    /** The hex word after the first occurrence of {@code marker}. */
    static String after(List<String> lines, String marker) {
        for (String l : lines) {
            int i = l.indexOf(marker);
            if (i >= 0) {
                return l.substring(i + marker.length()).split("[^0-9a-fA-F]")[0];
            }
        }
        throw new AssertionError("console has no " + marker);
    }
}
