package org.coroner.dwarf;

import java.util.ArrayList;
import java.util.List;

import org.coroner.io.Bytes;
import org.coroner.io.Cursor;

/**
 * The address ranges of a DIE: DW_AT_low_pc/DW_AT_high_pc, or DW_AT_ranges through `.debug_rnglists`
 * (DWARF 5, DW_RLE_* entries, DW_FORM_rnglistx via DW_AT_rnglists_base) or `.debug_ranges` (DWARF 4).
 * Each range is {@code [lo, hi)}.
 */
public final class Ranges {
    public static final int DW_AT_low_pc = 0x11, DW_AT_high_pc = 0x12, DW_AT_ranges = 0x55;

    private Ranges() {
    }

    /** The DIE's ranges, empty when it has no code (declarations, abstract instances). */
    public static List<long[]> of(Die d) {
        CompileUnit cu = d.unit();
        int iRanges = d.find(DW_AT_ranges);
        if (iRanges >= 0) {
            int form = d.abbrev().forms()[iRanges];
            long v = d.values()[iRanges];
            return cu.header().version() >= 5 ? rnglist(cu, form, v) : debugRanges(cu, v);
        }
        int iLow = d.find(DW_AT_low_pc);
        if (iLow < 0) {
            return List.of();
        }
        long lo = address(cu, d.abbrev().forms()[iLow], d.values()[iLow]);
        int iHigh = d.find(DW_AT_high_pc);
        if (iHigh < 0) {
            return List.of(new long[] {lo, lo + 1});
        }
        int hf = d.abbrev().forms()[iHigh];
        long hv = d.values()[iHigh];
        long hi = isAddressForm(hf) ? address(cu, hf, hv) : lo + hv;
        return List.of(new long[] {lo, hi});
    }

    /** True when any range of the DIE contains {@code address}. */
    public static boolean contains(Die d, long address) {
        for (long[] r : of(d)) {
            if (Long.compareUnsigned(address, r[0]) >= 0 && Long.compareUnsigned(address, r[1]) < 0) {
                return true;
            }
        }
        return false;
    }

    static boolean isAddressForm(int form) {
        return form == Form.addr || form == Form.addrx || (form >= Form.addrx1 && form <= Form.addrx4);
    }

    /** An address attribute's value: direct, or an index into `.debug_addr`. */
    public static long address(CompileUnit cu, int form, long value) {
        return form == Form.addr ? value : cu.address(value);
    }

    /** The unit's base address for range and location lists (its DW_AT_low_pc, 0 if none). */
    public static long base(CompileUnit cu) {
        Die r = cu.root();
        int i = r.find(DW_AT_low_pc);
        return i < 0 ? 0 : address(cu, r.abbrev().forms()[i], r.values()[i]);
    }

    private static List<long[]> rnglist(CompileUnit cu, int form, long value) {
        Bytes sec = cu.dwarf().section(".debug_rnglists");
        long off;
        if (form == Form.rnglistx) {
            int os = cu.header().offsetSize();
            off = cu.rnglistsBase() + sec.uN(cu.rnglistsBase() + value * os, os);
        } else {
            off = value;
        }
        List<long[]> out = new ArrayList<>();
        Cursor c = new Cursor(sec, off);
        long base = base(cu);
        int as = cu.header().addressSize();
        while (c.pos() < sec.size()) {
            int kind = c.u8();
            switch (kind) {
                case 0 -> { // DW_RLE_end_of_list
                    return out;
                }
                case 1 -> base = cu.address(c.uleb()); // base_addressx
                case 2 -> { // startx_endx
                    long s = cu.address(c.uleb());
                    long e = cu.address(c.uleb());
                    out.add(new long[] {s, e});
                }
                case 3 -> { // startx_length
                    long s = cu.address(c.uleb());
                    out.add(new long[] {s, s + c.uleb()});
                }
                case 4 -> { // offset_pair
                    long s = c.uleb();
                    long e = c.uleb();
                    out.add(new long[] {base + s, base + e});
                }
                case 5 -> base = c.uN(as); // base_address
                case 6 -> { // start_end
                    long s = c.uN(as);
                    out.add(new long[] {s, c.uN(as)});
                }
                case 7 -> { // start_length
                    long s = c.uN(as);
                    out.add(new long[] {s, s + c.uleb()});
                }
                default -> throw new org.coroner.io.BadInputException(cu.dwarf().name()
                        + ": unknown range list entry " + kind + " at .debug_rnglists+0x" + Long.toHexString(c.pos() - 1));
            }
        }
        return out;
    }

    private static List<long[]> debugRanges(CompileUnit cu, long off) {
        Bytes sec = cu.dwarf().section(".debug_ranges");
        int as = cu.header().addressSize();
        long max = as == 8 ? -1L : 0xffffffffL;
        long base = base(cu);
        List<long[]> out = new ArrayList<>();
        Cursor c = new Cursor(sec, off);
        while (c.pos() + 2L * as <= sec.size()) {
            long s = c.uN(as);
            long e = c.uN(as);
            if (s == 0 && e == 0) {
                break;
            }
            if (s == max) {
                base = e;
                continue;
            }
            out.add(new long[] {base + s, base + e});
        }
        return out;
    }
}
