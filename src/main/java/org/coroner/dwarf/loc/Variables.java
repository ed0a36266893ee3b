package org.coroner.dwarf.loc;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.dwarf.CompileUnit;
import org.coroner.dwarf.Die;
import org.coroner.dwarf.Form;
import org.coroner.dwarf.Ranges;
import org.coroner.dwarf.Symbolizer;
import org.coroner.io.Bytes;
import org.coroner.io.Cursor;

/**
 * The parameters and local variables in scope at a code address, and where each one lives there
 * (DW_AT_location as an expression or a location list entry covering the address).
 */
public final class Variables {
    static final int DW_TAG_formal_parameter = 0x05, DW_TAG_variable = 0x34;
    static final int DW_AT_location = 0x02, DW_AT_name = 0x03, DW_AT_type = 0x49, DW_AT_abstract_origin = 0x31;

    /** A variable and its location expression at the address (null when it has none there: optimized out). */
    public record Variable(String name, boolean parameter, Die die, Die typeDie, byte[] expression, String scope) {
        /** The DWARF register number when the whole value is in one register ({@code DW_OP_regN}), else -1. */
        public int register() {
            if (expression == null || expression.length == 0) {
                return -1;
            }
            int op = expression[0] & 0xff;
            if (op >= 0x50 && op <= 0x6f && expression.length == 1) {
                return op - 0x50;
            }
            if (op == 0x90) { // DW_OP_regx
                Cursor c = new Cursor(Bytes.of(expression, java.nio.ByteOrder.LITTLE_ENDIAN), 1);
                long r = c.uleb();
                return c.pos() == expression.length ? (int) r : -1;
            }
            return -1;
        }
    }

    private Variables() {
    }

    /** Every parameter and variable of the scopes at {@code address} (innermost scope's first). */
    public static List<Variable> at(Symbolizer s, long address) {
        List<Die> scopes = s.scopes(address);
        List<Variable> out = new ArrayList<>();
        for (int i = scopes.size() - 1; i >= 0; i--) {
            Die scope = scopes.get(i);
            if (!scope.hasChildren()) {
                continue;
            }
            CompileUnit cu = scope.unit();
            String scopeName = s.name(scope);
            long off = scope.next();
            while (true) {
                Die k = cu.readDie(off);
                if (k == null) {
                    break;
                }
                if (k.tag() == DW_TAG_formal_parameter || k.tag() == DW_TAG_variable) {
                    Die named = k.has(DW_AT_name) ? k : origin(s, k);
                    String name = named == null ? null : named.string(DW_AT_name);
                    Die typeRef = k.has(DW_AT_type) ? k : named;
                    Die type = typeRef == null || !typeRef.has(DW_AT_type) ? null : s.dieAt(typeRef.value(DW_AT_type, 0));
                    if (name != null) {
                        out.add(new Variable(name, k.tag() == DW_TAG_formal_parameter, k, type, location(k, address).orElse(null),
                                scopeName));
                    }
                }
                off = nextSibling(cu, k);
            }
        }
        return out;
    }

    private static Die origin(Symbolizer s, Die d) {
        long ref = d.value(DW_AT_abstract_origin, -1);
        return ref < 0 ? null : s.dieAt(ref);
    }

    private static long nextSibling(CompileUnit cu, Die d) {
        if (!d.hasChildren()) {
            return d.next();
        }
        long sib = d.value(0x01, -1);
        return sib > 0 ? sib : cu.skipChildren(d);
    }

    /** The location expression of {@code d} valid at {@code address}. */
    public static Optional<byte[]> location(Die d, long address) {
        int i = d.find(DW_AT_location);
        if (i < 0) {
            return Optional.empty();
        }
        int form = d.abbrev().forms()[i];
        long v = d.values()[i];
        CompileUnit cu = d.unit();
        Bytes info = cu.dwarf().info();
        if (form == Form.exprloc || form == Form.block1 || form == Form.block2 || form == Form.block4 || form == Form.block) {
            // the value is the block's start; its length precedes it
            long len = blockLength(info, v, form);
            return Optional.of(info.bytes(v, (int) len));
        }
        if (cu.header().version() >= 5) {
            long off = form == Form.loclistx ? cu.loclistsBase()
                    + cu.dwarf().section(".debug_loclists").uN(cu.loclistsBase() + v * cu.header().offsetSize(), cu.header().offsetSize())
                    : v;
            return loclists(cu, off, address);
        }
        return debugLoc(cu, v, address);
    }

    private static long blockLength(Bytes info, long start, int form) {
        return switch (form) {
            case Form.block1 -> info.u8(start - 1);
            case Form.block2 -> info.u16(start - 2);
            case Form.block4 -> info.u32(start - 4);
            default -> {
                // ULEB128 just before start: walk back over continuation bytes
                long p = start - 1;
                while (p > 0 && (info.u8(p - 1) & 0x80) != 0) {
                    p--;
                }
                yield new Cursor(info, p).uleb();
            }
        };
    }

    private static Optional<byte[]> loclists(CompileUnit cu, long off, long address) {
        Bytes sec = cu.dwarf().section(".debug_loclists");
        Cursor c = new Cursor(sec, off);
        long base = Ranges.base(cu);
        int as = cu.header().addressSize();
        while (c.pos() < sec.size()) {
            int kind = c.u8();
            long lo;
            long hi;
            switch (kind) {
                case 0 -> {
                    return Optional.empty();
                }
                case 1 -> {
                    base = cu.address(c.uleb());
                    continue;
                }
                case 2 -> {
                    lo = cu.address(c.uleb());
                    hi = cu.address(c.uleb());
                }
                case 3 -> {
                    lo = cu.address(c.uleb());
                    hi = lo + c.uleb();
                }
                case 4 -> {
                    lo = base + c.uleb();
                    hi = base + c.uleb();
                }
                case 5 -> { // default_location
                    lo = 0;
                    hi = -1;
                }
                case 6 -> {
                    base = c.uN(as);
                    continue;
                }
                case 7 -> {
                    lo = c.uN(as);
                    hi = c.uN(as);
                }
                case 8 -> {
                    lo = c.uN(as);
                    hi = lo + c.uleb();
                }
                default -> {
                    return Optional.empty();
                }
            }
            long len = c.uleb();
            byte[] expr = sec.bytes(c.pos(), (int) len);
            c.skip(len);
            if (Long.compareUnsigned(address, lo) >= 0 && Long.compareUnsigned(address, hi) < 0) {
                return Optional.of(expr);
            }
        }
        return Optional.empty();
    }

    private static Optional<byte[]> debugLoc(CompileUnit cu, long off, long address) {
        Bytes sec = cu.dwarf().section(".debug_loc");
        int as = cu.header().addressSize();
        long max = as == 8 ? -1L : 0xffffffffL;
        long base = Ranges.base(cu);
        Cursor c = new Cursor(sec, off);
        while (c.pos() + 2L * as <= sec.size()) {
            long s = c.uN(as);
            long e = c.uN(as);
            if (s == 0 && e == 0) {
                return Optional.empty();
            }
            if (s == max) {
                base = e;
                continue;
            }
            int len = c.u16();
            byte[] expr = sec.bytes(c.pos(), len);
            c.skip(len);
            if (Long.compareUnsigned(address, base + s) >= 0 && Long.compareUnsigned(address, base + e) < 0) {
                return Optional.of(expr);
            }
        }
        return Optional.empty();
    }
}
