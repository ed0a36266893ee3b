package org.coroner.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Random-access reads from a {@link MemorySegment} in one byte order. Cheap to create: a view, no
 * copy. Offsets are longs so segments larger than 2 GiB work.
 */
public final class Bytes {
    private static final ValueLayout.OfShort S_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong L_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort S_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt I_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong L_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final MemorySegment seg;
    private final ValueLayout.OfShort s;
    private final ValueLayout.OfInt i;
    private final ValueLayout.OfLong l;
    private final ByteOrder order;

    public Bytes(MemorySegment seg, ByteOrder order) {
        this.seg = seg;
        this.order = order;
        boolean le = order == ByteOrder.LITTLE_ENDIAN;
        this.s = le ? S_LE : S_BE;
        this.i = le ? I_LE : I_BE;
        this.l = le ? L_LE : L_BE;
    }

    public static Bytes le(MemorySegment seg) {
        return new Bytes(seg, ByteOrder.LITTLE_ENDIAN);
    }

    public static Bytes of(byte[] data, ByteOrder order) {
        return new Bytes(MemorySegment.ofArray(data), order);
    }

    public MemorySegment segment() {
        return seg;
    }

    public ByteOrder order() {
        return order;
    }

    public long size() {
        return seg.byteSize();
    }

    public Bytes slice(long offset, long length) {
        return new Bytes(seg.asSlice(offset, length), order);
    }

    public int u8(long off) {
        return seg.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }

    public int u16(long off) {
        return seg.get(s, off) & 0xffff;
    }

    public long u32(long off) {
        return seg.get(i, off) & 0xffffffffL;
    }

    public int s32(long off) {
        return seg.get(i, off);
    }

    public long u64(long off) {
        return seg.get(l, off);
    }

    /** An unsigned value of 1, 2, 4 or 8 bytes. */
    public long uN(long off, int size) {
        return switch (size) {
            case 1 -> u8(off);
            case 2 -> u16(off);
            case 4 -> u32(off);
            case 8 -> u64(off);
            default -> throw new IllegalArgumentException("size " + size);
        };
    }

    public byte[] bytes(long off, int len) {
        byte[] b = new byte[len];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, off, b, 0, len);
        return b;
    }

    /** The NUL-terminated string at {@code off} (to the end of the segment if unterminated), as UTF-8. */
    public String cstring(long off) {
        long end = off;
        long size = seg.byteSize();
        while (end < size && seg.get(ValueLayout.JAVA_BYTE, end) != 0) {
            end++;
        }
        return new String(bytes(off, (int) (end - off)), StandardCharsets.UTF_8);
    }

    /** Length of the NUL-terminated string at {@code off}, without the NUL. */
    public long cstringLength(long off) {
        long end = off;
        long size = seg.byteSize();
        while (end < size && seg.get(ValueLayout.JAVA_BYTE, end) != 0) {
            end++;
        }
        return end - off;
    }

    /** True when the string at {@code off} equals {@code ascii} followed by NUL. No allocation. */
    public boolean cstringEquals(long off, String ascii) {
        int n = ascii.length();
        if (off + n >= seg.byteSize()) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            if (seg.get(ValueLayout.JAVA_BYTE, off + k) != (byte) ascii.charAt(k)) {
                return false;
            }
        }
        return seg.get(ValueLayout.JAVA_BYTE, off + n) == 0;
    }
}
