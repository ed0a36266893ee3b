package org.coroner.oops.decode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Test-side stand-in for the report finder: cuts one report out of a log and strips timestamps. */
final class ReportLines {
    private ReportLines() {
    }

    private static final Pattern TIMESTAMP = Pattern.compile("^\\[\\s*\\d+\\.\\d+\\](?:\\[\\s*[TC]\\d+\\])? ?");

    static List<String> strip(List<String> raw) {
        return raw.stream().map(l -> TIMESTAMP.matcher(l).replaceFirst("")).toList();
    }

    static List<String> read(Path log) {
        try {
            return strip(List.of(new String(Files.readAllBytes(log), StandardCharsets.ISO_8859_1).split("\n", -1)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines from the first one containing {@code start} up to and including the first one after it containing {@code end}. */
    static List<String> cut(Path log, String start, String end) {
        List<String> all = read(log);
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String l : all) {
            if (!in && l.contains(start)) {
                in = true;
            }
            if (in) {
                out.add(l);
                if (out.size() > 1 && l.contains(end)) {
                    break;
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException(start + " not found in " + log);
        }
        return out;
    }

    /** A syzkaller corpus file's console output: everything after the header's first blank line, up to REPORT:. */
    static List<String> corpus(Path file) {
        List<String> all;
        try {
            all = List.of(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).split("\n", -1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int start = all.indexOf("") + 1;
        int end = all.indexOf("REPORT:");
        return strip(all.subList(start, end < 0 ? all.size() : end - 1));
    }
}
