package org.coroner.oops;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Strips what consoles, syslog, journald and dmesg put in front of the kernel's text, byte by byte
 * (no regex: this runs on every line near a report), and never fails on encoding.
 *
 * <p>Removed, in the order they nest: {@code \r} anywhere; syslog/journal prefixes
 * ({@code Nov 22 10:00:01 host kernel: }, ISO timestamps, a bare {@code kernel: });
 * {@code <4>} log levels; dmesg {@code -T} times ({@code [Sun Nov 22 10:00:01 2026] });
 * {@code ** N printk messages dropped ** } and a {@code login: } prompt glued to the line;
 * printk timestamps {@code [    3.210000]} and caller ids {@code [T123]}/{@code [ C1]}, alone or
 * combined. The printk prefix also gives the line's {@link LogLine#context()}.
 * Bytes that are not UTF-8 become U+FFFD.
 */
public final class LineCleaner {
    private LineCleaner() {
    }

    /** Every line of {@code data}, cleaned, numbered from 1. */
    public static List<LogLine> cleanAll(byte[] data) {
        List<LogLine> out = new ArrayList<>();
        MemorySegment seg = MemorySegment.ofArray(data);
        int number = 1;
        int start = 0;
        for (int i = 0; i <= data.length; i++) {
            if (i == data.length || data[i] == '\n') {
                if (i == data.length && start == i && i > 0) {
                    break; // no empty line after a final newline
                }
                out.add(clean(seg, start, i, number++));
                start = i + 1;
            }
        }
        return out;
    }

    /** Cleans the bytes {@code [start, end)} of {@code seg} (one line, without its {@code \n}). */
    public static LogLine clean(MemorySegment seg, long start, long end, int number) {
        int len = (int) Math.min(end - start, 1 << 20);
        byte[] b = new byte[len];
        int n = 0;
        for (int i = 0; i < len; i++) {
            byte c = seg.get(ValueLayout.JAVA_BYTE, start + i);
            if (c != '\r') {
                b[n++] = c;
            }
        }
        return clean(b, n, number);
    }

    /** Cleans {@code b[0, n)}, a line without {@code \r} and {@code \n}. */
    static LogLine clean(byte[] b, int n, int number) {
        Prefix px = new Prefix();
        prefix(b, n, px);
        return new LogLine(number, decode(b, px.textStart, n), px.context);
    }

    /** Where a line's kernel text starts and which printk context printed it. */
    static final class Prefix {
        int textStart;
        String context;
    }

    /** Parses the prefixes of {@code b[0, n)} (no {@code \r}, no {@code \n}) into {@code out}. */
    static void prefix(byte[] b, int n, Prefix out) {
        // the common case first: a printk timestamp at the start of the line
        if (n > 0 && b[0] == '[') {
            int t = timestamp(b, 0, n);
            if (t > 0) {
                String context = LogLine.CONSOLE;
                int c = caller(b, t, n);
                if (c > t) {
                    context = callerId(b, t, c);
                    t = c;
                }
                out.textStart = t < n && b[t] == ' ' ? t + 1 : t;
                out.context = context;
                return;
            }
        }
        int p = 0;
        String context = "";
        boolean progress = true;
        while (progress && p < n) {
            progress = false;
            int q;
            if ((q = syslogPrefix(b, p, n)) > p
                    || (q = logLevel(b, p, n)) > p
                    || (q = skipLiteral(b, p, n, "** ")) > p && (q = droppedMessages(b, p, n)) > p
                    || (q = dmesgTime(b, p, n)) > p) {
                p = q;
                progress = true;
                continue;
            }
            if (p < n && b[p] == '[') {
                int t = timestamp(b, p, n);
                if (t > p) {
                    context = LogLine.CONSOLE;
                    p = t;
                    int c = caller(b, p, n);
                    if (c > p) {
                        context = callerId(b, p, c);
                        p = c;
                    }
                    if (p < n && b[p] == ' ') {
                        p++;
                    }
                    break; // the kernel's text starts here
                }
                int c = caller(b, p, n);
                if (c > p) {
                    context = callerId(b, p, c);
                    p = c;
                    if (p < n && b[p] == ' ') {
                        p++;
                    }
                    break;
                }
            }
            int login = loginPrompt(b, p, n);
            if (login > p) {
                p = login;
                progress = true;
            }
        }
        out.textStart = p;
        out.context = context;
    }

