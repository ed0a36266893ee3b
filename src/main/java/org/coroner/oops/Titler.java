package org.coroner.oops;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.coroner.oops.OopsCatalog.Format;
import org.coroner.oops.OopsCatalog.Oops;
import org.coroner.oops.OopsCatalog.Stack;
import org.coroner.oops.StackRules.Pick;

/**
 * Names one crash report the way syzbot does: picks the variant of the report's kind, extracts the
 * guilty frame (skipping generic frames), formats and normalizes the title (addresses, numbers,
 * line numbers and executor ids replaced), and says whether the report is corrupted.
 */
public final class Titler {
    private Titler() {
    }

    /** What {@link #describe} found. {@code corruptedReason} is null for a sound report. */
    public record Description(String title, String kind, String corruptedReason, String guiltyFrame) {
        public boolean corrupted() {
            return corruptedReason != null;
        }
    }

    static final String NO_FRAMES = "extracted no frames";

    /**
     * Titles a report given as cleaned lines (e.g. {@link FoundReport#lines()}, or a report pasted
     * without its log): the first line carrying a report header starts it. Unlike
     * {@link ReportFinder}, every line counts as the report's own (no printk context filtering).
     */
    public static java.util.Optional<Description> describe(List<String> lines) {
        for (int i = 0; i < lines.size(); i++) {
            Oops oops = ReportFinder.matchOops(lines.get(i));
            if (oops != null) {
                List<String> rest = lines.subList(i, lines.size()).stream()
                        .flatMap(l -> l.indexOf('\n') < 0 ? java.util.stream.Stream.of(l) : java.util.Arrays.stream(l.split("\n", -1)))
                        .filter(l -> !l.contains(" ? ")) // unreliable frames never name a report
                        .toList();
                return java.util.Optional.of(describe(oops, rest, rest.size()));
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Describes a report.
     *
     * @param oops       the kind of report its first line announced
     * @param lines      the report's lines (its first line first), continued past the next report for
     *                   the stack-trace sanity checks
     * @param titleLines how many of them, up to the next report, the title may come from
     */
    static Description describe(Oops oops, List<String> lines, int titleLines) {
        return describe(oops, new ReportText(lines, titleLines));
    }

    static Description describe(Oops oops, ReportText report) {
        Found found = find(oops, report);
        String reason = found.corrupted;
        if (reason == null) {
            reason = corruptedReason(found.title, report, found.format);
        }
        String title = sanitize(normalize(found.title));
        // the stack's guilty frame; for formats without a stack, the function their regex named
        String frame = found.frame;
        if (frame == null && found.format != null && found.format.stack() == null) {
            frame = frameOfTitle(title);
        }
        return new Description(title, kindOf(title), reason, frame);
    }

    private record Found(String title, String corrupted, Format format, String frame) {
    }

    private static Found find(Oops oops, ReportText report) {
        String text = report.text;
        String header = oops.header();
        boolean matchedTitle = false;
        for (int at = text.indexOf(header); at >= 0; at = text.indexOf(header, at + 1)) {
            for (Format f : oops.formats()) {
                if (!Literals.of(f.title()).mayMatchAt(text, at)) {
                    continue; // most variants' words are not on the header line
                }
                Matcher m = f.title().matcher(text).region(at, text.length());
                m.useAnchoringBounds(false).useTransparentBounds(true);
                if (!m.lookingAt()) {
                    continue;
                }
                matchedTitle = true;
                if (f.report() != null) {
                    m = f.report().matcher(text).region(at, text.length());
                    m.useAnchoringBounds(false).useTransparentBounds(true);
                    if (!m.find()) {
                        continue;
                    }
                }
                List<String> args = new ArrayList<>();
                for (int g = 1; g <= m.groupCount(); g++) {
                    args.add(m.group(g) == null ? "" : m.group(g));
                }
                String corrupted = null;
                String guilty = null;
                if (f.stack() != null) {
                    StackResult st = extractFrames(f.stack(), report, m.start());
                    if (!st.ok) {
                        corrupted = NO_FRAMES;
                    }
                    args.addAll(st.frames);
                    guilty = st.frames.isEmpty() || st.frames.get(0).equals("corrupted") ? null : st.frames.get(0);
                }
                if (corrupted == null && f.corrupted()) {
                    corrupted = "report format is marked as corrupted";
                }
                return new Found(format(f.fmt(), args), corrupted, f, guilty);
            }
            if (matchedTitle) {
                break; // the earliest title wins even when its report regex did not match
            }
        }
        int at = text.indexOf(header);
        int eol = text.indexOf('\n', at);
        String line = text.substring(at, eol < 0 ? text.length() : eol);
        return new Found(line, matchedTitle ? "matched title but not report regexp" : null, null, null);
    }

    private record StackResult(List<String> frames, boolean ok) {
    }

    /**
     * Walks the report's lines through the format's stack parts: a plain part consumes lines until
     * it matches (its capture groups are frames); {@link OopsCatalog#PARSE_STACK} takes frame lines
     * until the next stack trace starts. Each parsed stack yields one guilty frame.
     */
    private static StackResult extractFrames(Stack stack, ReportText report, int from) {
        StackLines lines = new StackLines(report, from);
        StackResult r = extractFrames(stack, stack.parts(), lines);
        if (r.ok || stack.parts2().isEmpty()) {
            return r;
        }
        return extractFrames(stack, stack.parts2(), lines);
    }

    /**
     * The text from offset {@code from} of the title text, line by line, as {@code split("\n", -1)}
     * would cut it (the first line from {@code from}, a last empty line), without copying it.
     */
    private static final class StackLines {
        private final ReportText report;
        private final int first;
        private final String firstText;
        final int length;

        StackLines(ReportText report, int from) {
            this.report = report;
            this.first = report.lineAt(from);
            int col = from - report.lineStart(first);
            String line = report.lines.get(first);
            this.firstText = col == 0 ? line : line.substring(col);
            this.length = report.titleLines - first + 1;
        }

        String get(int i) {
            return i == 0 ? firstText : first + i < report.titleLines ? report.lines.get(first + i) : "";
        }

        boolean isStackStart(int i) {
            if (i == 0 && firstText != report.lines.get(first)) {
                return StackRules.isStackStart(firstText, report.words(first));
            }
            return first + i < report.titleLines ? report.isStackStart(first + i) : StackRules.isStackStart("");
        }

        /** The line's words; the first line's are its whole line's (a superset: a sound filter). */
        long words(int i) {
            return first + i < report.titleLines ? report.words(first + i) : LineWords.UNKNOWN;
        }
    }

    private static StackResult extractFrames(Stack stack, List<Pattern> parts, StackLines lines) {
        int li = 0;
        List<String> raw = new ArrayList<>();
        List<String> results = new ArrayList<>();
        boolean ok = true;
        int stacks = 0;
        // FIRST looks at the first kept frame only: once a stack has one, the rest need no parsing
        boolean firstOnly = stack.extractor() == StackRules.FIRST;
        next:
        for (int pi = 0; ; pi++) {
            if (pi == parts.size() || parts.get(pi) == OopsCatalog.PARSE_STACK && stacks > 0) {
                String picked = pick(stack, raw);
                if (picked == null) {
                    picked = "corrupted";
                    ok = false;
                }
                results.add(picked);
                raw = new ArrayList<>();
            }
            if (pi == parts.size()) {
                break;
            }
            Pattern part = parts.get(pi);
            if (part == OopsCatalog.PARSE_STACK) {
                stacks++;
                while (li < lines.length) {
                    int at = li++;
                    String ln = lines.get(at);
                    if (StackRules.isCorruptedLine(ln, lines.words(at))) {
                        ok = false;
                        continue next;
                    }
                    if (lines.isStackStart(at)) {
                        continue next;
                    }
                    if (pi != parts.size() - 1) {
                        Matcher m = StackRules.find(parts.get(pi + 1), ln);
                        if (m != null) {
                            addFrames(raw, m, stack);
                            pi++;
                            continue next;
                        }
                    }
                    if (firstOnly && !raw.isEmpty()) {
                        continue;
                    }
                    String[] names = StackRules.frames(ln);
                    if (names != null) {
                        for (String f : names) {
                            FrameNames.Name n = FrameNames.of(f);
                            if (!stack.skips(n)) {
                                raw.add(n.name);
                            }
                        }
                    }
                }
            } else {
                while (li < lines.length) {
                    int at = li++;
                    String ln = lines.get(at);
                    if (StackRules.isCorruptedLine(ln, lines.words(at))) {
                        ok = false;
                        continue next;
                    }
                    Matcher m = StackRules.find(part, ln);
                    if (m != null) {
                        addFrames(raw, m, stack);
                        break;
                    }
                }
            }
        }
        return new StackResult(results, ok);
    }

    private static String pick(Stack stack, List<String> raw) {
        if (raw.isEmpty()) {
            return null;
        }
        // stripped on demand: most extractors look at the first frame only
        List<String> stripped = new java.util.AbstractList<>() {
            @Override
            public String get(int i) {
                return StackRules.stripFrame(raw.get(i));
            }

            @Override
            public int size() {
                return raw.size();
            }
        };
        Pick p = stack.extractor().pick(stripped);
        return p == null || p.name().isEmpty() ? null : p.name();
    }

    private static void addFrames(List<String> frames, Matcher m, Stack stack) {
        for (int g = 1; g <= m.groupCount(); g++) {
            String f = m.group(g);
            if (f != null) {
                FrameNames.Name n = FrameNames.of(f);
                if (!stack.skips(n)) {
                    frames.add(n.name);
                }
            }
        }
    }

    /** Substitutes {@code %[N]v} / {@code %[N]s} with argument N (1-based). */
    static String format(String fmt, List<String> args) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c == '%' && i + 1 < fmt.length() && fmt.charAt(i + 1) == '[') {
                int close = fmt.indexOf(']', i);
                int n = Integer.parseInt(fmt.substring(i + 2, close));
                sb.append(n - 1 < args.size() ? args.get(n - 1) : "%!v(MISSING)");
                i = close + 1; // skip the verb letter
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static final Pattern TIMESTAMP_IN_TITLE = Pattern.compile("\\[ *[0-9]+\\.[0-9]+\\]");

    /** A report that should carry a stack but shows none, or whose title caught a timestamp, is corrupted. */
    private static String corruptedReason(String title, ReportText report, Format format) {
        List<String> lines = report.lines;
        if (TIMESTAMP_IN_TITLE.matcher(title).find()) {
            return "title matches corrupted regexp";
        }
        if (format == null || format.noStackTrace()) {
            return null;
        }
        // the first line where each stack-start pattern occurs
        int keys = StackRules.STACK_START.size();
        int[] firstAt = new int[keys];
        java.util.Arrays.fill(firstAt, -1);
        for (int i = 0; i < lines.size(); i++) {
            if (!report.isStackStart(i)) {
                continue;
            }
            String ln = lines.get(i);
            for (int k = 0; k < keys; k++) {
                if (firstAt[k] < 0 && Literals.find(StackRules.STACK_START.get(k), ln)) {
                    firstAt[k] = i;
                }
            }
        }
        boolean hasStack = false;
        for (int k = 0; k < keys; k++) {
            int at = firstAt[k];
            if (at < 0) {
                continue;
            }
            if (lines.size() - at + 1 < 4) { // the text ends with a newline: one empty line more
                return "call trace is missed";
            }
            boolean corrupted = true;
            for (int i = at + 1; i < at + 16 && i < lines.size(); i++) {
                if (report.isStackStart(i)) {
                    break;
                }
                String ln = lines.get(i);
                if (ln.contains("(stack is not available)") || StackRules.frames(ln) != null) {
                    hasStack = true;
                    corrupted = false;
                    break;
                }
            }
            if (StackRules.STACK_START.get(k) != StackRules.RISCV_STACK_START && corrupted) {
                return "no frames in a stack trace";
            }
        }
        return hasStack ? null : "no stack trace in report";
    }

    /** A rewrite, tried only when the title can match it (regex passes cost more than the checks). */
    private record Rule(java.util.function.Predicate<String> mayMatch, Pattern match, String replacement) {
    }

    /** Parts of a title that differ between two occurrences of one bug. */
    private static final List<Rule> VOLATILE = List.of(
            new Rule(t -> t.contains("syz-executor"), Pattern.compile("syz-executor\\.?[0-9]+((/|:)[0-9]+)?"), "syz-executor"),
            new Rule(t -> t.contains("syzkaller"), Pattern.compile("syzkaller[0-9]+((/|:)[0-9]+)?"), "syzkaller"),
            new Rule(Titler::hasHexRun, Pattern.compile("([^a-zA-Z0-9])(?:0x)?[0-9a-f]{6,}"), "$1ADDR"),
            new Rule(t -> t.chars().filter(ch -> ch == '.').count() >= 3,
                    Pattern.compile("([0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3})"), "IP"),
            new Rule(Titler::hasColonDigit, Pattern.compile("(\\.\\w+)(:[0-9]+)+"), "$1:LINE"),
            new Rule(t -> t.contains("+0x"), Pattern.compile("([a-zA-Z][a-zA-Z0-9_.]+)\\+0x[0-9a-z]+/0x[0-9a-z]+"), "$1"),
            new Rule(t -> t.contains("CPU#"), Pattern.compile("CPU#[0-9]+"), "CPU"),
            new Rule(Titler::hasDigitAfterNonWord, Pattern.compile("(\\W)(\\d+)(\\W|$)"), "$1NUM$3"),
            new Rule(t -> hasDigitRun(t, 7), Pattern.compile("(\\d+){7,}"), "NUM"));

    /** A {@code :} followed by a digit, which the line-number rule needs. */
    private static boolean hasColonDigit(String t) {
        for (int i = t.indexOf(':'); i >= 0 && i + 1 < t.length(); i = t.indexOf(':', i + 1)) {
            if (isDigit(t.charAt(i + 1))) {
                return true;
            }
        }
        return false;
    }

    /** A digit right after a character that is not a word character ({@code \W\d}). */
    private static boolean hasDigitAfterNonWord(String t) {
        for (int i = 1; i < t.length(); i++) {
            if (isDigit(t.charAt(i)) && !isWordChar(t.charAt(i - 1))) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasDigitRun(String t, int min) {
        int run = 0;
        for (int i = 0; i < t.length(); i++) {
            run = isDigit(t.charAt(i)) ? run + 1 : 0;
            if (run >= min) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** {@code \w} as java.util.regex reads it without UNICODE_CHARACTER_CLASS. */
    private static boolean isWordChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    private static boolean hasHexRun(String t) {
        int run = 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            run = c >= '0' && c <= '9' || c >= 'a' && c <= 'f' ? run + 1 : 0;
            if (run >= 6) {
                return true;
            }
        }
        return false;
    }

    static String normalize(String title) {
        for (Rule r : VOLATILE) {
            if (!r.mayMatch.test(title)) {
                continue;
            }
            while (true) {
                String next = r.match.matcher(title).replaceAll(r.replacement);
                if (next.equals(title)) {
                    break;
                }
                title = next;
            }
        }
        return title;
    }

    /** Printable ASCII only, single spaces, at most 120 bytes of input considered. */
    static String sanitize(String title) {
        StringBuilder sb = new StringBuilder();
        char prev = ' ';
        int bytes = 0;
        for (int i = 0; i < title.length() && bytes < 120; i++) {
            char c = title.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            if (c == '\t') {
                c = ' ';
            } else if (c < 0x20 || c >= 0x7f) {
                continue;
            }
            if (c == ' ' && prev == ' ') {
                continue;
            }
            sb.append(c);
            prev = c;
        }
        return sb.toString().strip();
    }

    private static final Pattern TITLE_FRAME = Pattern.compile(".* in ((?:<[a-zA-Z0-9_: ]+>)?[a-zA-Z0-9_:]+)");

    static String frameOfTitle(String title) {
        Matcher m = TITLE_FRAME.matcher(title);
        return m.lookingAt() ? m.group(1) : null;
    }

    /**
     * The report's kind, one of: null-pointer-dereference, paging-fault, general-protection-fault,
     * bug, warning, soft-lockup, hard-lockup, hung-task, rcu-stall, kasan, kfence, kmsan, kcsan, ubsan,
     * list-corruption, divide-error, invalid-opcode, double-fault, stack-overflow, panic, lockdep,
     * memory-leak, oops, int3, reboot, other.
     */
    static String kindOf(String t) {
        if (t.startsWith("BUG: unable to handle kernel NULL pointer")) {
            return "null-pointer-dereference";
        }
        if (t.startsWith("BUG: unable to handle kernel") || t.startsWith("Unhandled fault")
                || t.startsWith("Alignment trap")) {
            return "paging-fault";
        }
        if (t.startsWith("general protection fault") || t.startsWith("stack segment fault")) {
            return "general-protection-fault";
        }
        if (t.startsWith("KASAN:")) {
            return "kasan";
        }
        if (t.startsWith("KFENCE:")) {
            return "kfence";
        }
        if (t.startsWith("KMSAN:")) {
            return "kmsan";
        }
        if (t.startsWith("KCSAN:")) {
            return "kcsan";
        }
        if (t.startsWith("UBSAN:")) {
            return "ubsan";
        }
        if (t.startsWith("BUG: soft lockup")) {
            return "soft-lockup";
        }
        if (t.startsWith("BUG: hard lockup") || t.startsWith("kernel panic: Hard LOCKUP")) {
            return "hard-lockup";
        }
        if (t.startsWith("INFO: task hung") || t.startsWith("INFO: task can't die")
                || t.startsWith("kernel panic: hung_task")) {
            return "hung-task";
        }
        if (t.startsWith("INFO: rcu detected stall")) {
            return "rcu-stall";
        }
        if (t.startsWith("BUG: corrupted list")) {
            return "list-corruption";
        }
        if (t.startsWith("divide error")) {
            return "divide-error";
        }
        if (t.startsWith("invalid opcode")) {
            return "invalid-opcode";
        }
        if (t.startsWith("PANIC: double fault")) {
            return "double-fault";
        }
        if (t.startsWith("BUG: stack guard page") || t.startsWith("kernel stack overflow")
                || t.startsWith("kernel panic: corrupted stack end") || t.startsWith("kernel panic: stack is corrupted")) {
            return "stack-overflow";
        }
        if (t.startsWith("possible deadlock") || t.startsWith("inconsistent lock state")
                || t.startsWith("WARNING: locking bug") || t.contains("lock held") || t.contains("locks held")
                || t.contains("unlock balance") || t.startsWith("INFO: trying to register non-static key")
                || t.contains("suspicious RCU usage") || t.contains("nested lock was not taken")) {
            return "lockdep";
        }
        if (t.startsWith("memory leak")) {
            return "memory-leak";
        }
        if (t.startsWith("WARNING")) {
            return "warning";
        }
        if (t.startsWith("kernel panic") || t.startsWith("Kernel panic")) {
            return "panic";
        }
        if (t.startsWith("Internal error")) {
            return "oops";
        }
        if (t.startsWith("int3")) {
            return "int3";
        }
        if (t.startsWith("unexpected kernel reboot")) {
            return "reboot";
        }
        if (t.startsWith("kernel BUG") || t.startsWith("BUG")) {
            return "bug";
        }
        return "other";
    }
}
