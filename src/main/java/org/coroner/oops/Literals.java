package org.coroner.oops;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The literal text every match of a regex contains: its runs of plain characters, in order, on one
 * line (the catalog's {@code .} never crosses a {@code \n}). Read once per regex from its source, so
 * that the regex runs only on the lines that hold them: most lines near a report hold none of a
 * suppression's or a title variant's words. Conservative: what it cannot read (alternation at the
 * top, a class, a group) ends the runs, and a regex it cannot read at all has no runs and always runs.
 */
final class Literals {
    private static final Map<Pattern, Literals> CACHE = new ConcurrentHashMap<>();
    private static final Literals NONE = new Literals(new String[0], false, false);

    /** Runs in match order; lower case when {@link #ignoreCase}. */
    private final String[] runs;
    /** The first run starts the match. */
    private final boolean anchored;
    private final boolean ignoreCase;

    private Literals(String[] runs, boolean anchored, boolean ignoreCase) {
        this.runs = runs;
        this.anchored = anchored;
        this.ignoreCase = ignoreCase;
    }

    static Literals of(Pattern p) {
        Literals l = CACHE.get(p);
        return l != null ? l : CACHE.computeIfAbsent(p, k -> parse(k.pattern()));
    }

    /** {@code p.matcher(s).find()}, skipped when {@code s} lacks the literals. */
    static boolean find(Pattern p, String s) {
        return of(p).mayFind(s, 0) && p.matcher(s).find();
    }

    /** Whether a match may start at or after {@code from}, on the line {@code from} is in or later. */
    boolean mayFind(String s, int from) {
        return runsFrom(s, from, s.length(), false);
    }

    /** Whether a match may start exactly at {@code at} and end on its line (as {@code lookingAt}). */
    boolean mayMatchAt(String s, int at) {
        int eol = s.indexOf('\n', at);
        return runsFrom(s, at, eol < 0 ? s.length() : eol, anchored);
    }

    private boolean runsFrom(String s, int from, int to, boolean firstAt) {
        int p = from;
        for (int i = 0; i < runs.length; i++) {
            String r = runs[i];
            int at;
            if (i == 0 && firstAt) {
                at = s.regionMatches(ignoreCase, p, r, 0, r.length()) ? p : -1;
            } else {
                at = ignoreCase ? indexOfIgnoreCase(s, r, p, to) : s.indexOf(r, p);
            }
            if (at < 0 || at + r.length() > to) {
                return false;
            }
            p = at + r.length();
        }
        return true;
    }

    private static int indexOfIgnoreCase(String s, String lower, int from, int to) {
        for (int i = from; i + lower.length() <= to; i++) {
            if (s.regionMatches(true, i, lower, 0, lower.length())) {
                return i;
            }
        }
        return -1;
    }

    static Literals parse(String re) {
        boolean ignoreCase = false;
        int i = 0;
        if (re.startsWith("(?i)")) {
            ignoreCase = true;
            i = 4;
        }
        if (topLevelAlternation(re)) {
            return NONE;
        }
        List<String> runs = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        boolean anchored = true;
        scan:
        while (i < re.length()) {
            char c = re.charAt(i);
            if (c == '\\' && i + 1 < re.length()) {
                char e = re.charAt(i + 1);
                if (Character.isLetterOrDigit(e)) {
                    break; // \s, \d, \n, \Q ...: not read
                }
                run.append(e);
                i += 2;
            } else if (c == '.' && i + 1 < re.length() && (re.charAt(i + 1) == '*' || re.charAt(i + 1) == '+')) {
                // any text on the line: the run ends, the next one follows somewhere after it
                flush(runs, run);
                i += 2;
                if (i < re.length() && re.charAt(i) == '?') {
                    i++;
                }
                if (runs.isEmpty()) {
                    anchored = false;
                }
            } else if ("?*+{".indexOf(c) >= 0) {
                // a quantifier makes the character before it optional or repeated: drop it, stop
                if (!run.isEmpty()) {
                    run.setLength(run.length() - 1);
                }
                break scan;
            } else if ("[](){}|^$.".indexOf(c) >= 0) {
                break scan;
            } else {
                run.append(c);
                i++;
            }
        }
        flush(runs, run);
        if (runs.isEmpty()) {
            return NONE;
        }
        if (ignoreCase) {
            runs.replaceAll(r -> r.toLowerCase(Locale.ROOT));
        }
        return new Literals(runs.toArray(String[]::new), anchored, ignoreCase);
    }

    private static void flush(List<String> runs, StringBuilder run) {
        if (!run.isEmpty()) {
            runs.add(run.toString());
            run.setLength(0);
        }
    }

    /** A {@code |} outside groups and classes: the regex is a choice of wholes, no run is certain. */
    private static boolean topLevelAlternation(String re) {
        int depth = 0;
        boolean inClass = false;
        for (int i = 0; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\') {
                i++;
            } else if (inClass) {
                inClass = c != ']';
            } else if (c == '[') {
                inClass = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '|' && depth == 0) {
                return true;
            }
        }
        return false;
    }
}
