package org.coroner.dwarf;

import org.coroner.io.BadInputException;
import org.coroner.io.Cursor;

/**
 * Decodes one attribute value of any DWARF 2-5 form into a long: constants, addresses (addrx left as an
 * index), section offsets, string offsets (strx left as an index), references (made absolute in
 * `.debug_info`). Block and exprloc forms yield the offset of their first byte; the length is in {@link #lastLength}.
 */
public final class Form {
    public static final int addr = 0x01, block2 = 0x03, block4 = 0x04, data2 = 0x05, data4 = 0x06, data8 = 0x07,
            string = 0x08, block = 0x09, block1 = 0x0a, data1 = 0x0b, flag = 0x0c, sdata = 0x0d, strp = 0x0e,
            udata = 0x0f, ref_addr = 0x10, ref1 = 0x11, ref2 = 0x12, ref4 = 0x13, ref8 = 0x14, ref_udata = 0x15,
            indirect = 0x16, sec_offset = 0x17, exprloc = 0x18, flag_present = 0x19, strx = 0x1a, addrx = 0x1b,
            ref_sup4 = 0x1c, strp_sup = 0x1d, data16 = 0x1e, line_strp = 0x1f, ref_sig8 = 0x20,
            implicit_const = 0x21, loclistx = 0x22, rnglistx = 0x23, ref_sup8 = 0x24, strx1 = 0x25, strx2 = 0x26,
            strx3 = 0x27, strx4 = 0x28, addrx1 = 0x29, addrx2 = 0x2a, addrx3 = 0x2b, addrx4 = 0x2c;

    private Form() {
    }

    /** Reads a value of {@code form} at the cursor (DW_FORM_indirect followed); a block length goes to blockLen[0] if given. */
    public static long read(Cursor c, int form, UnitHeader u, long implicitConst, long[] blockLen) {
        int os = u.offsetSize();
        return switch (form) {
            case addr -> c.uN(u.addressSize());
            case data1, ref1, flag, strx1, addrx1 -> c.u8();
            case data2, ref2, strx2, addrx2 -> c.u16();
            case strx3, addrx3 -> c.u24();
            case data4, ref4, ref_sup4, strx4, addrx4 -> c.u32();
            case data8, ref8, ref_sig8, ref_sup8 -> c.u64();
            case data16 -> {
                long lo = c.u64();
                c.u64();
                yield lo;
            }
            case sdata -> c.sleb();
            case udata, ref_udata, strx, addrx, loclistx, rnglistx -> c.uleb();
            case strp, sec_offset, line_strp, strp_sup -> c.uN(os);
            case ref_addr -> u.version() <= 2 ? c.uN(u.addressSize()) : c.uN(os);
            case flag_present -> 1;
            case implicit_const -> implicitConst;
            case string -> {
                long p = c.pos();
                c.cstring();
                yield p;
            }
            case block1, block2, block4, block, exprloc -> {
                long len = switch (form) {
                    case block1 -> c.u8();
                    case block2 -> c.u16();
                    case block4 -> c.u32();
                    default -> c.uleb();
                };
                long p = c.pos();
                c.skip(len);
                if (blockLen != null) blockLen[0] = len;
                yield p;
            }
            case indirect -> read(c, (int) c.uleb(), u, implicitConst, blockLen);
            default -> throw new BadInputException("unknown DWARF form 0x" + Integer.toHexString(form)
                    + " in unit at .debug_info+0x" + Long.toHexString(u.offset()));
        };
    }

    /** True for the reference forms whose value is relative to the unit start. */
    public static boolean isUnitRelativeRef(int form) {
        return form == ref1 || form == ref2 || form == ref4 || form == ref8 || form == ref_udata;
    }
}
