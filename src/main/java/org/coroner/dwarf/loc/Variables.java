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
    static final int DW_TAG_formal_parameter = 0x05, DW_TAG_variable = 0x34, DW_TAG_inlined_subroutine = 0x1d;
    static final int DW_AT_location = 0x02, DW_AT_name = 0x03, DW_AT_type = 0x49, DW_AT_abstract_origin = 0x31;

    /** A variable and its location expression at the address (null when it has none there: optimized out). */
    /**
     * @param scope   the function the variable belongs to: the subprogram, or the inlined function whose
     *                scope (or a block in it) holds the variable
     * @param inlined {@code scope} is a function inlined here
     */
    public record Variable(String name, boolean parameter, Die die, Die typeDie, byte[] expression, String scope,
                           boolean inlined) {
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
    /**
     * The variable whose location at {@code address} is the general register {@code name} of
     * {@code regs}' numbering (rax..r15, x0..x30): the register is that variable's home there.
     */
    public static java.util.Optional<Variable> inRegister(Symbolizer s, long address, org.coroner.arch.DwarfRegisters regs,
                                                          String name) {
        int n = regs.number(name);
        if (n < 0 || n == regs.stackPointer() || n == regs.returnAddress() && regs.stackPointer() < n) {
            return java.util.Optional.empty(); // sp, and x86_64's rip pseudo-register, are nobody's home
        }
        return at(s, address).stream().filter(v -> v.register() == n).findFirst();
    }

    public static List<Variable> at(Symbolizer s, long address) {
        List<Die> scopes = s.scopes(address);
        List<Variable> out = new ArrayList<>();
        for (int i = scopes.size() - 1; i >= 0; i--) {
            Die scope = scopes.get(i);
            if (!scope.hasChildren()) {
                continue;
            }
            CompileUnit cu = scope.unit();
            int fn = i;
            while (fn > 0 && scopes.get(fn).tag() != DW_TAG_inlined_subroutine) {
                fn--;
            }
            String scopeName = s.name(scopes.get(fn));
            boolean inlined = fn > 0;
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
                                scopeName, inlined));
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
        if (isBlock(form)) {
            return block(d, DW_AT_location);
        }
        if (cu.header().version() >= 5) {
            long off = form == Form.loclistx ? cu.loclistsBase()
                    + cu.dwarf().section(".debug_loclists").uN(cu.loclistsBase() + v * cu.header().offsetSize(), cu.header().offsetSize())
                    : v;
            return loclists(cu, off, address);
        }
        return debugLoc(cu, v, address);
    }

    private static boolean isBlock(int form) {
        return form == Form.exprloc || form == Form.block1 || form == Form.block2 || form == Form.block4 || form == Form.block;
    }

    /** The bytes of a block or exprloc attribute (an expression), empty when {@code d} has no such attribute. */
    public static Optional<byte[]> block(Die d, int attribute) {
        int i = d.find(attribute);
        if (i < 0 || !isBlock(d.abbrev().forms()[i])) {
            return Optional.empty();
        }
        long v = d.values()[i];
        return Optional.of(d.unit().dwarf().info().bytes(v, (int) blockLength(d, i)));
    }

    /** The length of the block attribute {@code index}: the DIE is read again up to it (a ULEB length cannot be read backwards). */
    private static long blockLength(Die d, int index) {
        Cursor c = new Cursor(d.unit().dwarf().info(), d.offset());
        c.uleb();
        long[] len = new long[1];
        int[] forms = d.abbrev().forms();
        for (int k = 0; k <= index; k++) {
            org.coroner.dwarf.Form.read(c, forms[k], d.unit().header(), d.abbrev().implicitConsts()[k], len);
        }
        return len[0];
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
