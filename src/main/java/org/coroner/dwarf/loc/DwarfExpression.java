package org.coroner.dwarf.loc;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import org.coroner.arch.DwarfRegisters;
import org.coroner.dwarf.CompileUnit;
import org.coroner.io.Bytes;
import org.coroner.io.Cursor;
import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;

/**
 * The DWARF expression stack machine (DWARF 5 §2.5, §2.6) over one frame: location descriptions of
 * variables, {@code DW_AT_call_value} of call sites, CFI expression rules. What the frame does not
 * know (a register, the CFA, an entry value, memory missing from the dump) ends the evaluation with
 * the reason, never with a guess.
 */
public final class DwarfExpression {
    /** How a frame answers {@code DW_OP_entry_value}: what the expression had on entry to its function. */
    @FunctionalInterface
    public interface EntryValues {
        Result of(byte[] expression);

        EntryValues NONE = e -> new Unknown("an entry value", "entry values are not available here");
    }

    /** A link-time address of a file ({@code DW_OP_addr}) at run time. */
    @FunctionalInterface
    public interface Relocation {
        long runtime(org.coroner.dwarf.DwarfFile file, long address);

        Relocation NONE = (file, address) -> address;
    }

    /**
     * What an expression may ask of the frame it is evaluated in: its registers, its CFA (or why it
     * is not known), memory, its entry values, the unit the expression belongs to
     * ({@code DW_OP_addrx}), the function's {@code DW_AT_frame_base} (null: the CFA) and the
     * relocation of link-time addresses.
     */
    public record Frame(RegisterFile registers, OptionalLong cfa, String cfaUnknown, VirtualMemory memory, EntryValues entries,
                        CompileUnit unit, byte[] frameBase, Relocation relocation) {
        public Frame(RegisterFile registers, OptionalLong cfa, String cfaUnknown, VirtualMemory memory, EntryValues entries,
                     Relocation relocation) {
            this(registers, cfa, cfaUnknown, memory, entries, null, null, relocation);
        }

        /** The same frame seen from an expression of {@code unit} in a function with {@code frameBase}. */
        public Frame in(CompileUnit unit, byte[] frameBase) {
            return new Frame(registers, cfa, cfaUnknown, memory, entries, unit, frameBase, relocation);
        }

        public Result entryValue(byte[] expression) {
            return entries.of(expression);
        }

        public long runtimeAddress(org.coroner.dwarf.DwarfFile file, long address) {
            return relocation.runtime(file, address);
        }
    }

    /** Where a value is, or the value itself, or why neither is known. */
    public sealed interface Result {
        String where();
    }

    /** The value is register {@code register}'s ({@code DW_OP_regN}); {@code reason} when not known. */
    public record InRegister(int register, String where, OptionalLong value, String reason) implements Result {
    }

    /** The value is in memory at {@code address}. */
    public record InMemory(long address, String where) implements Result {
    }

    /** The value itself ({@code DW_OP_stack_value}, {@code DW_OP_implicit_value} of up to 8 bytes). */
    public record Computed(long value, String where) implements Result {
    }

    /** An implicit value longer than 8 bytes. */
    public record ImplicitBytes(byte[] bytes, String where) implements Result {
    }

    /** Parts of the value in different places ({@code DW_OP_piece}); a null part is optimized out. */
    public record Pieces(List<Piece> pieces, String where) implements Result {
    }

    public record Piece(Result part, int size) {
    }

    /** Not known: {@code where} as far as the expression told, {@code reason} the exact cause. */
    public record Unknown(String where, String reason) implements Result {
    }

    private DwarfExpression() {
    }

    /** Evaluates a location description. */
    public static Result evaluate(byte[] expr, Frame f) {
        return new Machine(expr, f, null).run();
    }

    /** Evaluates with {@code initial} pushed first (CFI expression rules push the CFA). */
    public static Result evaluate(byte[] expr, Frame f, long initial) {
        return new Machine(expr, f, initial).run();
    }

    /** Stops the machine with a reason. */
    private static final class Stop extends RuntimeException {
        final String where;

        Stop(String where, String reason) {
            super(reason, null, false, false);
            this.where = where;
        }
    }

