package org.coroner.oops;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One file of syzkaller's report test corpus: header lines ({@code TITLE:}, {@code ALT:},
 * {@code CORRUPTED:} ...), a blank line, the console log as bytes, optionally a blank line,
 * {@code REPORT:} and the expected report (ignored here).
 */
record SyzCorpusFile(Path path, String title, List<String> alts, boolean corrupted, String frame, byte[] log) {

    static SyzCorpusFile read(Path path) throws IOException {
        byte[] data = Files.readAllBytes(path);
        String title = null;
        List<String> alts = new ArrayList<>();
        boolean corrupted = false;
        String frame = null;
        int pos = 0;
        while (pos < data.length) {
            int eol = indexOf(data, pos);
            String line = new String(data, pos, eol - pos, StandardCharsets.UTF_8).replace("\r", "");
            pos = eol + 1;
            if (line.isEmpty()) {
                break;
            }
            if (line.startsWith("TITLE: ")) {
                title = line.substring(7).isBlank() ? null : line.substring(7); // "TITLE: " alone: no report
            } else if (line.startsWith("ALT: ")) {
                alts.add(line.substring(5));
            } else if (line.startsWith("FRAME: ")) {
                frame = line.substring(7);
            } else if (line.startsWith("CORRUPTED: ")) {
                corrupted = line.substring(11).equals("Y");
            }
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        boolean prevEmpty = false;
        while (pos < data.length) {
            int eol = indexOf(data, pos);
            int len = eol - pos;
            if (len > 0 && data[eol - 1] == '\r') {
                len--;
            }
            boolean isReport = len == 7 && new String(data, pos, 7, StandardCharsets.ISO_8859_1).equals("REPORT:");
            if (prevEmpty && isReport) {
                break;
            }
            log.write(data, pos, eol - pos);
            log.write('\n');
            prevEmpty = len == 0;
            pos = eol + 1;
        }
        return new SyzCorpusFile(path, title, List.copyOf(alts), corrupted, frame, log.toByteArray());
    }

    private static int indexOf(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == '\n') {
                return i;
            }
        }
        return data.length;
    }
}
