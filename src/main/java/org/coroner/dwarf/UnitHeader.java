package org.coroner.dwarf;

import org.coroner.io.BadInputException;
import org.coroner.io.Bytes;
import org.coroner.io.Cursor;

/**
 * The header of one `.debug_info` unit, DWARF 2-5 (compile, partial, type, skeleton units).
 * {@code dieOffset} is where the first DIE starts; {@code end} is one past the unit.
 */
public record UnitHeader(long offset, long end, int version, int unitType, boolean dwarf64, int addressSize,
                         long abbrevOffset, long typeSignature, long typeOffset, long dieOffset) {

    public static final int DW_UT_compile = 1, DW_UT_type = 2, DW_UT_partial = 3, DW_UT_skeleton = 4,
            DW_UT_split_compile = 5, DW_UT_split_type = 6;

    public int offsetSize() {
        return dwarf64 ? 8 : 4;
    }

    public static UnitHeader read(Bytes info, long offset, String file) {
        Cursor c = new Cursor(info, offset);
        long len = c.u32();
        boolean d64 = false;
        if (len == 0xffffffffL) {
            len = c.u64();
            d64 = true;
        }
        long end = c.pos() + len;
        if (end > info.size() || len < 7) {
            throw new BadInputException(file + ": .debug_info unit at 0x" + Long.toHexString(offset) + " is truncated");
        }
        int version = c.u16();
        if (version < 2 || version > 5) {
            throw new BadInputException(file + ": unsupported DWARF version " + version + " at .debug_info+0x"
                    + Long.toHexString(offset));
        }
        int unitType = DW_UT_compile, addrSize;
        long abbrev, sig = 0, typeOff = 0;
        if (version >= 5) {
            unitType = c.u8();
            addrSize = c.u8();
            abbrev = d64 ? c.u64() : c.u32();
            switch (unitType) {
                case DW_UT_skeleton, DW_UT_split_compile -> sig = c.u64();
                case DW_UT_type, DW_UT_split_type -> {
                    sig = c.u64();
                    typeOff = d64 ? c.u64() : c.u32();
                }
                default -> { }
            }
        } else {
            abbrev = d64 ? c.u64() : c.u32();
            addrSize = c.u8();
        }
        return new UnitHeader(offset, end, version, unitType, d64, addrSize, abbrev, sig, typeOff, c.pos());
    }
}
