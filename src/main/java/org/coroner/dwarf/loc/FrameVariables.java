package org.coroner.dwarf.loc;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongFunction;

import org.coroner.dwarf.Die;
import org.coroner.dwarf.Form;
import org.coroner.dwarf.Symbolizer;
import org.coroner.io.Bytes;
import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;

/**
 * The parameters and locals of one frame with their values, from DWARF: each variable's location at
 * the frame's pc evaluated in the frame ({@link DwarfExpression.Frame}: its recovered registers, its
 * CFA, its entry values, memory), or the exact reason it cannot be: no location there (optimized
 * out), a register this frame did not keep, an entry value the caller's call site does not give.
 */
public final class FrameVariables {
    static final int DW_AT_const_value = 0x1c, DW_AT_frame_base = 0x40;
    static final int DW_ATE_boolean = 0x02, DW_ATE_signed = 0x05, DW_ATE_signed_char = 0x06, DW_ATE_unsigned_char = 0x08;
    /** Characters of a string shown at most. */
    private static final int STRING_MAX = 64;

    /**
     * One variable: where it lives at this pc and its value, or why there is none.
     *
     * @param value   the value (scalars and pointers, up to 8 bytes), empty when not known or an aggregate
     * @param reason  why {@code value} is not known (null when it is, or for an aggregate with an address)
     * @param scope   the function it belongs to (the frame's, or one inlined into it)
     * @param inlined {@code scope} is inlined at this pc
     * @param detail  what the value points to or holds, shortly: {@code <symbol+off>}, a string, enumerator
     * @param address where an aggregate (struct, union, array) is in memory, when it is
     * @param pointer the type is a pointer (typedefs seen through): the value prints in hex
     */
    public record Value(String name, boolean parameter, String type, String where, OptionalLong value, String reason,
                        String scope, boolean inlined, String detail, OptionalLong address, boolean pointer) {
        public boolean known() {
            return value.isPresent() || address.isPresent();
        }

        public String render() {
            StringBuilder b = new StringBuilder(name).append(" = (").append(type).append(')');
            if (value.isPresent()) {
                long v = value.getAsLong();
                b.append(' ').append(pointer ? "0x" + Long.toHexString(v) : detail != null && detail.startsWith("=")
                        ? detail.substring(1) : v + " (0x" + Long.toHexString(v) + ")");
                if (detail != null && !detail.startsWith("=")) {
                    b.append(' ').append(detail);
                }
            } else if (address.isPresent()) {
                if (detail != null) {
                    b.append(' ').append(detail);
                }
                b.append(" at 0x").append(Long.toHexString(address.getAsLong()));
                if (type.startsWith("struct ") || type.startsWith("union ")) {
                    b.append(" (see: ").append(type).append(' ').append(Long.toHexString(address.getAsLong())).append(')');
                }
            } else {
                b.append(" <").append(reason).append('>');
            }
            b.append("   [").append(parameter ? "parameter" : "local").append(where == null ? "" : ", " + where).append(']');
            return b.toString();
        }
    }

    private FrameVariables() {
    }

    /**
     * @param pc      the frame's code address in the file's address space (a call frame: the call
     *                instruction, i.e. return address - 1)
     * @param frame   the frame the locations are evaluated in
     * @param symbols names run-time addresses ({@code <symbol+off>}) for pointer values, or empty
     */
    public static List<Value> evaluate(Symbolizer s, long pc, DwarfExpression.Frame frame, LongFunction<Optional<String>> symbols) {
        List<Value> out = new ArrayList<>();
        List<Die> scopes = s.scopes(pc);
        byte[] frameBase = scopes.isEmpty() ? null : Variables.block(scopes.get(0), DW_AT_frame_base).orElse(null);
        for (Variables.Variable v : Variables.at(s, pc)) {
            out.add(variable(s, v, frame.in(v.die().unit(), frameBase), symbols));
        }
        // the frame's own function first, then the functions inlined into it from the outermost in
        List<Value> ordered = new ArrayList<>();
        out.stream().filter(x -> !x.inlined()).forEach(ordered::add);
        List<String> inl = new ArrayList<>();
        for (int i = out.size() - 1; i >= 0; i--) {
            if (out.get(i).inlined() && !inl.contains(out.get(i).scope())) {
                inl.add(out.get(i).scope());
            }
        }
        for (String f : inl) {
            out.stream().filter(x -> x.inlined() && x.scope().equals(f)).forEach(ordered::add);
        }
        return ordered;
    }

