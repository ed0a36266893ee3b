package org.coroner.dwarf;

import java.util.Arrays;

import org.coroner.io.Bytes;
import org.coroner.io.Cursor;

/**
 * `.debug_aranges` as a sorted interval index: address to the `.debug_info` offset of its unit,
 * so one address never needs a walk over `.debug_info`.
 */
public final class Aranges {
    private final long[] starts, ends, units;

    private Aranges(long[] starts, long[] ends, long[] units) {
        this.starts = starts;
        this.ends = ends;
        this.units = units;
    }

    public static Aranges parse(Bytes sec) {
        int n = 0;
        long[] s = new long[1024], e = new long[1024], u = new long[1024];
        Cursor c = new Cursor(sec, 0);
        while (c.remaining() > 4) {
            long len = c.u32();
            boolean d64 = len == 0xffffffffL;
            if (d64) len = c.u64();
            long end = c.pos() + len;
            c.u16(); // version 2
            long unit = d64 ? c.u64() : c.u32();
            int addrSize = c.u8();
            c.u8(); // segment selector size, 0 on Linux
            long hdr = c.pos() - (end - len - (d64 ? 12 : 4));
            long tupleSize = 2L * addrSize;
            long pad = (tupleSize - (hdr % tupleSize)) % tupleSize;
            c.skip(pad);
            while (c.pos() + tupleSize <= end) {
                long a = c.uN(addrSize), l = c.uN(addrSize);
                if (a == 0 && l == 0) break;
                if (l == 0) continue;
                if (n == s.length) {
                    s = Arrays.copyOf(s, n * 2);
                    e = Arrays.copyOf(e, n * 2);
                    u = Arrays.copyOf(u, n * 2);
                }
                s[n] = a;
                e[n] = a + l;
                u[n] = unit;
                n++;
            }
            c.seek(end);
        }
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        final long[] fs = s;
        Arrays.sort(idx, (x, y) -> Long.compareUnsigned(fs[x], fs[y]));
        long[] ss = new long[n], ee = new long[n], uu = new long[n];
        for (int i = 0; i < n; i++) {
            ss[i] = s[idx[i]];
            ee[i] = e[idx[i]];
            uu[i] = u[idx[i]];
        }
        return new Aranges(ss, ee, uu);
    }

    public int size() {
        return starts.length;
    }

    /** The `.debug_info` offset of the unit covering {@code address}, or -1. */
    public long unitFor(long address) {
        int lo = 0, hi = starts.length - 1, best = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(starts[mid], address) <= 0) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (best >= 0 && Long.compareUnsigned(address, ends[best]) < 0) return units[best];
        return -1;
    }
}
