package org.coroner.io;

/**
 * A sequential reader over {@link Bytes}: fixed-size integers, LEB128 and C strings, advancing a
 * position. One per parse; not thread-safe (cheap to create).
 */
public final class Cursor {
    private final Bytes b;
    private long pos;

    public Cursor(Bytes b, long pos) {
        this.b = b;
        this.pos = pos;
    }

    public Bytes bytes() {
        return b;
    }

    public long pos() {
        return pos;
    }

    public Cursor seek(long p) {
        this.pos = p;
        return this;
    }

    public Cursor skip(long n) {
        pos += n;
        return this;
    }

    public boolean atEnd() {
        return pos >= b.size();
    }

    public long remaining() {
        return b.size() - pos;
    }

    public int u8() {
        return b.u8(pos++);
    }

    public int u16() {
        int v = b.u16(pos);
        pos += 2;
        return v;
    }

    public long u24() {
        long v;
        if (b.order() == java.nio.ByteOrder.LITTLE_ENDIAN) {
            v = b.u8(pos) | (b.u8(pos + 1) << 8) | ((long) b.u8(pos + 2) << 16);
        } else {
            v = ((long) b.u8(pos) << 16) | (b.u8(pos + 1) << 8) | b.u8(pos + 2);
        }
        pos += 3;
        return v;
    }

    public long u32() {
        long v = b.u32(pos);
        pos += 4;
        return v;
    }

    public int s32() {
        int v = b.s32(pos);
        pos += 4;
        return v;
    }

    public long u64() {
        long v = b.u64(pos);
        pos += 8;
        return v;
    }

    public long uN(int size) {
        long v = b.uN(pos, size);
        pos += size;
        return v;
    }

    /** A signed value of 1, 2, 4 or 8 bytes, sign-extended. */
    public long sN(int size) {
        long v = b.uN(pos, size);
        pos += size;
        int shift = 64 - size * 8;
        return (v << shift) >> shift;
    }

    public long uleb() {
        long result = 0;
        int shift = 0;
        while (true) {
            int x = b.u8(pos++);
            if (shift < 64) {
                result |= (long) (x & 0x7f) << shift;
            }
            if ((x & 0x80) == 0) {
                return result;
            }
            shift += 7;
        }
    }

    public long sleb() {
        long result = 0;
        int shift = 0;
        int x;
        do {
            x = b.u8(pos++);
            if (shift < 64) {
                result |= (long) (x & 0x7f) << shift;
            }
            shift += 7;
        } while ((x & 0x80) != 0);
        if (shift < 64 && (x & 0x40) != 0) {
            result |= -1L << shift;
        }
        return result;
    }

    public void skipUleb() {
        while ((b.u8(pos++) & 0x80) != 0) {
            // continuation bytes
        }
    }

    public String cstring() {
        long len = b.cstringLength(pos);
        String s = b.cstring(pos);
        pos += len + 1;
        return s;
    }

    public byte[] bytes(int n) {
        byte[] r = b.bytes(pos, n);
        pos += n;
        return r;
    }
}
