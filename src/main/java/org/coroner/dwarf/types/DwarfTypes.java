package org.coroner.dwarf.types;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

import org.coroner.dwarf.CompileUnit;
import org.coroner.dwarf.Die;
import org.coroner.dwarf.DwarfFile;
import org.coroner.dwarf.Form;
import org.coroner.io.Bytes;
import org.coroner.io.Cursor;
import org.coroner.types.BaseTypes;
import org.coroner.types.CType;
import org.coroner.types.DerivedTypes;
import org.coroner.types.TypePrinter;
import org.coroner.types.Types;

/**
 * {@link CType}s read from a file's DWARF: each a lazy view of one type DIE (members, enumerators,
 * parameters read on first use). What gdb shows is DWARF, so this is what module types (which have
 * no BTF) and the types of global variables come from. A struct only declared in one unit is
 * completed by its definition elsewhere: in this file's name index, else through {@code declarations}
 * (the kernel's BTF for a module's view of kernel structs).
 */
public final class DwarfTypes implements Types {
    static final int DW_TAG_array_type = 0x01, DW_TAG_enumeration_type = 0x04, DW_TAG_formal_parameter = 0x05,
            DW_TAG_member = 0x0d, DW_TAG_pointer_type = 0x0f, DW_TAG_structure_type = 0x13, DW_TAG_subroutine_type = 0x15,
            DW_TAG_typedef = 0x16, DW_TAG_union_type = 0x17, DW_TAG_unspecified_parameters = 0x18,
            DW_TAG_subrange_type = 0x21, DW_TAG_base_type = 0x24, DW_TAG_const_type = 0x26, DW_TAG_enumerator = 0x28,
            DW_TAG_subprogram = 0x2e, DW_TAG_variable = 0x34, DW_TAG_volatile_type = 0x35, DW_TAG_restrict_type = 0x37,
            DW_TAG_atomic_type = 0x47, DW_TAG_unspecified_type = 0x3b;
    static final int DW_AT_name = 0x03, DW_AT_byte_size = 0x0b, DW_AT_bit_offset = 0x0c, DW_AT_bit_size = 0x0d,
            DW_AT_const_value = 0x1c, DW_AT_lower_bound = 0x22, DW_AT_prototyped = 0x27, DW_AT_upper_bound = 0x2f,
            DW_AT_count = 0x37, DW_AT_data_member_location = 0x38, DW_AT_declaration = 0x3c, DW_AT_encoding = 0x3e,
            DW_AT_type = 0x49, DW_AT_data_bit_offset = 0x6b, DW_AT_sibling = 0x01, DW_AT_specification = 0x47;
    static final int DW_ATE_boolean = 2, DW_ATE_float = 4, DW_ATE_signed = 5, DW_ATE_signed_char = 6,
            DW_ATE_unsigned = 7, DW_ATE_unsigned_char = 8, DW_ATE_UTF = 0x10;

    private final DwarfFile dw;
    private final Supplier<DwarfNames> names;
    private final Function<String, Optional<CType>> declarations;
    private final boolean othersFirst;
    private final Map<Long, CType> cache = new ConcurrentHashMap<>();

    /**
     * @param names        this file's name index (built on first call)
     * @param declarations where else a declared-only struct, union or enum may be completed
     * @param othersFirst  ask {@code declarations} before this file's own index: for vmlinux, whose BTF
     *                     answers at once while its name index costs a scan of all its DWARF
     */
    public DwarfTypes(DwarfFile dw, Supplier<DwarfNames> names, Function<String, Optional<CType>> declarations,
                      boolean othersFirst) {
        this.dw = dw;
        this.names = names;
        this.declarations = declarations;
        this.othersFirst = othersFirst;
    }

    public DwarfFile dwarf() {
        return dw;
    }

    public DwarfNames names() {
        return names.get();
    }

