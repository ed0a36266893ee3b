package org.coroner.dump;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The logical bytes of a dump file: the file itself, or the file a flattened stream describes.
 * Reads report how much was there rather than failing, so callers can name what is missing.
 */
interface DumpBytes {
    /** Copies up to {@code len} bytes at logical offset {@code off}; returns how many were present contiguously from {@code off}. */
    int read(long off, byte[] dst, int dstOff, int len);

    /** Logical size (the end of the last byte present). */
    long size();

    /** Explains why the byte at {@code off} is missing, e.g. "past end of file (0x1000 bytes)". */
    String whyMissing(long off);

    /** A file read in place. */
    static DumpBytes of(MemorySegment seg) {
        return new DumpBytes() {
            @Override
            public int read(long off, byte[] dst, int dstOff, int len) {
                long size = seg.byteSize();
                if (off < 0 || off >= size) {
                    return 0;
                }
                int n = (int) Math.min(len, size - off);
                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, off, dst, dstOff, n);
                return n;
            }

            @Override
            public long size() {
                return seg.byteSize();
            }

            @Override
            public String whyMissing(long off) {
                return "past end of file (0x" + Long.toHexString(seg.byteSize()) + " bytes)";
            }
        };
    }
}