    /** UTF-8 (the JDK's decoder copies ASCII, nearly every console line, at memory speed). */
    static String decode(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.UTF_8);
    }

    /** {@link #decode}, for bytes known to be ASCII (their UTF-8 and Latin-1 decodings are the same). */
    static String decode(byte[] b, int from, int to, boolean ascii) {
        return ascii ? new String(b, from, to - from, StandardCharsets.ISO_8859_1) : decode(b, from, to);
    }

    /** {@code [ 123.456789]}: returns the index after {@code ]}, or {@code p}. */
    private static int timestamp(byte[] b, int p, int n) {
        int i = p + 1;
        while (i < n && b[i] == ' ') {
            i++;
        }
        int d = i;
        while (i < n && isDigit(b[i])) {
            i++;
        }
        if (i == d || i >= n || b[i] != '.') {
            return p;
        }
        i++;
        d = i;
        while (i < n && isDigit(b[i])) {
            i++;
        }
        if (i == d || i >= n || b[i] != ']') {
            return p;
        }
        return i + 1;
    }

    /** {@code [T123]}, {@code [ C1]}: returns the index after {@code ]}, or {@code p}. */
    private static int caller(byte[] b, int p, int n) {
        if (p >= n || b[p] != '[') {
            return p;
        }
        int i = p + 1;
        while (i < n && b[i] == ' ') {
            i++;
        }
        if (i >= n || b[i] != 'T' && b[i] != 'C') {
            return p;
        }
        i++;
        int d = i;
        while (i < n && isDigit(b[i])) {
            i++;
        }
        if (i == d || i >= n || b[i] != ']') {
            return p;
        }
        return i + 1;
    }

    private static final String[] TASK_IDS = new String[1 << 16];
    private static final String[] CPU_IDS = new String[1 << 10];

    /** The caller id as a string; the common small ids are made once (racy but benign: equal strings). */
    private static String callerId(byte[] b, int p, int end) {
        int i = p + 1;
        while (b[i] == ' ') {
            i++;
        }
        boolean task = b[i] == 'T';
        int id = 0;
        for (int k = i + 1; k < end - 1 && id < 1 << 20; k++) {
            id = id * 10 + (b[k] - '0');
        }
        String[] cache = task ? TASK_IDS : CPU_IDS;
        if (end - 1 - i > 8 || id >= cache.length || b[i + 1] == '0' && end - 1 - i > 2) {
            return new String(b, i, end - 1 - i, StandardCharsets.ISO_8859_1);
        }
        String s = cache[id];
        if (s == null) {
            s = new String(b, i, end - 1 - i, StandardCharsets.ISO_8859_1);
            cache[id] = s;
        }
        return s;
    }

    /** {@code <4>} */
    private static int logLevel(byte[] b, int p, int n) {
        if (p + 2 < n && b[p] == '<' && isDigit(b[p + 1])) {
            int i = p + 1;
            while (i < n && i < p + 4 && isDigit(b[i])) {
                i++;
            }
            if (i < n && b[i] == '>') {
                return i + 1;
            }
        }
        return p;
    }

    /** {@code ** 12 printk messages dropped ** } */
    private static int droppedMessages(byte[] b, int p, int n) {
        int end = indexOf(b, p + 3, Math.min(n, p + 64), " **");
        if (end < 0 || indexOf(b, p, end, "printk messages dropped") < 0) {
            return p;
        }
        end += 3;
        return end < n && b[end] == ' ' ? end + 1 : end;
    }

    /** {@code [Sun Nov 22 10:00:01 2026] } as printed by {@code dmesg -T}. */
    private static int dmesgTime(byte[] b, int p, int n) {
        if (p + 26 > n || b[p] != '[' || !isUpper(b[p + 1]) || b[p + 4] != ' ') {
            return p;
        }
        int close = indexOf(b, p, Math.min(n, p + 40), "]");
        if (close < 0 || close < p + 20 || b[close - 5] != ' ' || !isDigit(b[close - 1])) {
            return p;
        }
        return close + 1 < n && b[close + 1] == ' ' ? close + 2 : close + 1;
    }

    /**
     * {@code Nov 22 10:00:01 host kernel: }, {@code 2026-11-22T10:00:01.123+00:00 host kernel: } or a
     * bare {@code kernel: }. Another program's line keeps its {@code prog: } (it is not the kernel's).
     */
    private static int syslogPrefix(byte[] b, int p, int n) {
        int i = -1;
        if (p + 16 < n && isUpper(b[p]) && isLower(b[p + 1]) && isLower(b[p + 2]) && b[p + 3] == ' '
                && (b[p + 4] == ' ' || isDigit(b[p + 4])) && isDigit(b[p + 5]) && b[p + 6] == ' '
                && isDigit(b[p + 7]) && isDigit(b[p + 8]) && b[p + 9] == ':' && b[p + 12] == ':') {
            i = p + 15; // after "Nov 22 10:00:01"
            while (i < n && b[i] != ' ') {
                i++; // sub-second digits some daemons add
            }
        } else if (p + 19 < n && isDigit(b[p]) && isDigit(b[p + 3]) && b[p + 4] == '-' && b[p + 7] == '-'
                && (b[p + 10] == 'T' || b[p + 10] == ' ') && b[p + 13] == ':' && b[p + 16] == ':') {
            i = p + 19;
            while (i < n && b[i] != ' ') {
                i++; // fraction and zone
            }
        } else if (startsWith(b, p, n, "kernel: ")) {
            return p + 8;
        }
        if (i < 0 || i >= n) {
            return p;
        }
        i++; // space before the host name
        int hostEnd = i;
        while (hostEnd < n && b[hostEnd] != ' ') {
            hostEnd++;
        }
        if (hostEnd >= n) {
            return p;
        }
        int prog = hostEnd + 1;
        if (startsWith(b, prog, n, "kernel: ")) {
            return prog + 8;
        }
        if (startsWith(b, prog, n, "kernel:")) {
            return prog + 7;
        }
        return prog; // another program's message: keep "prog[pid]: text"
    }

    /** A shell prompt glued in front of a printk line: {@code syzkaller login: [   3.2] ...}. */
    private static int loginPrompt(byte[] b, int p, int n) {
        int at = indexOf(b, p, Math.min(n, p + 200), " login: [");
        if (at < 0) {
            return p;
        }
        int q = at + 8;
        return timestamp(b, q, n) > q ? q : p;
    }

    private static int skipLiteral(byte[] b, int p, int n, String lit) {
        return startsWith(b, p, n, lit) ? p + lit.length() : p;
    }

    static boolean startsWith(byte[] b, int p, int n, String lit) {
        if (p + lit.length() > n) {
            return false;
        }
        for (int i = 0; i < lit.length(); i++) {
            if (b[p + i] != lit.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static int indexOf(byte[] b, int from, int to, String lit) {
        outer:
        for (int i = from; i + lit.length() <= to; i++) {
            for (int j = 0; j < lit.length(); j++) {
                if (b[i + j] != lit.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isUpper(byte c) {
        return c >= 'A' && c <= 'Z';
    }

    private static boolean isLower(byte c) {
        return c >= 'a' && c <= 'z';
    }
}
