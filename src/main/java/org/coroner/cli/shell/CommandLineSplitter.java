package org.coroner.cli.shell;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a shell input line as crash does: commands separated by {@code ;}, words by blanks,
 * quotes grouping words, and an output tail ({@code | shell pipeline}, {@code > file},
 * {@code >> file}) that is handed to the system shell or a file.
 */
public final class CommandLineSplitter {
    /**
     * One command: its words, the same words with their quotes kept (crash's {@code ps} and
     * {@code foreach} take {@code 'regex'}), and where its output goes.
     */
    public record Invocation(List<String> words, List<String> quotedWords, String pipe, String redirect, boolean append) {
        public Invocation(List<String> words, String pipe, String redirect, boolean append) {
            this(words, words, pipe, redirect, append);
        }
    }

    private CommandLineSplitter() {
    }

    public static List<Invocation> split(String line) {
        List<Invocation> out = new ArrayList<>();
        for (String part : splitOutsideQuotes(line, ';')) {
            if (!part.isBlank()) {
                out.add(parse(part));
            }
        }
        return out;
    }

    private static Invocation parse(String cmd) {
        String pipe = null;
        String redirect = null;
        boolean append = false;
        int bar = indexOutsideQuotes(cmd, '|');
        if (bar >= 0) {
            pipe = cmd.substring(bar + 1).trim();
            cmd = cmd.substring(0, bar);
        }
        int gt = indexOutsideQuotes(cmd, '>');
        if (gt >= 0) {
            String rest = cmd.substring(gt + 1);
            if (rest.startsWith(">")) {
                append = true;
                rest = rest.substring(1);
            }
            redirect = rest.trim();
            cmd = cmd.substring(0, gt);
        }
        return new Invocation(words(cmd, false), words(cmd, true), pipe, redirect, append);
    }

    /** Words separated by blanks; single or double quotes group, and are removed. */
    public static List<String> words(String s) {
        return words(s, false);
    }

    /** Words separated by blanks; quotes group, and are kept when {@code keepQuotes}. */
    public static List<String> words(String s, boolean keepQuotes) {
        List<String> w = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        boolean any = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                    if (keepQuotes) {
                        cur.append(c);
                    }
                } else {
                    cur.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                any = true;
                if (keepQuotes) {
                    cur.append(c);
                }
            } else if (Character.isWhitespace(c)) {
                if (cur.length() > 0 || any) {
                    w.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0 || any) {
            w.add(cur.toString());
        }
        return w;
    }

    private static List<String> splitOutsideQuotes(String s, char sep) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == sep) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    /**
     * The first {@code target} outside quotes and, as crash has it, outside parentheses (an expression
     * such as {@code (a | b)}); a {@code >} right after {@code -} is C's {@code ->}, not a redirect.
     */
    private static int indexOutsideQuotes(String s, char target) {
        char quote = 0;
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth = Math.max(0, depth - 1);
            } else if (c == target && depth == 0 && !(c == '>' && i > 0 && s.charAt(i - 1) == '-')) {
                return i;
            }
        }
        return -1;
    }
}
