package org.coroner.oops;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which of a few dozen words a line holds, in one pass over its bytes, as a bit mask: the finder
 * reads every line near a report, and most of its questions of a line ("a header?", "a stack trace
 * starts here?", "the kernel's end marker?") have the answer no, which one bit test then gives
 * instead of a search of the text for each word.
 *
 * <p>A word of seven bytes or more is found by probing only every fourth position: whatever the
 * word's alignment, one probe lands on one of four consecutive 4-byte pieces of it, and those four
 * are indexed (in a 64 Kibit table of hashed 4-byte values; a hit compares the whole word). The
 * four are the word's least common ones (fewest lowercase letters and digits), so the file paths
 * and function names of frame lines rarely hit. A shorter word must end in {@code :} (the headers
 * {@code BUG:}, {@code INFO:}, ...): those are found at each colon, which the same 4-byte loads
 * locate without a branch per byte. The words are ASCII and a line's text is its UTF-8 bytes
 * decoded, so a word is in the bytes exactly when it is in the text.
 */
final class LineWords {
    /** A report header, or a line the report window must notice ({@link ReportFinder}'s prefilter words). */
    static final long HEADER = 1;
    /** A word every line that starts a stack trace holds ({@link StackRules#STACK_START_WORDS}). */
    static final long STACK_START = 1 << 1;
    /** {@code should_fail}: fault-injection frames ({@link StackRules#isCorruptedLine}). */
    static final long SHOULD_FAIL = 1 << 2;
    /** {@code ---[ end }: the kernel's end-of-report markers. */
    static final long END_MARKER = 1 << 3;
    /** What a line of unknown words is taken to hold: everything, so every precise check runs. */
    static final long UNKNOWN = -1L;
    /** Words shorter than this are found at their final colon. */
    static final int MIN_PROBED = 7;
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int ONES = 0x01010101;
    private static final int HIGHS = 0x80808080;
    private static final int COLONS = ONES * ':';

    private final long[] table = new long[1024];
    /** By hash slot: the words one of whose indexed pieces hashes there, the piece's offset in the word, its bit. */
    private final byte[][][] words = new byte[1 << 16][][];
    private final int[][] offsets = new int[1 << 16][];
    private final long[][] bits = new long[1 << 16][];
    /** The hashed last four bytes of the short words, which most colons of a line (file:line) fail. */
    private final long[] shortTable = new long[1024];
    /** The short words (each ending in a colon) and their bits. */
    private final byte[][] shortWords;
    private final long[] shortBits;

    /** {@code bitOf.get(i)} is the bit {@code words.get(i)} sets. */
    LineWords(List<String> words, List<Long> bitOf) {
        List<byte[]> shorts = new ArrayList<>();
        List<Long> shortBitList = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            byte[] b = words.get(i).getBytes(StandardCharsets.ISO_8859_1);
            if (b.length < MIN_PROBED) {
                if (b.length < 4 || b[b.length - 1] != ':') {
                    throw new IllegalArgumentException("a word shorter than " + MIN_PROBED + " bytes must end in ':': "
                            + words.get(i));
                }
                shorts.add(b);
                shortBitList.add(bitOf.get(i));
                int s = slot(last4(b, b.length - 4));
                shortTable[s >>> 6] |= 1L << s;
                continue;
            }
            int k = rarestWindow(b);
            for (int o = k; o < k + 4; o++) {
                int s = slot(last4(b, o));
                table[s >>> 6] |= 1L << s;
                byte[][] old = this.words[s];
                int n = old == null ? 0 : old.length;
                this.words[s] = old == null ? new byte[1][] : Arrays.copyOf(old, n + 1);
                this.words[s][n] = b;
                this.offsets[s] = old == null ? new int[1] : Arrays.copyOf(this.offsets[s], n + 1);
                this.offsets[s][n] = o;
                this.bits[s] = old == null ? new long[1] : Arrays.copyOf(this.bits[s], n + 1);
                this.bits[s][n] = bitOf.get(i);
            }
        }
        this.shortWords = shorts.toArray(new byte[0][]);
        this.shortBits = shortBitList.stream().mapToLong(Long::longValue).toArray();
    }

    /** The start of the four consecutive 4-byte pieces of {@code w} with the fewest lowercase letters and digits. */
    private static int rarestWindow(byte[] w) {
        int best = 0;
        int bestScore = Integer.MAX_VALUE;
        for (int k = 0; k + 7 <= w.length; k++) {
            int score = 0;
            for (int j = k; j < k + 7; j++) {
                byte c = w[j];
                score += c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ? 1 : 0;
            }
            if (score < bestScore) {
                best = k;
                bestScore = score;
            }
        }
        return best;
    }

    private static int last4(byte[] b, int o) {
        return b[o] & 0xff | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
    }

    static int slot(int word) {
        return (word * 0x9E3779B1) >>> 16;
    }

    /** Whether a 4-byte piece of this hash may be one of a word's indexed pieces. */
    boolean probeHits(int slot) {
        return (table[slot >>> 6] & 1L << slot) != 0;
    }

    /**
     * {@link #scan}, from what {@link LineReader} found while reading {@code r.buf}: its probes lie
     * every four bytes from offset 0, so they cover {@code [from, to)} as {@link #scan}'s do.
     */
    long scan(LineReader r, int from, int to) {
        if (!r.probed) {
            return scan(r.buf, from, to);
        }
        byte[] b = r.buf;
        long mask = 0;
        for (int i = 0; i < r.probes; i++) {
            mask |= verify(b, r.probeAt[i], from, to, r.probeSlot[i]);
        }
        if (shortWords.length > 0) {
            for (int i = 0; i < r.colons; i++) {
                int at = r.colonAt[i];
                if (at < to && b[at] == ':') {
                    mask |= shortWordsEndingAt(b, from, at);
                }
            }
        }
        return mask;
    }

    /** The bits of the words {@code b[from, to)} holds. */
    long scan(byte[] b, int from, int to) {
        long[] t = table;
        boolean colons = shortWords.length > 0;
        long mask = 0;
        int p = from;
        for (int last = to - 4; p <= last; p += 4) {
            int v = (int) INT.get(b, p);
            int s = slot(v);
            if ((t[s >>> 6] & 1L << s) != 0) {
                mask |= verify(b, p, from, to, s);
            }
            int x = v ^ COLONS;
            if (colons && ((x - ONES) & ~x & HIGHS) != 0) { // a colon among these four bytes (maybe)
                for (int i = p; i < p + 4; i++) {
                    if (b[i] == ':') {
                        mask |= shortWordsEndingAt(b, from, i);
                    }
                }
            }
        }
        for (; colons && p < to; p++) {
            if (b[p] == ':') {
                mask |= shortWordsEndingAt(b, from, p);
            }
        }
        return mask;
    }

    private long shortWordsEndingAt(byte[] b, int from, int colon) {
        if (colon - 3 < from) {
            return 0;
        }
        int s = slot((int) INT.get(b, colon - 3));
        if ((shortTable[s >>> 6] & 1L << s) == 0) {
            return 0;
        }
        long mask = 0;
        outer:
        for (int k = 0; k < shortWords.length; k++) {
            byte[] w = shortWords[k];
            int start = colon - w.length + 1;
            if (start < from) {
                continue;
            }
            for (int j = 0; j < w.length - 1; j++) {
                if (b[start + j] != w[j]) {
                    continue outer;
                }
            }
            mask |= shortBits[k];
        }
        return mask;
    }

    private long verify(byte[] b, int p, int from, int to, int s) {
        byte[][] ws = words[s];
        int[] os = offsets[s];
        long mask = 0;
        outer:
        for (int k = 0; k < ws.length; k++) {
            byte[] w = ws[k];
            int start = p - os[k];
            if (start < from || start + w.length > to) {
                continue;
            }
            for (int j = 0; j < w.length; j++) {
                if (b[start + j] != w[j]) {
                    continue outer;
                }
            }
            mask |= bits[s][k];
        }
        return mask;
    }

    /** Words and their bits, for building one. */
    static final class Builder {
        private final List<String> words = new ArrayList<>();
        private final List<Long> bits = new ArrayList<>();

        Builder add(long bit, List<String> ws) {
            for (String w : ws) {
                words.add(w);
                bits.add(bit);
            }
            return this;
        }

        LineWords build() {
            return new LineWords(words, bits);
        }
    }
}
