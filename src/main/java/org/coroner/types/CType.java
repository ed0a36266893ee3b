package org.coroner.types;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A C type as the value model sees it, whatever it was read from (BTF for the kernel's own types,
 * DWARF for modules and for what BTF lacks). Qualifiers and typedefs are types of their own;
 * {@link #resolve()} strips them.
 */
public interface CType {
    enum Kind { VOID, INT, BOOL, CHAR, FLOAT, POINTER, ARRAY, STRUCT, UNION, ENUM, TYPEDEF, CONST, VOLATILE, FUNCTION }

    /** A member of a struct or union; {@code bitSize} is 0 unless it is a bit field. */
    record Field(String name, CType type, long bitOffset, int bitSize) {
        public long offset() {
            return bitOffset / 8;
        }
    }

    Kind kind();

    /** The type's own name: {@code task_struct} for {@code struct task_struct}, {@code u64} for a typedef. */
    String name();

    long size();

    /** Pointee, element, typedef target or qualified type; {@code null} otherwise. */
    CType target();

    /** Number of elements of an array (0 for flexible arrays). */
    long length();

    boolean isSigned();

    List<Field> fields();

    Map<String, Long> enumerators();

    /** The C spelling, as gdb's {@code whatis} prints it: {@code struct list_head *}, {@code char [16]}. */
    String cName();

    /** The parameter types of a function type, in order (empty for none or when unknown). */
    default List<CType> parameters() {
        return List.of();
    }

    /** A function type that takes more arguments after its parameters ({@code ...}). */
    default boolean variadic() {
        return false;
    }

    /** A function type declared with a prototype; {@code int f()} in old C is not. */
    default boolean prototyped() {
        return true;
    }

    /**
     * An array declared without a bound ({@code char data[]}), as opposed to {@code char data[0]};
     * both have {@link #length()} 0. Only DWARF tells them apart.
     */
    default boolean unbounded() {
        return false;
    }

    /** A struct or union only declared ({@code struct foo;}): its members are unknown. */
    default boolean incomplete() {
        return false;
    }

    default CType resolve() {
        CType t = this;
        while (t.kind() == Kind.TYPEDEF || t.kind() == Kind.CONST || t.kind() == Kind.VOLATILE) {
            t = t.target();
        }
        return t;
    }

    default boolean isAggregate() {
        Kind k = resolve().kind();
        return k == Kind.STRUCT || k == Kind.UNION;
    }

    /** A member by name, descending into anonymous structs and unions as C does; offsets are absolute. */
    default Optional<Field> field(String name) {
        for (Field f : resolve().fields()) {
            if (f.name().equals(name)) {
                return Optional.of(f);
            }
            if (f.name().isEmpty() && f.type().isAggregate()) {
                Optional<Field> inner = f.type().field(name);
                if (inner.isPresent()) {
                    Field i = inner.get();
                    return Optional.of(new Field(i.name(), i.type(), f.bitOffset() + i.bitOffset(), i.bitSize()));
                }
            }
        }
        return Optional.empty();
    }

    /** A dotted member path ({@code thread.sp}); offsets accumulate. */
    default Optional<Field> path(String dotted) {
        CType cur = this;
        long off = 0;
        Field last = null;
        for (String part : dotted.split("\\.")) {
            Optional<Field> f = cur.field(part);
            if (f.isEmpty()) {
                return Optional.empty();
            }
            last = f.get();
            off += last.bitOffset();
            cur = last.type();
        }
        return Optional.of(new Field(last.name(), last.type(), off, last.bitSize()));
    }
}
