package org.coroner.kernel.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The per-task stacks the kernel printed at panic with {@code panic_print} (sched_show_task): for
 * each {@code task:NAME state:S ... pid:P} block, the frames of its {@code Call Trace:} that the
 * kernel's ORC unwinder found (those printed without {@code ?}), as {@code function+0xoffset}. A
 * block ends at the next task, at {@code </TASK>} (x86_64) or at a panic's own trace (arm64 prints no
 * end marker: the hung-task report's block runs into the panic that follows it).
 */
record ConsoleTraces(String name, int pid, String state, boolean running, List<String> frames) {
    private static final Pattern TASK = Pattern.compile("\\] task:(.{15}) state:(\\S)(  running task)?\\s.*\\bpid:(\\d+)");
    private static final Pattern FRAME = Pattern.compile("\\]  (\\??) ?([A-Za-z0-9_.$]+)\\+(0x[0-9a-f]+)/0x[0-9a-f]+( \\[\\w+\\])?$");

    static List<ConsoleTraces> read(Path log) {
        List<String> lines;
        try {
            lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<ConsoleTraces> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = TASK.matcher(lines.get(i));
            if (!m.find()) {
                continue;
            }
            List<String> frames = new ArrayList<>();
            int j = i + 1;
            for (; j < lines.size() && !lines.get(j).contains("</TASK>") && !TASK.matcher(lines.get(j)).find()
                    && !lines.get(j).contains("Kernel panic - not syncing"); j++) {
                Matcher f = FRAME.matcher(lines.get(j));
                if (f.find() && f.group(1).isEmpty()) {
                    frames.add(f.group(2) + "+" + f.group(3));
                }
            }
            out.add(new ConsoleTraces(m.group(1).trim(), Integer.parseInt(m.group(4)), m.group(2), m.group(3) != null,
                    List.copyOf(frames)));
            i = j - 1;
        }
        return out;
    }
}
