package org.coroner.oops;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Reads a segment line by line into one reusable buffer ({@code \r} dropped), so the report window
 * pays no allocation for lines it only looks at. The {@code \n} is searched eight bytes at a time,
 * and the same eight-byte loads fill the buffer: each byte is read once.
 */
final class LineReader {
    /** Lines longer than this are cut (their rest is skipped): a console line is far shorter. */
    static final int MAX_LINE = 1 << 16;

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_ARRAY = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long NEWLINES = ONES * '\n';
    private static final long RETURNS = ONES * '\r';
    private static final long COLONS = ONES * ':';
    /** Bytes below 14: {@code \n} and {@code \r} are among them, text bytes are not. */
    private static final long BELOW_14 = ONES * 14;

    private final MemorySegment seg;
    private final long size;
    private long pos;
    /** The current line's bytes, then whatever the last eight-byte store left behind. */
    byte[] buf = new byte[1024];
    /** Bytes of the current line in {@link #buf}. */
    int len;
    /** Offsets of the current line in the segment: its start and its {@code \n} (or the end). */
    long start;
    long end;
    /** The line is ASCII (when false it may still be). */
    boolean ascii;
    /**
     * With {@link LineWords}: whether the probes below are valid for the line in {@link #buf} (false
     * after a {@code \r} was dropped or at the file's last bytes: then scan the buffer instead).
     */
    boolean probed;
    /** Buffer offsets of the 4-byte pieces whose hash the words' table holds, and the hashes. */
    int[] probeAt = new int[16];
    int[] probeSlot = new int[16];
    int probes;
    /** Buffer offsets of colons (and above a colon within its eight bytes, maybe of other bytes). */
    int[] colonAt = new int[16];
    int colons;
    private final LineWords words;

    LineReader(MemorySegment seg, long pos) {
        this(seg, pos, null);
    }

    /**
     * With {@code words}, each line is probed for them while it is read, from the eight-byte loads
     * that copy it: scanning the copy afterwards would load it back while those stores are still
     * in flight, which costs a store-forwarding stall per load that straddles two of them.
     */
    LineReader(MemorySegment seg, long pos, LineWords words) {
        this.seg = seg;
        this.size = seg.byteSize();
        this.pos = pos;
        this.words = words;
    }

    boolean hasNext() {
        return pos < size;
    }

    /** Offset of the line {@link #next()} reads. */
    long position() {
        return pos;
    }

    /** Reads on from {@code offset} (a line start). */
    void seek(long offset) {
        pos = offset;
    }

    /** Reads the next line. */
    void next() {
        start = pos;
        long p = pos;
        long nl = -1;
        boolean cr = false;
        int k = 0; // bytes stored in buf
        byte[] b = buf;
        long high = 0;
        LineWords lw = words;
        probes = 0;
        colons = 0;
        probed = lw != null;
        for (long last = size - 8; p <= last; p += 8) {
            long w = seg.get(LONG, p);
            if (k + 8 > b.length && k < MAX_LINE) {
                b = buf = Arrays.copyOf(b, Math.max(b.length * 2, k + 8));
            }
            if (k < MAX_LINE) {
                LONG_ARRAY.set(b, k, w);
                if (lw != null) {
                    probe(lw, w, k);
                }
                k += 8;
            }
            high |= w;
            if (((w - BELOW_14) & ~w & HIGHS) == 0) {
                continue; // no control byte: neither \n nor \r
            }
            long n = equalBytes(w, NEWLINES);
            long r = equalBytes(w, RETURNS);
            if (n != 0) {
                // the lowest set bit is always a true match: bits above one may be false
                cr |= r != 0 && Long.numberOfTrailingZeros(r) < Long.numberOfTrailingZeros(n);
                nl = p + (Long.numberOfTrailingZeros(n) >>> 3);
                break;
            }
            cr |= r != 0;
        }
        if (nl < 0) {
            probed = false; // the last bytes are copied one by one, unprobed
            for (; p < size; p++) {
                byte c = seg.get(ValueLayout.JAVA_BYTE, p);
                if (c == '\n') {
                    nl = p;
                    break;
                }
                cr |= c == '\r';
                high |= c;
                if (k < MAX_LINE) {
                    if (k == b.length) {
                        b = buf = Arrays.copyOf(b, b.length * 2);
                    }
                    b[k++] = c;
                }
            }
        }
        end = nl < 0 ? size : nl;
        pos = nl < 0 ? size : nl + 1;
        len = (int) Math.min(end - start, MAX_LINE);
        ascii = (high & HIGHS) == 0;
        if (cr) {
            probed = false;
            dropCarriageReturns();
        }
    }

    /** Probes the eight bytes {@code w} stored at buffer offset {@code k}: two 4-byte pieces, and colons. */
    private void probe(LineWords lw, long w, int k) {
        int s0 = LineWords.slot((int) w);
        int s1 = LineWords.slot((int) (w >>> 32));
        if (lw.probeHits(s0)) {
            addProbe(k, s0);
        }
        if (lw.probeHits(s1)) {
            addProbe(k + 4, s1);
        }
        long c = equalBytes(w, COLONS);
        while (c != 0) {
            if (colons == colonAt.length) {
                colonAt = Arrays.copyOf(colonAt, colons * 2);
            }
            colonAt[colons++] = k + (Long.numberOfTrailingZeros(c) >>> 3);
            c &= c - 1;
        }
    }

    private void addProbe(int at, int slot) {
        if (probes == probeAt.length) {
            probeAt = Arrays.copyOf(probeAt, probes * 2);
            probeSlot = Arrays.copyOf(probeSlot, probes * 2);
        }
        probeAt[probes] = at;
        probeSlot[probes++] = slot;
    }

    /** A set high bit in each byte of {@code w} that equals the byte repeated in {@code pattern}. */
    private static long equalBytes(long w, long pattern) {
        long x = w ^ pattern;
        return (x - ONES) & ~x & HIGHS;
    }

    private void dropCarriageReturns() {
        int w = 0;
        for (int r = 0; r < len; r++) {
            byte c = buf[r];
            if (c != '\r') {
                buf[w++] = c;
            }
        }
        len = w;
    }
}
