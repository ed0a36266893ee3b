package org.coroner.oops;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Reads a segment line by line into one reusable buffer (bulk copies, {@code \r} dropped), so the
 * report window pays no allocation for lines it only looks at.
 */
final class LineReader {
    private static final int CHUNK = 160; // most console lines fit: one copy per line
    /** Lines longer than this are cut (their rest is skipped): a console line is far shorter. */
    static final int MAX_LINE = 1 << 16;

    private final MemorySegment seg;
    private final long size;
    private long pos;
    byte[] buf = new byte[1024];
    /** Bytes of the current line in {@link #buf}. */
    int len;
    /** Offsets of the current line in the segment: its start and its {@code \n} (or the end). */
    long start;
    long end;

    LineReader(MemorySegment seg, long pos) {
        this.seg = seg;
        this.size = seg.byteSize();
        this.pos = pos;
    }

    boolean hasNext() {
        return pos < size;
    }

    /** Offset of the line {@link #next()} reads. */
    long position() {
        return pos;
    }

    private boolean sawCarriageReturn;

    void next() {
        start = pos;
        len = 0;
        sawCarriageReturn = false;
        long p = pos;
        while (p < size) {
            int n = (int) Math.min(CHUNK, size - p);
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, p, buf, len, n);
            int nl = -1;
            for (int i = len; i < len + n; i++) {
                byte c = buf[i];
                if (c == '\n') {
                    nl = i;
                    break;
                }
                if (c == '\r') {
                    sawCarriageReturn = true;
                }
            }
            if (nl >= 0) {
                p += nl - len;
                len = nl;
                end = p;
                pos = p + 1;
                dropCarriageReturns();
                return;
            }
            len += n;
            p += n;
            if (len > MAX_LINE) {
                len = MAX_LINE;
            }
        }
        end = size;
        pos = size;
        dropCarriageReturns();
    }

    private void dropCarriageReturns() {
        if (!sawCarriageReturn) {
            return;
        }
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
