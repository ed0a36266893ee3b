package org.coroner.dwarf.loc;

import java.util.Optional;

import org.coroner.dwarf.CompileUnit;
import org.coroner.dwarf.Die;
import org.coroner.dwarf.Symbolizer;

/** C names of DWARF types, pointer targets and struct members by offset. */
public final class TypeNames {
    static final int DW_TAG_pointer_type = 0x0f, DW_TAG_typedef = 0x16, DW_TAG_const = 0x26, DW_TAG_volatile = 0x35,
            DW_TAG_restrict = 0x37, DW_TAG_atomic = 0x47, DW_TAG_structure = 0x13, DW_TAG_union = 0x17,
            DW_TAG_enumeration = 0x04, DW_TAG_base = 0x24, DW_TAG_member = 0x0d, DW_TAG_array = 0x01,
            DW_TAG_subroutine = 0x15, DW_TAG_subrange = 0x21, DW_TAG_enumerator = 0x28;
    static final int DW_AT_name = 0x03, DW_AT_type = 0x49, DW_AT_data_member_location = 0x38, DW_AT_declaration = 0x3c,
            DW_AT_byte_size = 0x0b, DW_AT_upper_bound = 0x2f, DW_AT_count = 0x37, DW_AT_encoding = 0x3e,
            DW_AT_const_value = 0x1c;

    /** A struct member found at an offset: its path ({@code ops}, {@code u.list.next}), exact offset and type. */
    public record Member(String path, long offset, Die type) {
    }

    private TypeNames() {
    }

    public static Die target(Symbolizer s, Die d) {
        return d == null || !d.has(DW_AT_type) ? null : s.dieAt(d.value(DW_AT_type, 0));
    }

    /** Without typedefs and qualifiers. */
    public static Die strip(Symbolizer s, Die t) {
        for (int i = 0; t != null && i < 16; i++) {
            int tag = t.tag();
            if (tag != DW_TAG_typedef && tag != DW_TAG_const && tag != DW_TAG_volatile && tag != DW_TAG_restrict
                    && tag != DW_TAG_atomic) {
                return t;
            }
            t = target(s, t);
        }
        return t;
    }

    /** The struct/union a pointer type points to (stripped), if it is one. */
    public static Optional<Die> pointee(Symbolizer s, Die t) {
        Die p = strip(s, t);
        if (p == null || p.tag() != DW_TAG_pointer_type) {
            return Optional.empty();
        }
        Die tgt = strip(s, target(s, p));
        return Optional.ofNullable(tgt).map(x -> complete(s, x));
    }

    /** A struct declared but not defined here: its definition elsewhere in the same unit, when there is one. */
    static Die complete(Symbolizer s, Die t) {
        if (!t.has(DW_AT_declaration) || t.string(DW_AT_name) == null) {
            return t;
        }
        String name = t.string(DW_AT_name);
        CompileUnit cu = t.unit();
        Die root = cu.root();
        long off = root.next();
        while (true) {
            Die k = cu.readDie(off);
            if (k == null) {
                return t;
            }
            if (k.tag() == t.tag() && !k.has(DW_AT_declaration) && name.equals(k.string(DW_AT_name))) {
                return k;
            }
            off = k.hasChildren() ? (k.value(0x01, -1) > 0 ? k.value(0x01, -1) : cu.skipChildren(k)) : k.next();
        }
    }

    /** The C spelling of a type: {@code struct lab_dev *}, {@code unsigned long}, {@code const char *}. */
    public static String cName(Symbolizer s, Die t) {
        if (t == null) {
            return "void";
        }
        String n = t.string(DW_AT_name);
        return switch (t.tag()) {
            case DW_TAG_pointer_type -> {
                Die tgt = target(s, t);
                yield tgt != null && tgt.tag() == DW_TAG_subroutine ? "function pointer" : cName(s, tgt) + " *";
            }
            case DW_TAG_structure -> "struct " + (n == null ? "{...}" : n);
            case DW_TAG_union -> "union " + (n == null ? "{...}" : n);
            case DW_TAG_enumeration -> "enum " + (n == null ? "{...}" : n);
            // a qualified array is an array of qualified elements (C11 6.7.3p9): the elements say it
            case DW_TAG_const -> isArray(s, target(s, t)) ? cName(s, target(s, t)) : "const " + cName(s, target(s, t));
            case DW_TAG_volatile -> isArray(s, target(s, t)) ? cName(s, target(s, t)) : "volatile " + cName(s, target(s, t));
            case DW_TAG_array -> {
                long len = arrayLength(t);
                yield cName(s, target(s, t)) + (len < 0 ? "[]" : "[" + len + "]");
            }
            default -> n != null ? n : "?";
        };
    }