    private static final class Machine {
        private final byte[] expr;
        private final Frame f;
        private final DwarfRegisters arch;
        private final long[] stack = new long[64];
        private int sp;
        private String base;

        Machine(byte[] expr, Frame f, Long initial) {
            this.expr = expr;
            this.f = f;
            this.arch = f.registers().arch();
            if (initial != null) {
                push(initial);
                base = "CFA";
            }
        }

        private long relocate(long a) {
            return f.runtimeAddress(f.unit() == null ? null : f.unit().dwarf(), a);
        }

        private void push(long v) {
            if (sp == stack.length) {
                throw new Stop(base, "DWARF expression stack overflow");
            }
            stack[sp++] = v;
        }

        private long pop() {
            if (sp == 0) {
                throw new Stop(base, "DWARF expression pops an empty stack");
            }
            return stack[--sp];
        }

        private long peek(int depth) {
            if (depth >= sp) {
                throw new Stop(base, "DWARF expression reads below its stack");
            }
            return stack[sp - 1 - depth];
        }

        Result run() {
            try {
                return pieces();
            } catch (Stop s) {
                return new Unknown(s.where, s.getMessage());
            } catch (IndexOutOfBoundsException e) {
                return new Unknown(base, "malformed DWARF expression");
            }
        }

        /** Splits at DW_OP_piece: each piece is a location of its own. */
        private Result pieces() {
            Cursor c = new Cursor(Bytes.of(expr, ByteOrder.LITTLE_ENDIAN), 0);
            List<Piece> parts = new ArrayList<>();
            while (true) {
                Result r = simple(c);
                if (c.atEnd() && parts.isEmpty()) {
                    return r;
                }
                if (c.atEnd()) {
                    if (r != null) {
                        parts.add(new Piece(r, 0));
                    }
                    break;
                }
                int op = c.u8();
                if (op != 0x93) { // only DW_OP_piece ends a piece here; bit pieces are not handled
                    return new Unknown(base, "DWARF operation 0x" + Integer.toHexString(op) + " splits the value in bit pieces");
                }
                parts.add(new Piece(r, (int) c.uleb()));
                sp = 0;
                base = null;
                if (c.atEnd()) {
                    break;
                }
            }
            StringBuilder w = new StringBuilder("in pieces:");
            for (Piece p : parts) {
                w.append(' ').append(p.part() == null ? "optimized out" : p.part().where()).append(" (").append(p.size())
                        .append(" bytes);");
            }
            w.setLength(w.length() - 1);
            return new Pieces(List.copyOf(parts), w.toString());
        }

