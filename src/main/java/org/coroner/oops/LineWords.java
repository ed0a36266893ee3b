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
 * <p>Every position costs one probe of a 64 Kibit table of the words' first four bytes (eight bytes
 * are loaded at a time for four positions); only a probe hit compares whole words. The words are
 * ASCII and a line's text is its UTF-8 bytes decoded, so a word is in the bytes exactly when it is
 * in the text. Words are at least four bytes long.
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
    /** {@code <EOI>}: the end of an interrupt stack. */
    static final long EOI = 1 << 4;
    /** What a line of unknown words is taken to hold: everything, so every precise check runs. */
    static final long UNKNOWN = -1L;
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final long[] table = new long[1024];
    /** Words by hash slot, as bytes, and the bit of each. */
    private final byte[][][] words = new byte[1 << 16][][];
    private final long[][] bits = new long[1 << 16][];

    /** {@code bitOf.get(i)} is the bit {@code words.get(i)} sets. */
    LineWords(List<String> words, List<Long> bitOf) {
        for (int i = 0; i < words.size(); i++) {
            byte[] b = words.get(i).getBytes(StandardCharsets.ISO_8859_1);
            if (b.length < 4) {
                throw new IllegalArgumentException("word too short: " + words.get(i));
            }
            int s = slot(b[0] & 0xff | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24);
            table[s >>> 6] |= 1L << s;
            byte[][] old = this.words[s];
            int n = old == null ? 0 : old.length;
            this.words[s] = old == null ? new byte[1][] : Arrays.copyOf(old, n + 1);
            this.words[s][n] = b;
            this.bits[s] = old == null ? new long[1] : Arrays.copyOf(this.bits[s], n + 1);
            this.bits[s][n] = bitOf.get(i);
        }
    }

    private static int slot(int word) {
        return (word * 0x9E3779B1) >>> 16;
    }

    /** The bits of the words {@code b[from, to)} holds. */
    long scan(byte[] b, int from, int to) {
        long[] t = table;
        long mask = 0;
        int i = from;
        for (int last = to - 8; i <= last; i += 4) {
            long w = (long) LONG.get(b, i);
            int s0 = slot((int) w);
            int s1 = slot((int) (w >>> 8));
            int s2 = slot((int) (w >>> 16));
            int s3 = slot((int) (w >>> 24));
            if ((((t[s0 >>> 6] >>> s0) | (t[s1 >>> 6] >>> s1) | (t[s2 >>> 6] >>> s2) | (t[s3 >>> 6] >>> s3)) & 1) != 0) {
                mask |= verify(b, i, to, s0) | verify(b, i + 1, to, s1) | verify(b, i + 2, to, s2)
                        | verify(b, i + 3, to, s3);
            }
        }
        for (int last = to - 4; i <= last; i++) {
            mask |= verify(b, i, to, slot((int) INT.get(b, i)));
        }
        return mask;
    }

    private long verify(byte[] b, int i, int to, int s) {
        if ((table[s >>> 6] & 1L << s) == 0) {
            return 0;
        }
        byte[][] ws = words[s];
        long mask = 0;
        outer:
        for (int k = 0; k < ws.length; k++) {
            byte[] w = ws[k];
            if (i + w.length > to) {
                continue;
            }
            for (int j = 0; j < w.length; j++) {
                if (b[i + j] != w[j]) {
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
