package org.coroner.cli.shell.crash;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

import org.coroner.kernel.printk.PrintkRecord;

/**
 * Prints kernel log records as crash's {@code log} does: {@code [sssss.uuuuuu] text}, the lines of a
 * multi-line record indented under the first; {@code -t} drops timestamps, {@code -m} adds the
 * {@code <level>} prefix, {@code -T} prints wall-clock times computed from the boot time.
 */
public final class LogFormat {
    private static final DateTimeFormatter HUMAN = DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.US)
            .withZone(ZoneOffset.UTC);

    private LogFormat() {
    }

    /**
     * @param bootEpochNanos wall-clock time of boot in ns since the epoch, for {@code -T}; ignored otherwise
     */
    public static void print(List<PrintkRecord> records, boolean noTime, boolean level, boolean human,
                             long bootEpochNanos, StringBuilder out) {
        for (PrintkRecord r : records) {
            StringBuilder prefix = new StringBuilder();
            if (!noTime) {
                if (human) {
                    prefix.append('[').append(HUMAN.format(Instant.ofEpochSecond(0, bootEpochNanos + r.tsNanos()))).append("] ");
                } else {
                    prefix.append(r.timestamp()).append(' ');
                }
            }
            if (level) {
                prefix.append('<').append(r.level()).append('>');
            }
            String text = r.text();
            if (text.endsWith("\n")) {
                text = text.substring(0, text.length() - 1);
            }
            String[] lines = text.split("\n", -1);
            String indent = " ".repeat(prefix.length());
            for (int i = 0; i < lines.length; i++) {
                out.append(i == 0 ? prefix : indent).append(lines[i]).append('\n');
            }
        }
    }
}