    private static Value variable(Symbolizer s, Variables.Variable v, DwarfExpression.Frame f, LongFunction<Optional<String>> symbols) {
        Die t = v.typeDie();
        String type = TypeNames.cName(s, t);
        long size = TypeNames.size(s, t);
        Die d = v.die();
        Shape shape = Shape.of(s, t, size);
        if (d.has(DW_AT_const_value)) {
            int form = d.form(DW_AT_const_value);
            if (form == Form.block1 || form == Form.block || form == Form.block2 || form == Form.block4 || form == Form.exprloc) {
                byte[] b = Variables.block(d, DW_AT_const_value).orElse(new byte[0]);
                if (b.length <= 8 && b.length > 0 && !shape.aggregate) {
                    return scalar(s, v, type, t, shape, Bytes.of(b, ByteOrder.LITTLE_ENDIAN).uN(0, b.length),
                            "a constant in this code", f, symbols);
                }
                return value(v, type, "a constant in this code", OptionalLong.empty(), "a constant of " + b.length + " bytes",
                        null, OptionalLong.empty());
            }
            long val = d.value(DW_AT_const_value, 0);
            return scalar(s, v, type, t, shape, val, "constant in this code (the compiler propagated it)", f, symbols);
        }
        if (v.expression() == null) {
            return value(v, type, null, OptionalLong.empty(), "optimized out at this pc", null, OptionalLong.empty());
        }
        DwarfExpression.Result r = DwarfExpression.evaluate(v.expression(), f);
        return switch (r) {
            case DwarfExpression.InRegister ir -> ir.value().isPresent()
                    ? shape.aggregate ? value(v, type, ir.where(), OptionalLong.empty(),
                    "an aggregate in a register: 0x" + Long.toHexString(ir.value().getAsLong()), null, OptionalLong.empty())
                    : scalar(s, v, type, t, shape, mask(ir.value().getAsLong(), shape), ir.where(), f, symbols)
                    : value(v, type, ir.where(), OptionalLong.empty(), ir.reason(), null, OptionalLong.empty());
            case DwarfExpression.Computed c -> shape.aggregate
                    ? value(v, type, c.where(), OptionalLong.empty(), "an aggregate computed as 0x" + Long.toHexString(c.value()),
                    null, OptionalLong.empty())
                    : scalar(s, v, type, t, shape, mask(c.value(), shape), c.where(), f, symbols);
            case DwarfExpression.InMemory m -> memory(s, v, type, t, shape, m, f, symbols);
            case DwarfExpression.ImplicitBytes ib -> value(v, type, ib.where(), OptionalLong.empty(),
                    "a constant of " + ib.bytes().length + " bytes", null, OptionalLong.empty());
            case DwarfExpression.Pieces p -> pieces(s, v, type, t, shape, p, f, symbols);
            case DwarfExpression.Unknown u -> value(v, type, u.where(), OptionalLong.empty(), u.reason(), null, OptionalLong.empty());
        };
    }

    private static Value memory(Symbolizer s, Variables.Variable v, String type, Die t, Shape shape, DwarfExpression.InMemory m,
                                DwarfExpression.Frame f, LongFunction<Optional<String>> symbols) {
        if (shape.aggregate) {
            String detail = shape.charArray ? string(f.memory(), m.address(), (int) Math.min(Math.max(shape.length, 0), STRING_MAX))
                    : null;
            return value(v, type, m.where(), OptionalLong.empty(), null, detail, OptionalLong.of(m.address()));
        }
        int n = (int) Math.max(1, Math.min(8, shape.size));
        try {
            byte[] b = f.memory().read(m.address(), n);
            return scalar(s, v, type, t, shape, Bytes.of(b, ByteOrder.LITTLE_ENDIAN).uN(0, n), m.where(), f, symbols);
        } catch (FaultException e) {
            return value(v, type, m.where(), OptionalLong.empty(), "not in the dump: " + e.getMessage(), null, OptionalLong.empty());
        }
    }

    /** A value split over registers and memory: assembled when it is a scalar whose every piece is known. */
    private static Value pieces(Symbolizer s, Variables.Variable v, String type, Die t, Shape shape, DwarfExpression.Pieces p,
                                DwarfExpression.Frame f, LongFunction<Optional<String>> symbols) {
        long acc = 0;
        int bits = 0;
        String missing = null;
        for (DwarfExpression.Piece piece : p.pieces()) {
            OptionalLong part = switch (piece.part()) {
                case null -> OptionalLong.empty();
                case DwarfExpression.InRegister ir -> ir.value();
                case DwarfExpression.Computed c -> OptionalLong.of(c.value());
                case DwarfExpression.InMemory m -> {
                    try {
                        byte[] b = f.memory().read(m.address(), Math.min(8, Math.max(1, piece.size())));
                        yield OptionalLong.of(Bytes.of(b, ByteOrder.LITTLE_ENDIAN).uN(0, b.length));
                    } catch (FaultException e) {
                        yield OptionalLong.empty();
                    }
                }
                default -> OptionalLong.empty();
            };
            if (part.isEmpty()) {
                missing = missing == null ? (piece.part() == null ? "optimized out" : piece.part() instanceof
                        DwarfExpression.Unknown u ? u.reason() : piece.part() instanceof DwarfExpression.InRegister ir
                        ? ir.reason() : "not read") : missing;
                continue;
            }
            if (bits < 64 && piece.size() > 0) {
                long masked = piece.size() >= 8 ? part.getAsLong() : part.getAsLong() & ((1L << (8 * piece.size())) - 1);
                acc |= masked << bits;
            }
            bits += 8 * piece.size();
        }
        if (missing != null) {
            return value(v, type, p.where(), OptionalLong.empty(), "a piece is not known: " + missing, null, OptionalLong.empty());
        }
        if (shape.aggregate || bits > 64) {
            return value(v, type, p.where(), OptionalLong.empty(), "an aggregate in pieces (the places are named)", null,
                    OptionalLong.empty());
        }
        return scalar(s, v, type, t, shape, mask(acc, shape), p.where(), f, symbols);
    }

