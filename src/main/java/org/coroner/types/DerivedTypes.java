package org.coroner.types;

import java.util.List;
import java.util.Map;

/**
 * Types made from other types by expressions and casts: pointers ({@code &x}), arrays, qualified
 * types. Each is a value, whatever the source of the types it wraps.
 */
public final class DerivedTypes {
    private DerivedTypes() {
    }

    public static CType pointer(CType target) {
        return new Pointer(target);
    }

    public static CType array(CType element, long length) {
        return new Array(element, length, false);
    }

    /** An array; {@code unbounded}: declared without a length ({@code data[]}), which DWARF tells apart from {@code [0]}. */
    public static CType array(CType element, long length, boolean unbounded) {
        return new Array(element, length, unbounded);
    }

    public static CType qualified(CType target, CType.Kind qualifier) {
        if (qualifier != CType.Kind.CONST && qualifier != CType.Kind.VOLATILE) {
            throw new IllegalArgumentException("not a qualifier: " + qualifier);
        }
        return new Qualified(qualifier, target);
    }

    /** A function type, for function symbols known only by address or by BTF. */
    public static CType function(CType returns, List<CType> parameters, boolean variadic) {
        return new Function(returns, List.copyOf(parameters), variadic);
    }

    private record Pointer(CType target) implements CType {
        @Override public Kind kind() { return Kind.POINTER; }
        @Override public String name() { return ""; }
        @Override public long size() { return 8; }
        @Override public long length() { return 0; }
        @Override public boolean isSigned() { return false; }
        @Override public List<Field> fields() { return List.of(); }
        @Override public Map<String, Long> enumerators() { return Map.of(); }
        @Override public String cName() { return TypePrinter.name(this); }
        @Override public String toString() { return cName(); }
    }

    private record Array(CType target, long length, boolean unbounded) implements CType {
        @Override public Kind kind() { return Kind.ARRAY; }
        @Override public String name() { return ""; }
        @Override public long size() { return target.size() * length; }
        @Override public boolean isSigned() { return false; }
        @Override public List<Field> fields() { return List.of(); }
        @Override public Map<String, Long> enumerators() { return Map.of(); }
        @Override public String cName() { return TypePrinter.name(this); }
        @Override public String toString() { return cName(); }
    }

    private record Qualified(Kind kind, CType target) implements CType {
        @Override public String name() { return target.name(); }
        @Override public long size() { return target.size(); }
        @Override public long length() { return 0; }
        @Override public boolean isSigned() { return target.isSigned(); }
        @Override public List<Field> fields() { return List.of(); }
        @Override public Map<String, Long> enumerators() { return Map.of(); }
        @Override public String cName() { return TypePrinter.name(this); }
        @Override public String toString() { return cName(); }
    }

    private record Function(CType target, List<CType> parameters, boolean variadic) implements CType {
        @Override public Kind kind() { return Kind.FUNCTION; }
        @Override public String name() { return ""; }
        @Override public long size() { return 1; }
        @Override public long length() { return 0; }
        @Override public boolean isSigned() { return false; }
        @Override public List<Field> fields() { return List.of(); }
        @Override public Map<String, Long> enumerators() { return Map.of(); }
        @Override public String cName() { return TypePrinter.name(this); }
        @Override public String toString() { return cName(); }
    }
}
