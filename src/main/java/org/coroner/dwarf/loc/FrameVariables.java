package org.coroner.dwarf.loc;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.IntFunction;

import org.coroner.dwarf.Die;
import org.coroner.dwarf.Form;
import org.coroner.dwarf.Symbolizer;
import org.coroner.io.Bytes;
import org.coroner.io.Cursor;
import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;

/**
 * The parameters and locals of one frame with their values, from DWARF: each variable's location at
 * the frame's pc evaluated with what the frame knows (the registers an exception frame or CPU note
 * saved; the CFA from the unwinder; memory), or the exact reason it cannot be: no location there
 * (optimized out), a register this frame did not preserve, an entry value of the caller.
 */
public final class FrameVariables {
    static final int DW_AT_const_value = 0x1c, DW_AT_frame_base = 0x40;
    /** One variable: where it lives at this pc and its value, or why there is none. */
    public record Value(String name, boolean parameter, String type, String where, OptionalLong value, String reason) {
        public String render() {
            StringBuilder b = new StringBuilder(name).append(" = ");
            if (aggregate(type)) {
                b.append('(').append(type).append(')').append(where != null && where.contains("0x")
                        ? " at " + where.substring(where.lastIndexOf("0x")) : "");
            } else if (value.isPresent()) {
                long v = value.getAsLong();
                b.append('(').append(type).append(") ");
                b.append(type.endsWith("*") ? "0x" + Long.toHexString(v) : v + " (0x" + Long.toHexString(v) + ")");
            } else {
                b.append("<").append(reason).append(">");
            }
            b.append("   [").append(parameter ? "parameter" : "local").append(where == null ? "" : ", " + where).append(']');
            return b.toString();
        }
    }

    private static boolean aggregate(String type) {
        return type.startsWith("struct ") && !type.endsWith("*") || type.startsWith("union ") && !type.endsWith("*")
                || type.endsWith("[]") || type.equals("va_list");
    }

    private FrameVariables() {
    }

    /**
     * @param pc        the frame's code address in the file's address space (a call frame: the call
     *                  instruction, i.e. return address - 1)
     * @param registers DWARF register number → value, empty when this frame does not know it
     * @param cfa       the canonical frame address (SP before the call into this function), if known
     */
    public static List<Value> evaluate(Symbolizer s, long pc, IntFunction<OptionalLong> registers, OptionalLong cfa,
                                       VirtualMemory mem) {
        List<Value> out = new ArrayList<>();
        for (Variables.Variable v : Variables.at(s, pc)) {
            String type = TypeNames.cName(s, v.typeDie());
            long size = Math.max(1, Math.min(8, TypeNames.size(s, v.typeDie())));
            Die d = v.die();
            if (d.has(DW_AT_const_value)) {
                int form = d.form(DW_AT_const_value);
                long val = d.value(DW_AT_const_value, 0);
                if (form == Form.block1 || form == Form.block || form == Form.exprloc) {
                    out.add(new Value(v.name(), v.parameter(), type, "constant", OptionalLong.empty(), "constant block"));
                } else {
                    out.add(new Value(v.name(), v.parameter(), type,
                            "constant in this code (the compiler propagated it)", OptionalLong.of(val), null));
                }
                continue;
            }
            if (v.expression() == null) {
                out.add(new Value(v.name(), v.parameter(), type, null, OptionalLong.empty(), "optimized out at this pc"));
                continue;
            }
            out.add(eval(v, type, size, v.expression(), registers, cfa, mem));
        }
        return out;
    }

