package org.coroner.dwarf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.coroner.io.Bytes;
import org.coroner.io.Cursor;

/**
 * One `.debug_line` program (DWARF 2-5) run to completion into sorted rows, so an address lookup is a
 * binary search. File names are joined with their directory as addr2line prints them.
 */
public final class LineTable {
    public record Row(long address, int file, int line, int column, boolean endSequence) {
    }

    private final List<String> files;
    private final Row[] rows;

    private LineTable(List<String> files, Row[] rows) {
        this.files = files;
        this.rows = rows;
    }

    public String file(int index) {
        return index >= 0 && index < files.size() ? files.get(index) : "??";
    }

    public int rowCount() {
        return rows.length;
    }

    /** The row covering {@code address} (the last row at or below it within a sequence), or null. */
    public Row lookup(long address) {
        int lo = 0, hi = rows.length - 1, best = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(rows[mid].address(), address) <= 0) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (best < 0 || rows[best].endSequence()) return null;
        // Several rows can share an address; the last one at that address wins, as in addr2line.
        return rows[best];
    }

    public static LineTable parse(CompileUnit cu, Bytes line, long offset) {
        Cursor c = new Cursor(line, offset);
        long len = c.u32();
        boolean d64 = len == 0xffffffffL;
        if (d64) len = c.u64();
        long end = c.pos() + len;
        int version = c.u16();
        int addrSize = cu.header().addressSize();
        if (version >= 5) {
            addrSize = c.u8();
            c.u8(); // segment selector size
        }
        long headerLen = d64 ? c.u64() : c.u32();
        long progStart = c.pos() + headerLen;
        int minInst = c.u8();
        if (version >= 4) c.u8(); // max ops per instruction (VLIW only)
        boolean defaultIsStmt = c.u8() != 0;
        int lineBase = (byte) c.u8();
        int lineRange = c.u8();
        int opcodeBase = c.u8();
        int[] stdLen = new int[opcodeBase];
        for (int i = 1; i < opcodeBase; i++) stdLen[i] = c.u8();
        List<String> dirs = new ArrayList<>();
        List<String> files = new ArrayList<>();
        if (version >= 5) {
            dirs = readEntries(c, cu, d64, null);
            files = readEntries(c, cu, d64, dirs);
        } else {
            dirs.add(cu.root().string(0x1b) == null ? "" : cu.root().string(0x1b)); // DW_AT_comp_dir
            while (true) {
                String d = c.cstring();
                if (d.isEmpty()) break;
                dirs.add(d);
            }
            files.add("??"); // v4 file numbers start at 1
            while (true) {
                String f = c.cstring();
                if (f.isEmpty()) break;
                int dir = (int) c.uleb();
                c.uleb();
                c.uleb();
                files.add(join(dirs, dir, f));
            }
        }
        c.seek(progStart);
        List<Row> rows = new ArrayList<>();
        long address = 0;
        int file = 1, ln = 1, col = 0;
        while (c.pos() < end) {
            int op = c.u8();
            if (op >= opcodeBase) {
                int adj = op - opcodeBase;
                address += (long) (adj / lineRange) * minInst;
                ln += lineBase + adj % lineRange;
                rows.add(new Row(address, file, ln, col, false));
            } else if (op == 0) {
                long l = c.uleb();
                long next = c.pos() + l;
                int ext = c.u8();
                switch (ext) {
                    case 1 -> {
                        rows.add(new Row(address, file, ln, col, true));
                        address = 0;
                        file = 1;
                        ln = 1;
                        col = 0;
                    }
                    case 2 -> address = c.uN(addrSize);
                    default -> { }
                }
                c.seek(next);
            } else {
                switch (op) {
                    case 1 -> rows.add(new Row(address, file, ln, col, false));
                    case 2 -> address += c.uleb() * minInst;
                    case 3 -> ln += (int) c.sleb();
                    case 4 -> file = (int) c.uleb();
                    case 5 -> col = (int) c.uleb();
                    case 8 -> address += (long) ((255 - opcodeBase) / lineRange) * minInst;
                    case 9 -> address += c.u16();
                    default -> {
                        for (int i = 0; i < stdLen[op]; i++) c.uleb();
                    }
                }
            }
        }
        Row[] r = rows.toArray(new Row[0]);
        // Stable sort keeps program order among rows of one address, so the last such row wins the lookup.
        Arrays.sort(r, (a, b) -> {
            int k = Long.compareUnsigned(a.address(), b.address());
            if (k != 0) return k;
            return Boolean.compare(!a.endSequence(), !b.endSequence());
        });
        return new LineTable(files, r);
    }

    private static String join(List<String> dirs, int dir, String f) {
        if (f.startsWith("/") || dir < 0 || dir >= dirs.size() || dirs.get(dir).isEmpty()) return f;
        String p = dirs.get(dir) + "/" + f;
        // addr2line anchors a path still relative at the compilation directory (entry 0).
        if (!p.startsWith("/") && dir != 0 && !dirs.get(0).isEmpty()) p = dirs.get(0) + "/" + p;
        return p;
    }

    private static List<String> readEntries(Cursor c, CompileUnit cu, boolean d64, List<String> dirs) {
        int fmtCount = c.u8();
        int[] types = new int[fmtCount], forms = new int[fmtCount];
        for (int i = 0; i < fmtCount; i++) {
            types[i] = (int) c.uleb();
            forms[i] = (int) c.uleb();
        }
        long count = c.uleb();
        List<String> out = new ArrayList<>();
        for (long k = 0; k < count; k++) {
            String name = null;
            int dir = 0;
            for (int i = 0; i < fmtCount; i++) {
                long v = Form.read(c, forms[i], cu.header(), 0, null);
                if (types[i] == 1) name = cu.string(forms[i], v); // DW_LNCT_path
                else if (types[i] == 2) dir = (int) v; // DW_LNCT_directory_index
            }
            out.add(dirs == null ? name : join(dirs, dir, name));
        }
        return out;
    }
}
