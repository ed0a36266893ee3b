package org.coroner.oops;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds, at byte level, the lines that contain a report header ("BUG:", "WARNING:", "Kernel panic",
 * ...). Every position costs one unaligned 4-byte load and one probe of a 64 Kibit table of the
 * headers' first four bytes; only a probe hit compares whole headers. Nothing is decoded or cleaned
 * here, so a multi-gigabyte log without reports is scanned at memory speed.
 */
final class HeaderPrefilter {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private final long[] table = new long[1024];
    /** Headers by hash slot (only slots that are set), as bytes. */
    private final byte[][][] bySlot = new byte[1 << 16][][];

    HeaderPrefilter(List<String> headers) {
        for (String h : headers) {
            byte[] b = h.getBytes(StandardCharsets.ISO_8859_1);
            if (b.length < 4) {
                throw new IllegalArgumentException("header too short for the prefilter: " + h);
            }
            int slot = slot(b[0] & 0xff | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24);
            table[slot >>> 6] |= 1L << slot;
            byte[][] old = bySlot[slot];
            byte[][] grown = old == null ? new byte[1][] : Arrays.copyOf(old, old.length + 1);
            grown[grown.length - 1] = b;
            bySlot[slot] = grown;
        }
    }

    static HeaderPrefilter forCatalog() {
        List<String> headers = new ArrayList<>();
        for (var o : OopsCatalog.ALL) {
            headers.add(o.header());
        }
        return new HeaderPrefilter(headers);
    }

    private static int slot(int word) {
        return (word * 0x9E3779B1) >>> 16;
    }

    /** A scan position: byte offset and the 1-based number of the line it is in. */
    static final class Cursor {
        long offset;
        int line;
        long lineStart;

        Cursor(long offset, int line) {
            this.offset = offset;
            this.line = line;
            this.lineStart = offset;
        }
    }

    /**
     * Advances {@code c} to the start of the next line at or after {@code c.offset} that contains a
     * header and returns true, or to the end of {@code seg} and returns false. {@code c.offset} must
     * be at a line start.
     */
    boolean nextCandidateLine(MemorySegment seg, Cursor c) {
        long size = seg.byteSize();
        long i = c.offset;
        int line = c.line;
        long lineStart = i;
        long end4 = size - 3;
        while (i < end4) {
            int w = seg.get(INT, i);
            if ((w & 0xff) == '\n') {
                line++;
                lineStart = ++i;
                continue;
            }
            int s = slot(w);
            if ((table[s >>> 6] & 1L << s) != 0 && matchesAt(seg, i, bySlot[s])) {
                c.offset = lineStart;
                c.lineStart = lineStart;
                c.line = line;
                return true;
            }
            i++;
        }
        for (; i < size; i++) {
            if (seg.get(ValueLayout.JAVA_BYTE, i) == '\n') {
                line++;
            }
        }
        c.offset = size;
        c.line = line;
        return false;
    }

    /** Whether {@code [start, end)} contains a header. */
    boolean lineHasCandidate(MemorySegment seg, long start, long end) {
        long end4 = end - 3;
        for (long i = start; i < end4; i++) {
            int s = slot(seg.get(INT, i));
            if ((table[s >>> 6] & 1L << s) != 0 && matchesAt(seg, i, bySlot[s])) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesAt(MemorySegment seg, long i, byte[][] candidates) {
        if (candidates == null) {
            return false;
        }
        long size = seg.byteSize();
        outer:
        for (byte[] h : candidates) {
            if (i + h.length > size) {
                continue;
            }
            for (int k = 4; k < h.length; k++) {
                if (seg.get(ValueLayout.JAVA_BYTE, i + k) != h[k]) {
                    continue outer;
                }
            }
            // the first four bytes only hashed alike: compare them too
            for (int k = 0; k < 4; k++) {
                if (seg.get(ValueLayout.JAVA_BYTE, i + k) != h[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