    /** The type a type DIE describes; {@code void} for offset -1 (no DW_AT_type). */
    public CType type(long dieOffset) {
        if (dieOffset < 0) {
            return BaseTypes.VOID;
        }
        CType t = cache.get(dieOffset);
        if (t == null) {
            t = build(dieOffset);
            CType prev = cache.putIfAbsent(dieOffset, t);
            if (prev != null) {
                t = prev;
            }
        }
        return t;
    }

    /** The type of a variable or function DIE ({@code DW_AT_type} of a variable; the prototype of a subprogram). */
    public CType typeOf(long dieOffset) {
        Die d = dw.dieAt(dieOffset);
        if (d.tag() == DW_TAG_subprogram) {
            return type(dieOffset);
        }
        // a definition that completes a declaration carries only DW_AT_specification: the type is there
        for (int i = 0; i < 4 && d != null && !d.has(DW_AT_type) && d.has(DW_AT_specification); i++) {
            d = dw.dieAt(d.value(DW_AT_specification, 0));
        }
        return d == null ? BaseTypes.VOID : type(ref(d, DW_AT_type));
    }

    @Override
    public Optional<CType> lookup(String cName) {
        String n = cName.trim();
        Optional<CType> base = BaseTypes.lookup(n);
        if (base.isPresent() && !n.equals("void")) {
            return base;
        }
        return names().type(n).map(this::type);
    }

    @Override
    public CType pointerTo(CType t) {
        return DerivedTypes.pointer(t);
    }

    private static long ref(Die d, int at) {
        return d.has(at) ? d.value(at, -1) : -1;
    }

    /** The direct children of a DIE, in order (their own children skipped). */
    private static List<Die> children(Die parent) {
        List<Die> out = new ArrayList<>();
        if (!parent.hasChildren()) {
            return out;
        }
        CompileUnit cu = parent.unit();
        long p = parent.next();
        while (true) {
            Die k = cu.readDie(p);
            if (k == null) {
                return out;
            }
            out.add(k);
            long sib = k.hasChildren() ? k.value(DW_AT_sibling, -1) : -1;
            p = !k.hasChildren() ? k.next() : sib > 0 ? sib : cu.skipChildren(k);
        }
    }

    private CType build(long off) {
        Die d = dw.dieAt(off);
        if (d == null) {
            return BaseTypes.VOID;
        }
        return switch (d.tag()) {
            case DW_TAG_base_type -> base(d);
            case DW_TAG_unspecified_type -> BaseTypes.VOID;
            case DW_TAG_restrict_type, DW_TAG_atomic_type -> type(ref(d, DW_AT_type));
            case DW_TAG_structure_type, DW_TAG_union_type, DW_TAG_enumeration_type -> {
                if (d.has(DW_AT_declaration) && d.string(DW_AT_name) != null) {
                    String key = (d.tag() == DW_TAG_structure_type ? "struct " : d.tag() == DW_TAG_union_type ? "union " : "enum ")
                            + d.string(DW_AT_name);
                    Optional<CType> other = othersFirst ? declarations.apply(key) : Optional.empty();
                    if (other.isEmpty()) {
                        other = names().type(key).filter(x -> x != off).map(this::type);
                    }
                    if (other.isEmpty() && !othersFirst) {
                        other = declarations.apply(key);
                    }
                    if (other.isPresent()) {
                        yield other.get();
                    }
                }
                yield new DieType(d);
            }
            case DW_TAG_array_type -> array(d);
            default -> new DieType(d);
        };
    }

    private CType base(Die d) {
        String name = BaseTypes.canonical(d.string(DW_AT_name) == null ? "?" : d.string(DW_AT_name));
        long size = d.value(DW_AT_byte_size, 0);
        int enc = (int) d.value(DW_AT_encoding, 0);
        CType.Kind k = switch (enc) {
            case DW_ATE_boolean -> CType.Kind.BOOL;
            case DW_ATE_float -> CType.Kind.FLOAT;
            case DW_ATE_signed_char, DW_ATE_unsigned_char, DW_ATE_UTF -> CType.Kind.CHAR;
            default -> CType.Kind.INT;
        };
        boolean signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char || enc == DW_ATE_float;
        return BaseTypes.of(k, name, size, signed);
    }