        /** One simple location, up to the end or a DW_OP_piece (left unread); null when empty. */
        private Result simple(Cursor c) {
            boolean value = false;
            long start = c.pos();
            while (!c.atEnd()) {
                int op = expr[(int) c.pos()] & 0xff;
                if (op == 0x93 || op == 0x9d) {
                    break;
                }
                c.skip(1);
                if (op >= 0x50 && op <= 0x6f || op == 0x90) { // DW_OP_regN / regx
                    int r = op == 0x90 ? (int) c.uleb() : op - 0x50;
                    return register(r);
                }
                if (op >= 0x30 && op <= 0x4f) { // litN
                    push(op - 0x30);
                    continue;
                }
                if (op >= 0x70 && op <= 0x8f) { // bregN
                    breg(op - 0x70, c.sleb());
                    continue;
                }
                switch (op) {
                    case 0x03 -> {
                        push(relocate(c.u64()));
                        note("0x" + Long.toHexString(peek(0)));
                    }
                    case 0x06 -> deref(8);
                    case 0x08 -> push(c.u8());
                    case 0x09 -> push((byte) c.u8());
                    case 0x0a -> push(c.u16());
                    case 0x0b -> push((short) c.u16());
                    case 0x0c -> push(c.u32());
                    case 0x0d -> push(c.s32());
                    case 0x0e, 0x0f -> push(c.u64());
                    case 0x10 -> push(c.uleb());
                    case 0x11 -> push(c.sleb());
                    case 0x12 -> push(peek(0)); // dup
                    case 0x13 -> pop(); // drop
                    case 0x14 -> push(peek(1)); // over
                    case 0x15 -> push(peek(c.u8())); // pick
                    case 0x16 -> { // swap
                        long a = pop();
                        long b = pop();
                        push(a);
                        push(b);
                    }
                    case 0x17 -> { // rot
                        long a = pop();
                        long b = pop();
                        long d = pop();
                        push(a);
                        push(d);
                        push(b);
                    }
                    case 0x19 -> push(Math.abs(pop()));
                    case 0x1a -> push(pop() & pop());
                    case 0x1b -> {
                        long b = pop();
                        long a = pop();
                        if (b == 0) {
                            throw new Stop(base, "DWARF expression divides by zero");
                        }
                        push(a / b);
                    }
                    case 0x1c -> {
                        long b = pop();
                        push(pop() - b);
                    }
                    case 0x1d -> {
                        long b = pop();
                        long a = pop();
                        if (b == 0) {
                            throw new Stop(base, "DWARF expression divides by zero");
                        }
                        push(Long.remainderUnsigned(a, b));
                    }
                    case 0x1e -> push(pop() * pop());
                    case 0x1f -> push(-pop());
                    case 0x20 -> push(~pop());
                    case 0x21 -> push(pop() | pop());
                    case 0x22 -> push(pop() + pop());
                    case 0x23 -> push(pop() + c.uleb());
                    case 0x24 -> {
                        long b = pop();
                        push(pop() << b);
                    }
                    case 0x25 -> {
                        long b = pop();
                        push(pop() >>> b);
                    }
                    case 0x26 -> {
                        long b = pop();
                        push(pop() >> b);
                    }
                    case 0x27 -> push(pop() ^ pop());
                    case 0x28 -> { // bra
                        int off = (short) c.u16();
                        if (pop() != 0) {
                            c.seek(c.pos() + off);
                        }
                    }
                    case 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e -> {
                        long b = pop();
                        long a = pop();
                        boolean t = switch (op) {
                            case 0x29 -> a == b;
                            case 0x2a -> a >= b;
                            case 0x2b -> a > b;
                            case 0x2c -> a <= b;
                            case 0x2d -> a < b;
                            default -> a != b;
                        };
                        push(t ? 1 : 0);
                    }
                    case 0x2f -> { // skip
                        int off = (short) c.u16();
                        c.seek(c.pos() + off);
                    }
                    case 0x91 -> fbreg(c.sleb());
                    case 0x92 -> {
                        int r = (int) c.uleb();
                        breg(r, c.sleb());
                    }
                    case 0x94 -> deref(c.u8()); // deref_size
                    case 0x96 -> { // nop
                    }
                    case 0x9c -> {
                        push(cfa());
                        note("CFA");
                    }
                    case 0x9e -> { // implicit_value
                        int len = (int) c.uleb();
                        byte[] b = c.bytes(len);
                        if (len <= 8) {
                            return new Computed(Bytes.of(b, ByteOrder.LITTLE_ENDIAN).uN(0, Math.max(len, 1)), "a constant here");
                        }
                        return new ImplicitBytes(b, "a constant here");
                    }
                    case 0x9f -> value = true; // stack_value
                    case 0xa0, 0xf2 -> { // implicit_pointer
                        return new Unknown("a pointer to a variable the compiler optimized away",
                                "points to a variable that has no address (optimized into registers or constants)");
                    }
                    case 0xa1, 0xa2 -> { // addrx / constx
                        long idx = c.uleb();
                        if (f.unit() == null) {
                            throw new Stop(base, "DW_OP_addrx without a unit");
                        }
                        push(op == 0xa1 ? relocate(f.unit().address(idx)) : f.unit().address(idx));
                        if (op == 0xa1) {
                            note("0x" + Long.toHexString(peek(0)));
                        }
                    }
                    case 0xa3, 0xf3 -> { // entry_value / GNU_entry_value
                        int len = (int) c.uleb();
                        byte[] sub = c.bytes(len);
                        Result r = f.entryValue(sub);
                        long v = switch (r) {
                            case Computed cv -> cv.value();
                            case InRegister ir when ir.value().isPresent() -> ir.value().getAsLong();
                            case Unknown u -> throw new Stop(u.where(), u.reason());
                            default -> throw new Stop(r.where(), "an entry value that is not a plain value");
                        };
                        push(v);
                        note(r.where());
                    }
                    case 0xfa -> throw new Stop("a parameter of the function this code was cloned from",
                            "DW_OP_GNU_parameter_ref (a parameter of the function this clone was made from, given only at the call site): not resolved");
                    default -> throw new Stop(base, "DWARF operation 0x" + Integer.toHexString(op) + " not evaluated");
                }
            }
            if (c.pos() == start || sp == 0) {
                return null; // an empty piece: optimized out
            }
            long top = pop();
            if (value) {
                boolean pureEntry = (expr[(int) start] & 0xff) == 0xa3 || (expr[(int) start] & 0xff) == 0xf3;
                pureEntry &= c.pos() == start + 3 + (expr[(int) start + 1] & 0xff); // entry_value(X) stack_value, nothing else
                return new Computed(top, base == null ? "a constant here" : pureEntry ? base : "computed from " + base);
            }
            return new InMemory(top, memoryWhere(top));
        }

