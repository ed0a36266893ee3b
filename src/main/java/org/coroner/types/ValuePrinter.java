package org.coroner.types;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;

import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;

/**
 * Values printed as gdb prints them under crash (pretty structs, no repeat compression, at most 256
 * elements or characters): nested structs and unions indented two spaces a level, anonymous members
 * without a name, pointers as {@code 0x...} with {@code <symbol+offset>} when they point into a
 * symbol, char arrays and char pointers as strings with octal escapes, enums by name (flag enums as
 * {@code (A | B)}), bools as {@code true}/{@code false}, chars as {@code 115 's'}, functions as
 * {@code {void (void)} 0x... <name>}. {@link Format#HEX} and {@link Format#DECIMAL} are gdb's
 * {@code p/x} and {@code p/d}; {@code radix16} is crash's {@code -x} (gdb's output-radix 16).
 */
public final class ValuePrinter {
    /** gdb's print format letter: none, {@code /x}, {@code /d}. */
    public enum Format { NATURAL, HEX, DECIMAL }

    public static final int PRINT_MAX = 256;

    /** The address of a value that is not in memory (computed): no canonical address is this. */
    public static final long NOWHERE = Long.MIN_VALUE;

    private final VirtualMemory mem;
    private final LongFunction<Optional<String>> symbols;
    private final Format format;
    private final boolean radix16;

    /**
     * @param symbols the {@code symbol+offset} containing an address, for pointer values
     */
    public ValuePrinter(VirtualMemory mem, LongFunction<Optional<String>> symbols, Format format, boolean radix16) {
        this.mem = mem;
        this.symbols = symbols;
        this.format = format;
        this.radix16 = radix16;
    }

    /** A value as {@code print} shows it after {@code $N = }: top-level pointers get their type in parentheses. */
    public String top(CType type, byte[] data, long address) {
        StringBuilder b = new StringBuilder();
        CType r = stripQualifiers(type);
        if (r.kind() == CType.Kind.POINTER && format == Format.NATURAL) {
            CType target = stripQualifiers(r.target() == null ? BaseTypes.VOID : r.target());
            boolean plainChar = target.kind() == CType.Kind.CHAR && "char".equals(BaseTypes.canonical(target.name()));
            if (!plainChar) {
                b.append('(').append(TypePrinter.name(type)).append(") ");
            }
        } else if (r.kind() == CType.Kind.TYPEDEF && r.resolve().kind() == CType.Kind.POINTER && format == Format.NATURAL) {
            b.append('(').append(TypePrinter.name(type)).append(") ");
        }
        value(b, type, data, 0, address, 0);
        return b.toString();
    }

    /** A value as gdb's {@code output} prints it (crash's {@code struct ADDR}): no type prefix. */
    public String plain(CType type, byte[] data, long address) {
        StringBuilder b = new StringBuilder();
        value(b, type, data, 0, address, 0);
        return b.toString();
    }

    private static CType stripQualifiers(CType t) {
        while (t.kind() == CType.Kind.CONST || t.kind() == CType.Kind.VOLATILE) {
            t = t.target();
        }
        return t;
    }

    /** One value at {@code data[off]} ({@code address}: where it is in memory, {@link #NOWHERE} if nowhere). */
    public void value(StringBuilder b, CType type, byte[] data, int off, long address, int recurse) {
        CType t = type.resolve();
        switch (t.kind()) {
            case STRUCT, UNION -> aggregate(b, t, data, off, address, recurse);
            case ARRAY -> array(b, t, data, off, address, recurse);
            case POINTER -> pointer(b, t, read(data, off, 8, false));
            case FUNCTION -> {
                b.append('{').append(TypePrinter.name(type)).append("} ");
                address(b, address, true);
            }
            case ENUM -> enumeration(b, t, read(data, off, (int) t.size(), t.isSigned()));
            case BOOL -> bool(b, t, read(data, off, (int) Math.max(1, t.size()), false));
            case CHAR -> character(b, t, read(data, off, 1, t.isSigned()));
            case FLOAT -> floating(b, t, data, off);
            case VOID -> b.append("void");
            default -> integer(b, t, read(data, off, (int) t.size(), t.isSigned()));
        }
    }