    /** One array type DIE: a nesting of its subrange dimensions, outermost first. */
    private CType array(Die d) {
        CType element = type(ref(d, DW_AT_type));
        List<long[]> dims = new ArrayList<>(); // {count, unbounded}
        for (Die k : children(d)) {
            if (k.tag() == DW_TAG_subrange_type) {
                if (k.has(DW_AT_count)) {
                    dims.add(new long[] {k.value(DW_AT_count, 0), 0});
                } else if (k.has(DW_AT_upper_bound) && isConstant(k.form(DW_AT_upper_bound))) {
                    long lo = k.value(DW_AT_lower_bound, 0);
                    dims.add(new long[] {k.value(DW_AT_upper_bound, -1) - lo + 1, 0});
                } else {
                    dims.add(new long[] {0, 1});
                }
            }
        }
        if (dims.isEmpty()) {
            dims.add(new long[] {0, 1});
        }
        CType t = element;
        for (int i = dims.size() - 1; i >= 0; i--) {
            t = DerivedTypes.array(t, dims.get(i)[0], dims.get(i)[1] != 0);
        }
        return t;
    }

    private static boolean isConstant(int form) {
        return form == Form.data1 || form == Form.data2 || form == Form.data4 || form == Form.data8 || form == Form.sdata
                || form == Form.udata || form == Form.implicit_const;
    }

    /** A type DIE other than a base or array type, read lazily. */
    private final class DieType implements CType {
        private final Die die;
        private volatile List<Field> fields;
        private volatile Map<String, Long> enumerators;
        private volatile List<CType> params;
        private volatile boolean variadic;

        DieType(Die die) {
            this.die = die;
        }

        @Override
        public Kind kind() {
            return switch (die.tag()) {
                case DW_TAG_pointer_type -> Kind.POINTER;
                case DW_TAG_structure_type -> Kind.STRUCT;
                case DW_TAG_union_type -> Kind.UNION;
                case DW_TAG_enumeration_type -> Kind.ENUM;
                case DW_TAG_typedef -> Kind.TYPEDEF;
                case DW_TAG_const_type -> Kind.CONST;
                case DW_TAG_volatile_type -> Kind.VOLATILE;
                case DW_TAG_subroutine_type, DW_TAG_subprogram -> Kind.FUNCTION;
                default -> Kind.VOID;
            };
        }

        @Override
        public String name() {
            String n = die.string(DW_AT_name);
            return n == null ? "" : n;
        }

        @Override
        public long size() {
            return switch (die.tag()) {
                case DW_TAG_pointer_type -> die.value(DW_AT_byte_size, 8);
                case DW_TAG_typedef, DW_TAG_const_type, DW_TAG_volatile_type -> target().size();
                case DW_TAG_subroutine_type, DW_TAG_subprogram -> 1;
                default -> die.value(DW_AT_byte_size, 0);
            };
        }

        @Override
        public CType target() {
            return switch (die.tag()) {
                case DW_TAG_pointer_type, DW_TAG_typedef, DW_TAG_const_type, DW_TAG_volatile_type, DW_TAG_subroutine_type,
                     DW_TAG_subprogram -> type(ref(die, DW_AT_type));
                case DW_TAG_enumeration_type -> die.has(DW_AT_type) ? type(ref(die, DW_AT_type)) : null;
                default -> null;
            };
        }

        @Override
        public long length() {
            return 0;
        }

        @Override
        public boolean isSigned() {
            if (die.tag() != DW_TAG_enumeration_type) {
                return false;
            }
            if (die.has(DW_AT_type)) {
                return type(ref(die, DW_AT_type)).resolve().isSigned();
            }
            return enumerators().values().stream().anyMatch(v -> v < 0);
        }

        @Override
        public boolean incomplete() {
            return die.has(DW_AT_declaration);
        }

        @Override
        public List<Field> fields() {
            List<Field> f = fields;
            if (f == null) {
                f = readFields();
                fields = f;
            }
            return f;
        }

