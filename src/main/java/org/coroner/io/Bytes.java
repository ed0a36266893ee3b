package org.coroner.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Random-access reads from a {@link MemorySegment} in one byte order. Cheap to create: a view, no
 * copy. Offsets are longs so segments larger than 2 GiB work.
 */
public final class Bytes {
    /*
     * Reads go through VarHandles held in static finals: the JIT then inlines the access down to a
     * bounds check and a load, also in C1 (the launcher's start-up compiler), which does not see
     * through a layout kept in a field (MemorySegment.get(layout, off) with the layout in a field
     * costs a dozen calls per read there).
     */
    private static final VarHandle U8 = ValueLayout.JAVA_BYTE.varHandle();
    private static final VarHandle S_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle I_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle L_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle S_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN).varHandle();
    private static final VarHandle I_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN).varHandle();
    private static final VarHandle L_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN).varHandle();

    private final MemorySegment seg;
    /** The same bytes as a buffer when they fit one (C1 compiles buffer reads to a load), else null. */
    private final java.nio.ByteBuffer buf;
    private final boolean le;
    private final ByteOrder order;

    public Bytes(MemorySegment seg, ByteOrder order) {
        this.seg = seg;
        this.order = order;
        this.le = order == ByteOrder.LITTLE_ENDIAN;
        this.buf = seg.byteSize() <= Integer.MAX_VALUE ? seg.asByteBuffer().order(order) : null;
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
        if (buf != null) {
            return buf.get(index(off)) & 0xff;
        }
        return (byte) U8.get(seg, off) & 0xff;
    }

    public int u16(long off) {
        if (buf != null) {
            return buf.getShort(index(off)) & 0xffff;
        }
        return (le ? (short) S_LE.get(seg, off) : (short) S_BE.get(seg, off)) & 0xffff;
    }

    public long u32(long off) {
        return s32(off) & 0xffffffffL;
    }

    public int s32(long off) {
        if (buf != null) {
            return buf.getInt(index(off));
        }
        return le ? (int) I_LE.get(seg, off) : (int) I_BE.get(seg, off);
    }

    public long u64(long off) {
        if (buf != null) {
            return buf.getLong(index(off));
        }
        return le ? (long) L_LE.get(seg, off) : (long) L_BE.get(seg, off);
    }

    /** A buffer index; an offset beyond the bytes fails as the segment would. */
    private int index(long off) {
        if (off < 0 || off > Integer.MAX_VALUE) {
            throw new IndexOutOfBoundsException("offset " + off + " out of " + seg.byteSize() + " bytes");
        }
        return (int) off;
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

    /** {@code n} consecutive 32-bit values from {@code off}, in one bulk copy. */
    public int[] s32s(long off, int n) {
        int[] out = new int[n];
        MemorySegment.copy(seg, ValueLayout.JAVA_INT_UNALIGNED.withOrder(order), off, out, 0, n);
        return out;
    }

    /** {@code n} consecutive 16-bit values from {@code off}, in one bulk copy. */
    public short[] s16s(long off, int n) {
        short[] out = new short[n];
        MemorySegment.copy(seg, ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order), off, out, 0, n);
        return out;
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
        while (end < size && (byte) U8.get(seg, end) != 0) {
            end++;
        }
        return new String(bytes(off, (int) (end - off)), StandardCharsets.UTF_8);
    }

    /** Length of the NUL-terminated string at {@code off}, without the NUL. */
    public long cstringLength(long off) {
        long end = off;
        long size = seg.byteSize();
        while (end < size && (byte) U8.get(seg, end) != 0) {
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
            if ((byte) U8.get(seg, off + k) != (byte) ascii.charAt(k)) {
                return false;
            }
        }
        return (byte) U8.get(seg, off + n) == 0;
    }
}