    private void aggregate(StringBuilder b, CType t, byte[] data, int off, long address, int recurse) {
        List<CType.Field> fields = t.fields();
        if (fields.isEmpty()) {
            b.append("{<No data fields>}");
            return;
        }
        b.append('{');
        boolean first = true;
        for (CType.Field f : fields) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append('\n').append(" ".repeat(2 + 2 * recurse));
            if (!f.name().isEmpty()) {
                b.append(f.name()).append(" = ");
            }
            if (f.bitSize() != 0) {
                bitField(b, f, data, off);
            } else {
                int fo = off + (int) f.offset();
                value(b, f.type(), data, fo, address == NOWHERE ? NOWHERE : address + f.offset(), recurse + 1);
            }
        }
        b.append('\n').append(" ".repeat(2 * recurse)).append('}');
    }

    /**
     * A member's value inside an object's bytes ({@code data[off]} is the object's start), printed at
     * nesting depth {@code recurse}: bit fields extracted, other members as values.
     */
    public void field(StringBuilder b, CType.Field f, byte[] data, int off, long address, int recurse) {
        if (f.bitSize() != 0) {
            bitField(b, f, data, off);
        } else {
            value(b, f.type(), data, off + (int) f.offset(), address == NOWHERE ? NOWHERE : address + f.offset(), recurse);
        }
    }

    private void bitField(StringBuilder b, CType.Field f, byte[] data, int off) {
        long bitPos = f.bitOffset();
        int first = off + (int) (bitPos / 8);
        int shift = (int) (bitPos % 8);
        int bytes = (shift + f.bitSize() + 7) / 8;
        long raw = 0;
        for (int k = 0; k < bytes && k < 8; k++) {
            raw |= (long) (data[first + k] & 0xff) << (8 * k);
        }
        if (bytes > 8) {
            raw = raw >>> shift | (long) (data[first + 8] & 0xff) << (64 - shift);
        } else {
            raw >>>= shift;
        }
        long v = f.bitSize() >= 64 ? raw : raw & ((1L << f.bitSize()) - 1);
        CType t = f.type().resolve();
        if (t.isSigned() && f.bitSize() < 64 && t.kind() != CType.Kind.ENUM) {
            int s = 64 - f.bitSize();
            v = (v << s) >> s;
        }
        switch (t.kind()) {
            case ENUM -> enumeration(b, t, v);
            case BOOL -> bool(b, t, v);
            case CHAR -> character(b, t, v);
            default -> {
                if (format == Format.HEX || radix16) {
                    b.append("0x").append(Long.toHexString(f.bitSize() >= 64 ? v : v & ((1L << f.bitSize()) - 1)));
                } else {
                    integer(b, t, v);
                }
            }
        }
    }

    private void array(StringBuilder b, CType t, byte[] data, int off, long address, int recurse) {
        CType elt = t.target();
        CType er = elt.resolve();
        long n = t.length();
        if (n == 0 || er.size() == 0) {
            // an array of unspecified length: gdb shows it as a pointer to its first element
            address(b, address, false);
            if (textual(er) && address != NOWHERE && address != 0) {
                b.append(' ');
                string(b, address);
            }
            return;
        }
        if (textual(er)) {
            int len = (int) n;
            if (len > 0 && data[off + len - 1] == 0) {
                len--; // a trailing NUL is the terminator, not a character
            }
            int shown = shownLength(data, off, len);
            quoted(b, data, off, shown, '"');
            if (shown < len) {
                b.append("...");
            }
            return;
        }
        b.append('{');
        long es = er.size();
        long shown = Math.min(n, PRINT_MAX);
        for (long i = 0; i < shown; i++) {
            if (i > 0) {
                b.append(", ");
            }
            value(b, elt, data, off + (int) (i * es), address == NOWHERE ? NOWHERE : address + i * es, recurse + 1);
        }
        if (n > shown) {
            b.append("...");
        }
        b.append('}');
    }

    /**
     * How many characters gdb prints of a string of {@code len}: it takes whole runs of a repeated
     * character until {@link #PRINT_MAX} characters are reached, so the run that crosses the limit is
     * printed to its end.
     */
    static int shownLength(byte[] data, int off, int len) {
        int i = 0;
        while (i < len && i < PRINT_MAX) {
            int run = 1;
            while (i + run < len && data[off + i + run] == data[off + i]) {
                run++;
            }
            i += run;
        }
        return i;
    }

    /** Char-like element types print as text (not under {@code /x} or {@code /d}). */
    private boolean textual(CType r) {
        return format == Format.NATURAL && r.kind() == CType.Kind.CHAR && r.size() == 1;
    }

    private void pointer(StringBuilder b, CType t, long v) {
        switch (format) {
            case HEX -> {
                b.append("0x").append(Long.toHexString(v));
                return;
            }
            case DECIMAL -> {
                b.append(v);
                return;
            }
            default -> {
            }
        }
        CType target = t.target() == null ? BaseTypes.VOID : t.target().resolve();
        address(b, v, true);
        if (target.kind() != CType.Kind.FUNCTION && textual(target) && v != 0) {
            b.append(' ');
            string(b, v);
        }
    }

    /** An address: {@code 0x...} and, when it lies in a symbol, {@code <symbol+offset>}. */
    private void address(StringBuilder b, long v, boolean symbolic) {
        b.append("0x").append(Long.toHexString(v));
        if (v != 0) {
            symbols.apply(v).ifPresent(s -> b.append(" <").append(s).append('>'));
        }
    }

    /** A NUL-terminated string in memory, at most {@link #PRINT_MAX} characters, as gdb's val_print_string. */
    private void string(StringBuilder b, long at) {
        byte[] buf = new byte[PRINT_MAX];
        int n = 0;
        boolean nul = false;
        FaultException fault = null;
        try {
            for (; n < PRINT_MAX; n++) {
                buf[n] = (byte) mem.u8(at + n);
                if (buf[n] == 0) {
                    nul = true;
                    break;
                }
            }
        } catch (FaultException e) {
            fault = e;
        }
        if (fault != null && n == 0) {
            b.append("<error: Cannot access memory at address 0x").append(Long.toHexString(at)).append('>');
            return;
        }
        quoted(b, buf, 0, n, '"');
        if (fault != null) {
            b.append("<error: Cannot access memory at address 0x").append(Long.toHexString(at + n)).append('>');
        } else if (!nul) {
            // gdb looks one character past its limit: a string that ends right there is complete
            boolean more;
            try {
                more = mem.u8(at + n) != 0;
            } catch (FaultException e) {
                more = false;
            }
            if (more) {
                b.append("...");
            }
        }
    }

    private void enumeration(StringBuilder b, CType t, long v) {
        if (format != Format.NATURAL) {
            integer(b, BaseTypes.integer((int) Math.max(1, t.size()), t.isSigned()), v);
            return;
        }
        Map<String, Long> e = t.enumerators();
        for (var en : e.entrySet()) {
            if (en.getValue() == v) {
                b.append(en.getKey());
                return;
            }
        }
        if (isFlagEnum(e)) {
            boolean first = true;
            long rest = v;
            for (var en : e.entrySet()) {
                long ev = en.getValue();
                if (ev != 0 && (rest & ev) != 0) {
                    b.append(first ? "(" : " | ").append(en.getKey());
                    first = false;
                    rest &= ~ev;
                }
            }
            if (rest != 0) {
                b.append(first ? "(unknown: " : " | unknown: ").append("0x").append(Long.toHexString(rest)).append(')');
            } else if (first) {
                b.append('0');
            } else {
                b.append(')');
            }
            return;
        }
        b.append(v);
    }

    /** gdb's flag enum: every value non-negative with at most one bit, no bit used twice. */
    static boolean isFlagEnum(Map<String, Long> e) {
        long mask = 0;
        for (long v : e.values()) {
            if (v < 0 || Long.bitCount(v) > 1 || (mask & v) != 0) {
                return false;
            }
            mask |= v;
        }
        return true;
    }

    private void bool(StringBuilder b, CType t, long v) {
        if (format != Format.NATURAL || radix16) {
            integer(b, BaseTypes.UNSIGNED_CHAR, v);
            return;
        }
        b.append(v == 0 ? "false" : v == 1 ? "true" : Long.toString(v));
    }

    private void character(StringBuilder b, CType t, long v) {
        if (format != Format.NATURAL || radix16) {
            integer(b, t, v);
            return;
        }
        b.append(v).append(' ');
        quoted(b, new byte[] {(byte) v}, 0, 1, '\'');
    }

    private void integer(StringBuilder b, CType t, long v) {
        int size = (int) Math.max(1, Math.min(8, t.size()));
        long mask = size >= 8 ? -1L : (1L << (8 * size)) - 1;
        if (format == Format.HEX || format == Format.NATURAL && radix16) {
            b.append("0x").append(Long.toHexString(v & mask));
        } else if (format == Format.DECIMAL) {
            int s = 64 - 8 * size;
            b.append((v << s) >> s);
        } else if (t.isSigned()) {
            b.append(v);
        } else {
            b.append(Long.toUnsignedString(v & mask));
        }
    }

    private void floating(StringBuilder b, CType t, byte[] data, int off) {
        ByteBuffer bb = ByteBuffer.wrap(data, off, (int) t.size()).order(ByteOrder.LITTLE_ENDIAN);
        double d = t.size() == 4 ? bb.getFloat() : bb.getDouble();
        b.append(d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d));
    }

    /** Reads a little-endian integer of {@code size} bytes, sign-extended when {@code signed}. */
    static long read(byte[] data, int off, int size, boolean signed) {
        long v = 0;
        int n = Math.min(size, 8);
        for (int k = 0; k < n; k++) {
            v |= (long) (data[off + k] & 0xff) << (8 * k);
        }
        if (signed && n < 8) {
            int s = 64 - 8 * n;
            v = (v << s) >> s;
        }
        return v;
    }

    /**
     * Characters in gdb's quoting: printable ASCII as is ({@code \} and the quote escaped), the usual
     * letter escapes, everything else as a three-digit octal escape; a digit right after an octal
     * escape is escaped too, so that it cannot be read as part of it.
     */
    public static void quoted(StringBuilder b, byte[] s, int off, int len, char quote) {
        b.append(quote);
        boolean needEscape = false;
        for (int i = off; i < off + len; i++) {
            int c = s[i] & 0xff;
            String named = switch (c) {
                case 7 -> "\\a";
                case 8 -> "\\b";
                case 12 -> "\\f";
                case 10 -> "\\n";
                case 13 -> "\\r";
                case 9 -> "\\t";
                case 11 -> "\\v";
                default -> null;
            };
            if (named != null) {
                b.append(named);
                needEscape = false;
            } else if (c >= 0x20 && c < 0x7f && !(needEscape && c >= '0' && c <= '9')) {
                if (c == quote || c == '\\') {
                    b.append('\\');
                }
                b.append((char) c);
                needEscape = false;
            } else {
                b.append('\\').append((char) ('0' + (c >> 6))).append((char) ('0' + ((c >> 3) & 7))).append((char) ('0' + (c & 7)));
                needEscape = true;
            }
        }
        b.append(quote);
    }
}