    /**
     * The member of a struct/union that contains {@code offset}, descending into nested anonymous and
     * named aggregates so that the path names the innermost member starting at that offset.
     */
    public static Optional<Member> memberAt(Symbolizer s, Die struct, long offset) {
        struct = complete(s, struct);
        if (!struct.hasChildren()) {
            return Optional.empty();
        }
        CompileUnit cu = struct.unit();
        long off = struct.next();
        Member best = null;
        while (true) {
            Die k = cu.readDie(off);
            if (k == null) {
                break;
            }
            if (k.tag() == DW_TAG_member) {
                long mo = k.value(DW_AT_data_member_location, 0);
                Die mt = target(s, k);
                long size = size(s, mt);
                if (offset >= mo && (offset < mo + Math.max(size, 1) || size < 0)) {
                    String name = k.string(DW_AT_name);
                    Die st = strip(s, mt);
                    if (st != null && (st.tag() == DW_TAG_structure || st.tag() == DW_TAG_union) && (offset > mo || name == null)) {
                        Optional<Member> inner = memberAt(s, st, offset - mo);
                        if (inner.isPresent()) {
                            String path = name == null ? inner.get().path() : name + "." + inner.get().path();
                            best = new Member(path, mo + inner.get().offset(), inner.get().type());
                            break;
                        }
                    }
                    if (name != null && mo == offset) {
                        best = new Member(name, mo, mt);
                        break;
                    }
                    if (name != null && best == null) {
                        best = new Member(name, mo, mt);
                    }
                }
            }
            off = k.hasChildren() ? cu.skipChildren(k) : k.next();
        }
        return Optional.ofNullable(best);
    }

    private static boolean isArray(Symbolizer s, Die t) {
        Die x = strip(s, t);
        return x != null && x.tag() == DW_TAG_array;
    }

    /** The element count of an array type's first dimension, -1 when not given (flexible arrays). */
    public static long arrayLength(Die array) {
        if (array == null || array.tag() != DW_TAG_array || !array.hasChildren()) {
            return -1;
        }
        Die sub = array.unit().readDie(array.next());
        if (sub == null || sub.tag() != DW_TAG_subrange) {
            return -1;
        }
        if (sub.has(DW_AT_count)) {
            return sub.value(DW_AT_count, -1);
        }
        return sub.has(DW_AT_upper_bound) ? sub.value(DW_AT_upper_bound, -2) + 1 : -1;
    }

    /** DW_AT_encoding of a base type (after typedefs and qualifiers), 0 when not a base type. */
    public static int encoding(Symbolizer s, Die t) {
        Die b = strip(s, t);
        return b == null || b.tag() != DW_TAG_base ? 0 : (int) b.value(DW_AT_encoding, 0);
    }

    /** The name of an enumeration's enumerator with {@code value}, if it has one. */
    public static Optional<String> enumerator(Symbolizer s, Die t, long value) {
        Die e = strip(s, t);
        if (e == null || e.tag() != DW_TAG_enumeration || !e.hasChildren()) {
            return Optional.empty();
        }
        CompileUnit cu = e.unit();
        long off = e.next();
        while (true) {
            Die k = cu.readDie(off);
            if (k == null) {
                return Optional.empty();
            }
            if (k.tag() == DW_TAG_enumerator && k.value(DW_AT_const_value, Long.MIN_VALUE) == value) {
                return Optional.ofNullable(k.string(DW_AT_name));
            }
            off = k.next();
        }
    }

    /** Byte size of a type, -1 when unknown. */
    public static long size(Symbolizer s, Die t) {
        for (int i = 0; t != null && i < 16; i++) {
            if (t.has(DW_AT_byte_size)) {
                return t.value(DW_AT_byte_size, -1);
            }
            if (t.tag() == DW_TAG_array) {
                long n = arrayLength(t);
                long e = size(s, target(s, t));
                return n < 0 || e < 0 ? -1 : n * e;
            }
            if (t.tag() == DW_TAG_pointer_type) {
                return 8;
            }
            t = complete(s, t).has(DW_AT_byte_size) ? complete(s, t) : target(s, t);
        }
        return -1;
    }
}