    private static Value eval(Variables.Variable v, String type, long size, byte[] expr, IntFunction<OptionalLong> regs,
                              OptionalLong cfa, VirtualMemory mem) {
        Cursor c = new Cursor(Bytes.of(expr, java.nio.ByteOrder.LITTLE_ENDIAN), 0);
        Deque<Long> st = new ArrayDeque<>();
        String where = null;
        boolean isValue = false;
        while (!c.atEnd()) {
            int op = c.u8();
            if (op >= 0x50 && op <= 0x6f || op == 0x90) { // DW_OP_regN / regx: the value is in a register
                int r = op == 0x90 ? (int) c.uleb() : op - 0x50;
                where = "in %" + reg(r);
                if (!c.atEnd()) {
                    return new Value(v.name(), v.parameter(), type, where + " (in pieces)", OptionalLong.empty(),
                            "split over several locations");
                }
                OptionalLong x = regs.apply(r);
                return x.isPresent() ? new Value(v.name(), v.parameter(), type, where, mask(x.getAsLong(), size), null)
                        : new Value(v.name(), v.parameter(), type, where, OptionalLong.empty(),
                        "in %" + reg(r) + ", not known in this frame");
            }
            switch (op) {
                case 0x03 -> st.push(c.u64()); // addr
                case 0x08 -> st.push((long) c.u8());
                case 0x09 -> st.push((long) (byte) c.u8());
                case 0x0a -> st.push((long) c.u16());
                case 0x0b -> st.push((long) (short) c.u16());
                case 0x0c -> st.push(c.u32());
                case 0x0d -> st.push((long) c.s32());
                case 0x0e, 0x0f -> st.push(c.u64());
                case 0x10 -> st.push(c.uleb());
                case 0x11 -> st.push(c.sleb());
                case 0x12 -> st.push(st.peek()); // dup
                case 0x13 -> st.pop(); // drop
                case 0x1c -> { // minus
                    long b = st.pop();
                    st.push(st.pop() - b);
                }
                case 0x22 -> st.push(st.pop() + st.pop()); // plus
                case 0x23 -> st.push(st.pop() + c.uleb()); // plus_uconst
                case 0x06 -> { // deref
                    try {
                        st.push(mem.u64(st.pop()));
                    } catch (FaultException e) {
                        return new Value(v.name(), v.parameter(), type, where, OptionalLong.empty(), "unreadable: " + e.getMessage());
                    }
                }
                case 0x91 -> { // fbreg: frame base is the CFA (DW_OP_call_frame_cfa) for this kernel's code
                    long off = c.sleb();
                    if (cfa.isEmpty()) {
                        return new Value(v.name(), v.parameter(), type, "on the stack at CFA" + signed(off), OptionalLong.empty(),
                                "the frame's CFA is not known");
                    }
                    where = "on the stack at CFA" + signed(off) + " = 0x" + Long.toHexString(cfa.getAsLong() + off);
                    st.push(cfa.getAsLong() + off);
                }
                case 0x9c -> { // call_frame_cfa
                    if (cfa.isEmpty()) {
                        return new Value(v.name(), v.parameter(), type, "CFA-relative", OptionalLong.empty(), "the frame's CFA is not known");
                    }
                    st.push(cfa.getAsLong());
                }
                case 0x92 -> { // bregx
                    int r = (int) c.uleb();
                    long off = c.sleb();
                    OptionalLong x = regs.apply(r);
                    if (x.isEmpty()) {
                        return new Value(v.name(), v.parameter(), type, "at %" + reg(r) + signed(off), OptionalLong.empty(),
                                "relative to %" + reg(r) + ", not known in this frame");
                    }
                    where = "at %" + reg(r) + signed(off);
                    st.push(x.getAsLong() + off);
                }
                case 0x9f -> isValue = true; // stack_value
                case 0x9e -> { // implicit_value
                    long len = c.uleb();
                    long val = len <= 8 ? Bytes.of(expr, java.nio.ByteOrder.LITTLE_ENDIAN).uN(c.pos(), (int) len) : 0;
                    c.skip(len);
                    return new Value(v.name(), v.parameter(), type, "implicit value", OptionalLong.of(val), null);
                }
                case 0xa3, 0xf3 -> { // entry_value / GNU_entry_value
                    long len = c.uleb();
                    int inner = expr[(int) c.pos()] & 0xff;
                    c.skip(len);
                    String r = inner >= 0x50 && inner <= 0x6f ? "%" + reg(inner - 0x50) : "an expression";
                    return new Value(v.name(), v.parameter(), type, "the value " + r + " had on entry to the function",
                            OptionalLong.empty(), "entry value of " + r + ": the caller's registers at the call are needed");
                }
                case 0x93 -> {
                    return new Value(v.name(), v.parameter(), type, "in pieces", OptionalLong.empty(), "split over several locations");
                }
                default -> {
                    if (op >= 0x30 && op <= 0x4f) {
                        st.push((long) (op - 0x30)); // litN
                    } else if (op >= 0x70 && op <= 0x8f) { // bregN
                        int r = op - 0x70;
                        long off = c.sleb();
                        OptionalLong x = regs.apply(r);
                        if (x.isEmpty()) {
                            return new Value(v.name(), v.parameter(), type, "at %" + reg(r) + signed(off), OptionalLong.empty(),
                                    "relative to %" + reg(r) + ", not known in this frame");
                        }
                        where = where == null ? "at %" + reg(r) + signed(off) : where;
                        st.push(x.getAsLong() + off);
                    } else {
                        return new Value(v.name(), v.parameter(), type, "DWARF expression", OptionalLong.empty(),
                                "DWARF operation 0x" + Integer.toHexString(op) + " not evaluated");
                    }
                }
            }
        }
        if (st.isEmpty()) {
            return new Value(v.name(), v.parameter(), type, where, OptionalLong.empty(), "empty location");
        }
        long top = st.pop();
        if (isValue) {
            return new Value(v.name(), v.parameter(), type, where == null ? "computed" : "computed from " + where.replace("at ", ""),
                    mask(top, size), null);
        }
        try {
            byte[] b = mem.read(top, (int) size);
            long val = Bytes.of(b, java.nio.ByteOrder.LITTLE_ENDIAN).uN(0, (int) size);
            return new Value(v.name(), v.parameter(), type, where == null ? "in memory at 0x" + Long.toHexString(top) : where,
                    OptionalLong.of(val), null);
        } catch (FaultException e) {
            return new Value(v.name(), v.parameter(), type, "in memory at 0x" + Long.toHexString(top), OptionalLong.empty(),
                    "not in the dump: " + e.getMessage());
        }
    }

    private static OptionalLong mask(long v, long size) {
        return OptionalLong.of(size >= 8 ? v : v & ((1L << (8 * size)) - 1));
    }

    private static String reg(int r) {
        return X86DwarfRegisters.name(r);
    }

    private static String signed(long off) {
        return off < 0 ? "-0x" + Long.toHexString(-off) : "+0x" + Long.toHexString(off);
    }
}