        private String memoryWhere(long a) {
            String at = "0x" + Long.toHexString(a);
            if (base == null || base.equals(at)) {
                return "in memory at " + at;
            }
            if (base.startsWith("CFA")) {
                return "on the stack at " + base + " = " + at;
            }
            return "at " + base + " = " + at;
        }

        private void note(String what) {
            if (base == null) {
                base = what;
            }
        }

        private Result register(int r) {
            RegisterFile regs = f.registers();
            String where = "in " + arch.display(r);
            if (regs.known(r)) {
                String src = regs.why(r);
                return new InRegister(r, src == null ? where : where + " (" + src + ")", OptionalLong.of(regs.value(r)), null);
            }
            return new InRegister(r, where, OptionalLong.empty(), "in " + arch.display(r) + ", " + regs.why(r));
        }

        private void breg(int r, long off) {
            RegisterFile regs = f.registers();
            String d = arch.display(r) + signed(off);
            if (!regs.known(r)) {
                throw new Stop("at " + d, "relative to " + arch.display(r) + ", " + regs.why(r));
            }
            push(regs.value(r) + off);
            note(d);
        }

        private long cfa() {
            OptionalLong c = f.cfa();
            if (c.isEmpty()) {
                throw new Stop("relative to the CFA", "the frame's CFA is not known: " + f.cfaUnknown());
            }
            return c.getAsLong();
        }

        private void fbreg(long off) {
            byte[] fb = f.frameBase();
            long b;
            String d;
            if (fb == null || fb.length == 1 && (fb[0] & 0xff) == 0x9c) {
                if (f.cfa().isEmpty()) {
                    throw new Stop("on the stack at CFA" + signed(off), "the frame's CFA is not known: " + f.cfaUnknown());
                }
                b = f.cfa().getAsLong();
                d = "CFA" + signed(off);
            } else {
                Result r = new Machine(fb, f, null).run();
                switch (r) {
                    case InMemory m -> b = m.address();
                    case Computed v -> b = v.value();
                    case InRegister ir when ir.value().isPresent() -> b = ir.value().getAsLong();
                    default -> throw new Stop("relative to the frame base", "the frame base is not known: "
                            + (r instanceof Unknown u ? u.reason() : r.where()));
                }
                d = "frame base" + signed(off);
            }
            push(b + off);
            note(d);
        }

        private void deref(int size) {
            long a = pop();
            try {
                byte[] b = f.memory().read(a, size);
                push(Bytes.of(b, ByteOrder.LITTLE_ENDIAN).uN(0, size));
            } catch (FaultException e) {
                throw new Stop(memoryWhere(a), "not in the dump: " + e.getMessage());
            }
            if (base != null && !base.startsWith("*")) {
                base = "*(" + base + ")";
            }
        }
    }

    static String signed(long off) {
        return off < 0 ? "-0x" + Long.toHexString(-off) : "+0x" + Long.toHexString(off);
    }
}
