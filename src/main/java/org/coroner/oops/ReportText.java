package org.coroner.oops;

import java.util.Arrays;
import java.util.List;

/**
 * A report's lines as {@link Titler} reads them: the title lines joined (each ending in {@code \n})
 * for the regexes that span lines, and per line the facts the stack walks ask for more than once
 * (the stack walk of each stack variant and the corruption check each look at every line), computed
 * once, from the line's {@link LineWords} bits when the finder read them. Lines hold no {@code \n}.
 */
final class ReportText {
    final List<String> lines;
    /** The first {@code titleLines} lines, each followed by {@code \n}. */
    final String text;
    final int titleLines;
    /** Offset of each title line in {@link #text}. */
    private final int[] starts;
    /** Per line: 0 not known yet, 1 starts no stack trace, 2 starts one. */
    private final byte[] stackStart;
    /** Per line its {@link LineWords} bits, or null when not known. */
    private final long[] words;

    ReportText(List<String> lines, int titleLines) {
        this(lines, titleLines, null);
    }

    ReportText(List<String> lines, int titleLines, long[] words) {
        this.lines = lines;
        this.words = words;
        this.titleLines = titleLines;
        this.starts = new int[titleLines];
        String[] parts = new String[titleLines + 1];
        int len = 0;
        for (int i = 0; i < titleLines; i++) {
            starts[i] = len;
            parts[i] = lines.get(i);
            len += parts[i].length() + 1;
        }
        parts[titleLines] = ""; // each line ends in \n
        // String.join sizes its result once and copies each line once (a StringBuilder copies twice)
        this.text = titleLines == 0 ? "" : String.join("\n", parts);
        this.stackStart = new byte[lines.size()];
    }

    /** The title line that holds offset {@code at} of {@link #text}. */
    int lineAt(int at) {
        int i = Arrays.binarySearch(starts, at);
        return i >= 0 ? i : -i - 2;
    }

    int lineStart(int line) {
        return starts[line];
    }

    /** The line's {@link LineWords} bits, or {@link LineWords#UNKNOWN}. */
    long words(int line) {
        return words == null ? LineWords.UNKNOWN : words[line];
    }

    boolean isStackStart(int line) {
        byte b = stackStart[line];
        if (b == 0) {
            b = StackRules.isStackStart(lines.get(line), words(line)) ? (byte) 2 : 1;
            stackStart[line] = b;
        }
        return b == 2;
    }
}
