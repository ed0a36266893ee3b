package org.coroner.dump;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import org.coroner.io.BadInputException;

/**
 * makedumpfile's flattened format ({@code makedumpfile -F}, and what QEMU before 8.2 writes for
 * {@code dump-guest-memory -z/-l/-s}): a 4 KiB header "makedumpfile" (type 1, version 1, big
 * endian), then records of {@code (int64 offset, int64 size)} big-endian followed by {@code size}
 * bytes that belong at {@code offset} of the kdump-compressed file, until an offset of -1. The
 * index is built once by hopping over the record headers (no data is read) and then serves
 * logical reads like the rearranged file would. A later record wins where records overlap.
 */
final class FlattenedIndex implements DumpBytes {
    static final int HEADER_SIZE = 4096;
    private static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final MemorySegment file;
    private final long[] logical;   // sorted, non-overlapping
    private final long[] length;
    private final long[] fileOff;
    private final long logicalSize;
    private final String truncation; // null when the stream ended with its end marker

    private FlattenedIndex(MemorySegment file, long[] logical, long[] length, long[] fileOff, String truncation) {
        this.file = file;
        this.logical = logical;
        this.length = length;
        this.fileOff = fileOff;
        this.truncation = truncation;
        long end = 0;
        for (int i = 0; i < logical.length; i++) {
            end = Math.max(end, logical[i] + length[i]);
        }
        this.logicalSize = end;
    }

    static boolean looksFlattened(MemorySegment seg) {
        if (seg.byteSize() < 32) {
            return false;
        }
        byte[] sig = new byte[16];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, sig, 0, 16);
        return new String(sig, 0, 12, java.nio.charset.StandardCharsets.US_ASCII).equals("makedumpfile") && sig[12] == 0;
    }

    static FlattenedIndex build(Path path, MemorySegment seg) {
        long type = seg.get(BE64, 16);
        long version = seg.get(BE64, 24);
        if (type != 1 || version != 1) {
            throw new BadInputException(path, "flattened makedumpfile stream of unknown type " + type + " version " + version);
        }
        long size = seg.byteSize();
        int cap = 1024;
        long[] lo = new long[cap];
        long[] len = new long[cap];
        long[] fo = new long[cap];
        int n = 0;
        long p = HEADER_SIZE;
        String truncation = null;
        boolean sorted = true;
        while (true) {
            if (p + 16 > size) {
                truncation = "truncated: flattened stream ends at offset 0x" + Long.toHexString(size)
                        + " without its end marker";
                break;
            }
            long off = seg.get(BE64, p);
            long sz = seg.get(BE64, p + 8);
            if (off == -1) {
                break;
            }
            if (off < 0 || sz < 0) {
                truncation = "corrupt: flattened record header at offset 0x" + Long.toHexString(p)
                        + " (offset " + off + ", size " + sz + ")";
                break;
            }
            long data = p + 16;
            long avail = Math.min(sz, size - data);
            if (n == cap) {
                cap *= 2;
                lo = Arrays.copyOf(lo, cap);
                len = Arrays.copyOf(len, cap);
                fo = Arrays.copyOf(fo, cap);
            }
            if (n > 0 && off < lo[n - 1] + len[n - 1]) {
                sorted = false;
            }
            lo[n] = off;
            len[n] = avail;
            fo[n] = data;
            n++;
            if (avail < sz) {
                truncation = "truncated: flattened record at offset 0x" + Long.toHexString(p) + " holds 0x"
                        + Long.toHexString(sz) + " bytes but the file ends at 0x" + Long.toHexString(size);
                break;
            }
            p = data + sz;
        }
        if (!sorted) {
            return resolve(seg, lo, len, fo, n, truncation);
        }
        return new FlattenedIndex(seg, Arrays.copyOf(lo, n), Arrays.copyOf(len, n), Arrays.copyOf(fo, n), truncation);
    }

    /** Records out of order: lay them into an interval map in write order so that later ones win. */
    private static FlattenedIndex resolve(MemorySegment seg, long[] lo, long[] len, long[] fo, int n, String truncation) {
        TreeMap<Long, long[]> map = new TreeMap<>(); // start -> {end, fileOff}
        for (int i = 0; i < n; i++) {
            if (len[i] == 0) {
                continue;
            }
            long s = lo[i];
            long e = s + len[i];
            Map.Entry<Long, long[]> before = map.floorEntry(s);
            if (before != null && before.getValue()[0] > s) {
                long[] v = before.getValue();
                long bs = before.getKey();
                map.put(bs, new long[] {s, v[1]});
                if (v[0] > e) {
                    map.put(e, new long[] {v[0], v[1] + (e - bs)});
                }
            }
            for (Map.Entry<Long, long[]> in = map.ceilingEntry(s); in != null && in.getKey() < e; in = map.ceilingEntry(s)) {
                long[] v = in.getValue();
                long is = in.getKey();
                map.remove(is);
                if (v[0] > e) {
                    map.put(e, new long[] {v[0], v[1] + (e - is)});
                }
            }
            map.put(s, new long[] {e, fo[i]});
        }
        int m = map.size();
        long[] l2 = new long[m];
        long[] n2 = new long[m];
        long[] f2 = new long[m];
        int k = 0;
        for (Map.Entry<Long, long[]> en : map.entrySet()) {
            l2[k] = en.getKey();
            n2[k] = en.getValue()[0] - en.getKey();
            f2[k] = en.getValue()[1];
            k++;
        }
        return new FlattenedIndex(seg, l2, n2, f2, truncation);
    }

    int records() {
        return logical.length;
    }

    @Override
    public long size() {
        return logicalSize;
    }

    @Override
    public int read(long off, byte[] dst, int dstOff, int len) {
        int done = 0;
        while (done < len) {
            int i = recordOf(off + done);
            if (i < 0) {
                break;
            }
            long within = off + done - logical[i];
            int n = (int) Math.min(len - done, length[i] - within);
            MemorySegment.copy(file, ValueLayout.JAVA_BYTE, fileOff[i] + within, dst, dstOff + done, n);
            done += n;
        }
        return done;
    }

    private int recordOf(long off) {
        int lo = 0;
        int hi = logical.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (logical[mid] <= off) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found >= 0 && off - logical[found] < length[found] ? found : -1;
    }

    @Override
    public String whyMissing(long off) {
        String base = "not in the flattened stream (no record holds logical offset 0x" + Long.toHexString(off) + ")";
        return truncation == null ? base : base + "; " + truncation;
    }
}
