package org.coroner.dump;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.coroner.testing.Fixtures;

/** Runs commands through {@code crash -s VMLINUX VMCORE -i FILE} once and parses what the tests compare. */
final class CrashBatch {
    private static final Pattern RD = Pattern.compile("^\\s*([0-9a-f]+):\\s+((?:[0-9a-f]{16}\\s*)+)");

    final String output;

    private CrashBatch(String output) {
        this.output = output;
    }

    static CrashBatch run(Path vmcore, List<String> commands) {
        try {
            Path cmds = Files.createTempFile("coroner-crash", ".cmds");
            List<String> all = new ArrayList<>(commands);
            all.add("q");
            Files.write(cmds, all);
            try {
                return new CrashBatch(Fixtures.run("crash", "-s", Fixtures.vmlinux().toString(), vmcore.toString(), "-i", cmds.toString()));
            } finally {
                Files.deleteIfExists(cmds);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every {@code rd -64}/{@code rd -p} line: address to the 64-bit values crash printed there. */
    Map<Long, Long> words() {
        Map<Long, Long> m = new HashMap<>();
        for (String line : output.split("\n")) {
            Matcher x = RD.matcher(line);
            if (x.find()) {
                long a = Long.parseUnsignedLong(x.group(1), 16);
                for (String v : x.group(2).trim().split("\\s+")) {
                    m.put(a, Long.parseUnsignedLong(v, 16));
                    a += 8;
                }
            }
        }
        return m;
    }

    /** One {@code vtop} answer: the entries crash read ("PGD" is its "PAGE DIRECTORY"), and the physical address (-1: not mapped). */
    record Vtop(long physical, Map<String, long[]> entries) {
    }

    /** The {@code vtop} answers by virtual address. */
    Map<Long, Vtop> vtops() {
        Map<Long, Vtop> out = new HashMap<>();
        String[] lines = output.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].startsWith("VIRTUAL           PHYSICAL")) {
                continue;
            }
            String[] va = lines[i + 1].trim().split("\\s+");
            long v = Long.parseUnsignedLong(va[0], 16);
            long p = va[1].equals("(not") ? -1 : Long.parseUnsignedLong(va[1], 16);
            Map<String, long[]> entries = new HashMap<>();
            for (int k = i + 2; k < lines.length && !lines[k].startsWith("VIRTUAL"); k++) {
                String l = lines[k].trim();
                if (l.startsWith("PAGE DIRECTORY:")) {
                    entries.put("PGD", new long[] {-1, Long.parseUnsignedLong(l.substring(15).trim(), 16)});
                }
                Matcher m = Pattern.compile("^(PUD|PMD|PTE|P4D):\\s+([0-9a-f]+) => ([0-9a-f]+)").matcher(l);
                if (m.find()) {
                    entries.put(m.group(1), new long[] {Long.parseUnsignedLong(m.group(2), 16), Long.parseUnsignedLong(m.group(3), 16)});
                }
                if (l.matches("^(PTE|PAGE)\\s+PHYSICAL.*")) {
                    break;
                }
            }
            out.put(v, new Vtop(p, entries));
        }
        return out;
    }
}