        private List<Field> readFields() {
            if ((die.tag() != DW_TAG_structure_type && die.tag() != DW_TAG_union_type) || !die.hasChildren()) {
                return List.of();
            }
            List<Field> out = new ArrayList<>();
            for (Die k : children(die)) {
                if (k.tag() == DW_TAG_member) {
                    String n = k.string(DW_AT_name);
                    CType t = type(ref(k, DW_AT_type));
                    int bitSize = (int) k.value(DW_AT_bit_size, 0);
                    long bitOff;
                    if (k.has(DW_AT_data_bit_offset)) {
                        bitOff = k.value(DW_AT_data_bit_offset, 0);
                    } else {
                        long byteOff = memberLocation(k);
                        bitOff = byteOff * 8;
                        if (bitSize != 0 && k.has(DW_AT_bit_offset)) {
                            // DWARF 2/3: bits counted from the most significant bit of the storage unit
                            long unit = k.value(DW_AT_byte_size, t.size());
                            bitOff += unit * 8 - k.value(DW_AT_bit_offset, 0) - bitSize;
                        }
                    }
                    out.add(new Field(n == null ? "" : n, t, bitOff, bitSize));
                }
            }
            return List.copyOf(out);
        }

        private long memberLocation(Die k) {
            int i = k.find(DW_AT_data_member_location);
            if (i < 0) {
                return 0;
            }
            int form = k.abbrev().forms()[i];
            long v = k.values()[i];
            if (form == Form.exprloc || form == Form.block1) {
                Bytes info = dw.info();
                Cursor c = new Cursor(info, v);
                int op = c.u8();
                if (op == 0x23) { // DW_OP_plus_uconst
                    return c.uleb();
                }
                return 0;
            }
            return v;
        }

        @Override
        public Map<String, Long> enumerators() {
            Map<String, Long> e = enumerators;
            if (e == null) {
                e = readEnumerators();
                enumerators = e;
            }
            return e;
        }

        private Map<String, Long> readEnumerators() {
            if (die.tag() != DW_TAG_enumeration_type || !die.hasChildren()) {
                return Map.of();
            }
            boolean signed = die.has(DW_AT_type) && type(ref(die, DW_AT_type)).resolve().isSigned();
            Map<String, Long> out = new LinkedHashMap<>();
            for (Die k : children(die)) {
                if (k.tag() == DW_TAG_enumerator) {
                    long v = k.value(DW_AT_const_value, 0);
                    int form = k.form(DW_AT_const_value);
                    int bytes = switch (form) {
                        case Form.data1 -> 1;
                        case Form.data2 -> 2;
                        case Form.data4 -> 4;
                        default -> 8;
                    };
                    if (signed && bytes < 8) {
                        int shift = 64 - 8 * bytes;
                        v = (v << shift) >> shift;
                    }
                    out.put(k.string(DW_AT_name), v);
                }
            }
            return out;
        }

        @Override
        public List<CType> parameters() {
            readParameters();
            return params;
        }

        @Override
        public boolean variadic() {
            readParameters();
            return variadic;
        }

        @Override
        public boolean prototyped() {
            return die.value(DW_AT_prototyped, 0) != 0;
        }

        private void readParameters() {
            if (params != null) {
                return;
            }
            List<CType> out = new ArrayList<>();
            boolean va = false;
            if (die.tag() == DW_TAG_subroutine_type || die.tag() == DW_TAG_subprogram) {
                for (Die k : children(die)) {
                    if (k.tag() == DW_TAG_formal_parameter) {
                        long t = ref(k, DW_AT_type);
                        if (t < 0 && k.has(0x31)) { // an abstract origin holds the type
                            Die o = dw.dieAt(k.value(0x31, 0));
                            t = o == null ? -1 : ref(o, DW_AT_type);
                        }
                        out.add(type(t));
                    } else if (k.tag() == DW_TAG_unspecified_parameters) {
                        va = true;
                    }
                }
            }
            variadic = va;
            params = List.copyOf(out);
        }

        @Override
        public String cName() {
            return TypePrinter.name(this);
        }

        @Override
        public String toString() {
            return cName();
        }
    }
}
