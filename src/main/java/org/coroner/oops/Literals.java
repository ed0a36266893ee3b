package org.coroner.oops;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The literal text every match of a regex contains: its runs of plain characters, in order (the
 * catalog's {@code .} never crosses a {@code \n}, so runs between plain gaps are on one line). Read
 * once per regex from its source, so that the regex runs only on the lines that hold them: most
 * lines near a report hold none of a suppression's or a title variant's words.
 *
 * <p>Conservative: anything that is not a plain character (a class, a group, an escape like
 * {@code \d}, {@code .}, an anchor) is a gap of unknown text between two runs, and a character a
 * quantifier applies to is a gap too. A top-level {@code |} gives one set of runs per alternative.
 * A regex with inline flags past its start has no runs and always runs.
 */
final class Literals {
    private static final Map<Pattern, Literals> CACHE = new ConcurrentHashMap<>();
    private static final Literals NONE = new Literals(new String[0], false, false, true, null);

    /** Runs in match order; lower case when {@link #ignoreCase}. */
    private final String[] runs;
    /** The first run starts the match. */
    private final boolean anchored;
    private final boolean ignoreCase;
    /** Some gap may hold a {@code \n}: runs need not be on the match's first line. */
    private final boolean crossesLines;
    /** The other alternatives of a top-level {@code |}, or null. */
    private final Literals[] alternatives;

    private Literals(String[] runs, boolean anchored, boolean ignoreCase, boolean crossesLines, Literals[] alternatives) {
        this.runs = runs;
        this.anchored = anchored;
        this.ignoreCase = ignoreCase;
        this.crossesLines = crossesLines;
        this.alternatives = alternatives;
    }

    /** A pattern and its literals: published whole (final fields), so a racy read sees both or neither. */
    private record Entry(Pattern pattern, Literals literals) {
    }

    /** Direct-mapped by identity hash in front of {@link #CACHE}: every line of a report asks for a few. */
    private static final Entry[] RECENT = new Entry[1 << 12];

    static Literals of(Pattern p) {
        int i = System.identityHashCode(p) & (RECENT.length - 1);
        Entry e = RECENT[i];
        if (e != null && e.pattern == p) {
            return e.literals;
        }
        Literals l = CACHE.get(p);
        if (l == null) {
            l = CACHE.computeIfAbsent(p, k -> parse(k.pattern()));
        }
        RECENT[i] = new Entry(p, l);
        return l;
    }

    /** {@code p.matcher(s).find()}, skipped when {@code s} lacks the literals. */
    static boolean find(Pattern p, String s) {
        return of(p).mayFind(s, 0) && p.matcher(s).find();
    }

    /** Whether a match may start at or after {@code from}. */
    boolean mayFind(String s, int from) {
        if (alternatives != null) {
            for (Literals a : alternatives) {
                if (a.mayFind(s, from)) {
                    return true;
                }
            }
            return false;
        }
        return runsFrom(s, from, s.length(), false);
    }

    /** Whether a match may start exactly at {@code at} (as {@code lookingAt} there). */
    boolean mayMatchAt(String s, int at) {
        if (alternatives != null) {
            for (Literals a : alternatives) {
                if (a.mayMatchAt(s, at)) {
                    return true;
                }
            }
            return false;
        }
        int eol = crossesLines ? -1 : s.indexOf('\n', at);
        return runsFrom(s, at, eol < 0 ? s.length() : eol, anchored);
    }

    private boolean runsFrom(String s, int from, int to, boolean firstAt) {
        int p = from;
        for (int i = 0; i < runs.length; i++) {
            String r = runs[i];
            int at;
            if (p > to) {
                return false;
            }
            if (i == 0 && firstAt) {
                at = s.regionMatches(ignoreCase, p, r, 0, r.length()) ? p : -1;
            } else {
                // searched up to the end of the line only: the text may be a whole report
                at = ignoreCase ? indexOfIgnoreCase(s, r, p, to) : s.indexOf(r, p, to);
            }
            if (at < 0 || at + r.length() > to) {
                return false;
            }
            p = at + r.length();
        }
        return true;
    }

    /** {@code lower} is in lower case; candidates are where its first letter is, in either case. */
    private static int indexOfIgnoreCase(String s, String lower, int from, int to) {
        char lo = lower.charAt(0);
        char up = Character.toUpperCase(lo);
        for (int i = from; i + lower.length() <= to; i++) {
            int a = s.indexOf(lo, i, to);
            int b = lo == up ? -1 : s.indexOf(up, i, to);
            i = a < 0 ? b : b < 0 ? a : Math.min(a, b);
            if (i < 0 || i + lower.length() > to) {
                return -1;
            }
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
        String body = re.substring(i);
        if (body.contains("(?i") || body.contains("(?s") || body.contains("(?m") || body.contains("(?u")
                || body.contains("(?x") || body.contains("(?d") || body.contains("(?U")) {
            return NONE; // flags that change what the text means
        }
        List<String> alts = splitTopLevel(body);
        if (alts.size() > 1) {
            Literals[] as = new Literals[alts.size()];
            for (int k = 0; k < as.length; k++) {
                as[k] = parseSequence(alts.get(k), ignoreCase);
            }
            return new Literals(new String[0], false, ignoreCase, true, as);
        }
        return parseSequence(body, ignoreCase);
    }

    /** One alternative: plain characters and gaps. */
    private static Literals parseSequence(String re, boolean ignoreCase) {
        List<String> runs = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        boolean anchored = true;
        boolean crosses = false;
        int i = 0;
        while (i < re.length()) {
            char c = re.charAt(i);
            int next; // index after the atom
            boolean literal = false;
            char lit = 0;
            if (c == '\\' && i + 1 < re.length()) {
                char e = re.charAt(i + 1);
                if (Character.isLetterOrDigit(e)) {
                    if ("dwsSWDntbBrf".indexOf(e) < 0) {
                        return NONE; // \Q quoting, \x41, \p{..}, back references: not read
                    }
                    crosses |= e != 'd' && e != 'w' && e != 'S'; // \s, \n, \W, \D ... may be a newline
                } else {
                    literal = true;
                    lit = e;
                }
                next = i + 2;
            } else if (c == '[') {
                int end = classEnd(re, i);
                if (end < 0) {
                    return NONE;
                }
                String cls = re.substring(i, end);
                crosses |= cls.startsWith("[^") || cls.contains("\\");
                next = end;
            } else if (c == '(') {
                int end = groupEnd(re, i);
                if (end < 0) {
                    return NONE;
                }
                String g = re.substring(i, end);
                crosses |= g.contains("\\") || g.contains("[^");
                next = end;
            } else if (c == '.' || c == '^' || c == '$') {
                next = i + 1;
            } else if (c == ')' || c == ']' || c == '{' || c == '}' || c == '|' || c == '?' || c == '*' || c == '+') {
                return NONE; // not a regex this reader understands
            } else {
                literal = true;
                lit = c;
                next = i + 1;
            }
            // a quantifier makes the atom optional or repeated: a gap
            int q = next;
            if (q < re.length() && "?*+{".indexOf(re.charAt(q)) >= 0) {
                if (re.charAt(q) == '{') {
                    int close = re.indexOf('}', q);
                    if (close < 0) {
                        return NONE;
                    }
                    q = close + 1;
                } else {
                    q++;
                }
                if (q < re.length() && (re.charAt(q) == '?' || re.charAt(q) == '+')) {
                    q++; // lazy or possessive
                }
                literal = false;
            }
            if (literal) {
                run.append(lit);
            } else {
                if (runs.isEmpty() && run.isEmpty()) {
                    anchored = false;
                }
                flush(runs, run);
            }
            i = q;
        }
        flush(runs, run);
        if (runs.isEmpty()) {
            return NONE;
        }
        if (ignoreCase) {
            runs.replaceAll(r -> r.toLowerCase(Locale.ROOT));
        }
        return new Literals(runs.toArray(String[]::new), anchored, ignoreCase, crosses, null);
    }

    /** The index after the class that starts at {@code i}, or -1. */
    private static int classEnd(String re, int i) {
        int j = i + 1;
        if (j < re.length() && re.charAt(j) == '^') {
            j++;
        }
        if (j < re.length() && re.charAt(j) == ']') {
            j++; // a literal ] first
        }
        for (; j < re.length(); j++) {
            char c = re.charAt(j);
            if (c == '\\') {
                j++;
            } else if (c == '[') {
                return -1; // nested classes: not read
            } else if (c == ']') {
                return j + 1;
            }
        }
        return -1;
    }

    /** The index after the group that starts at {@code i}, or -1. */
    private static int groupEnd(String re, int i) {
        int depth = 0;
        for (int j = i; j < re.length(); j++) {
            char c = re.charAt(j);
            if (c == '\\') {
                j++;
            } else if (c == '[') {
                int end = classEnd(re, j);
                if (end < 0) {
                    return -1;
                }
                j = end - 1;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return j + 1;
            }
        }
        return -1;
    }

    /** The alternatives of a top-level {@code |} (one element when there is none). */
    private static List<String> splitTopLevel(String re) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[') {
                int end = classEnd(re, i);
                if (end < 0) {
                    return List.of(re);
                }
                i = end - 1;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '|' && depth == 0) {
                out.add(re.substring(from, i));
                from = i + 1;
            }
        }
        out.add(re.substring(from));
        return out;
    }

    private static void flush(List<String> runs, StringBuilder run) {
        if (!run.isEmpty()) {
            runs.add(run.toString());
            run.setLength(0);
        }
    }
}