    /** A scalar's value with what is cheap and useful beside it. */
    private static Value scalar(Symbolizer s, Variables.Variable v, String type, Die t, Shape shape, long val, String where,
                                DwarfExpression.Frame f, LongFunction<Optional<String>> symbols) {
        String detail = null;
        if (shape.pointer) {
            if (shape.charPointer && val != 0) {
                detail = string(f.memory(), val, STRING_MAX);
            }
            if (detail == null && val != 0) {
                detail = symbols.apply(val).map(n -> "<" + n + ">").orElse(null);
            }
        } else if (shape.encoding == DW_ATE_boolean) {
            detail = "=" + (val != 0 ? "true" : "false");
        } else if (shape.enumeration) {
            detail = TypeNames.enumerator(s, t, val).map(n -> "=" + n + " (" + val + ")").orElse(null);
        } else if (shape.signed && shape.size > 0 && shape.size < 8) {
            long sx = val << (64 - 8 * shape.size) >> (64 - 8 * shape.size);
            if (sx < 0) {
                detail = "=" + sx + " (0x" + Long.toHexString(val) + ")";
            }
        } else if (shape.signed && val < 0) {
            detail = "=" + val + " (0x" + Long.toHexString(val) + ")";
        }
        return new Value(v.name(), v.parameter(), type, where, OptionalLong.of(val), null, v.scope(), v.inlined(), detail,
                OptionalLong.empty(), shape.pointer);
    }

    private static Value value(Variables.Variable v, String type, String where, OptionalLong value, String reason, String detail,
                               OptionalLong address) {
        return new Value(v.name(), v.parameter(), type, where, value, reason, v.scope(), v.inlined(), detail, address, false);
    }

    /** A NUL-terminated string at {@code address} in quotes, if it reads as text; null otherwise. */
    static String string(VirtualMemory mem, long address, int max) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < max; i++) {
            int c;
            try {
                c = mem.u8(address + i);
            } catch (FaultException e) {
                return i == 0 ? null : b.append("\"...").toString();
            }
            if (c == 0) {
                return b.append('"').toString();
            }
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c == '"' || c == '\\') {
                b.append('\\').append((char) c);
            } else if (c >= 0x20 && c < 0x7f) {
                b.append((char) c);
            } else if (i == 0 || c < 0x20) {
                return i == 0 ? null : b.append("\"...").toString();
            } else {
                b.append(String.format("\\%03o", c));
            }
        }
        return b.append("\"...").toString();
    }

    private static long mask(long v, Shape shape) {
        long size = Math.max(1, Math.min(8, shape.size));
        return size >= 8 ? v : v & ((1L << (8 * size)) - 1);
    }

    /** What rendering needs to know of a type. */
    private record Shape(long size, boolean aggregate, boolean pointer, boolean charPointer, boolean charArray, long length,
                         boolean signed, boolean enumeration, int encoding) {
        static Shape of(Symbolizer s, Die t, long size) {
            Die st = TypeNames.strip(s, t);
            int tag = st == null ? 0 : st.tag();
            boolean pointer = tag == TypeNames.DW_TAG_pointer_type || tag == 0x10 || tag == 0x42; // pointer, reference, rvalue ref
            boolean aggregate = tag == TypeNames.DW_TAG_structure || tag == TypeNames.DW_TAG_union || tag == TypeNames.DW_TAG_array
                    || tag == 0x02; // class
            Die elem = pointer || tag == TypeNames.DW_TAG_array ? TypeNames.target(s, st) : null;
            int elemEnc = elem == null ? 0 : TypeNames.encoding(s, elem);
            boolean charElem = elem != null && TypeNames.size(s, elem) == 1
                    && (elemEnc == DW_ATE_signed_char || elemEnc == DW_ATE_unsigned_char);
            int enc = TypeNames.encoding(s, t);
            return new Shape(pointer ? 8 : size, aggregate, pointer, pointer && charElem, tag == TypeNames.DW_TAG_array && charElem,
                    tag == TypeNames.DW_TAG_array ? TypeNames.arrayLength(st) : -1,
                    enc == DW_ATE_signed || enc == DW_ATE_signed_char, tag == TypeNames.DW_TAG_enumeration, enc);
        }
    }
}
