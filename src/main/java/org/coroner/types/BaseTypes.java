package org.coroner.types;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The C base types of an LP64 target (x86_64, arm64) by the names gdb prints: {@code unsigned long}
 * where the compiler's DWARF and BTF say {@code long unsigned int}. Also what casts such as
 * {@code (unsigned long)x} need without any debug information.
 */
public final class BaseTypes {
    public static final CType VOID = new Base(CType.Kind.VOID, "void", 1, false);
    public static final CType BOOL = new Base(CType.Kind.BOOL, "_Bool", 1, false);
    public static final CType CHAR = new Base(CType.Kind.CHAR, "char", 1, true);
    public static final CType SIGNED_CHAR = new Base(CType.Kind.CHAR, "signed char", 1, true);
    public static final CType UNSIGNED_CHAR = new Base(CType.Kind.CHAR, "unsigned char", 1, false);
    public static final CType SHORT = new Base(CType.Kind.INT, "short", 2, true);
    public static final CType UNSIGNED_SHORT = new Base(CType.Kind.INT, "unsigned short", 2, false);
    public static final CType INT = new Base(CType.Kind.INT, "int", 4, true);
    public static final CType UNSIGNED_INT = new Base(CType.Kind.INT, "unsigned int", 4, false);
    public static final CType LONG = new Base(CType.Kind.INT, "long", 8, true);
    public static final CType UNSIGNED_LONG = new Base(CType.Kind.INT, "unsigned long", 8, false);
    public static final CType LONG_LONG = new Base(CType.Kind.INT, "long long", 8, true);
    public static final CType UNSIGNED_LONG_LONG = new Base(CType.Kind.INT, "unsigned long long", 8, false);
    public static final CType DOUBLE = new Base(CType.Kind.FLOAT, "double", 8, true);

    private static final Map<String, CType> BY_NAME = Map.ofEntries(
            Map.entry("void", VOID), Map.entry("_Bool", BOOL), Map.entry("char", CHAR),
            Map.entry("signed char", SIGNED_CHAR), Map.entry("unsigned char", UNSIGNED_CHAR),
            Map.entry("short", SHORT), Map.entry("unsigned short", UNSIGNED_SHORT), Map.entry("int", INT),
            Map.entry("unsigned int", UNSIGNED_INT), Map.entry("long", LONG), Map.entry("unsigned long", UNSIGNED_LONG),
            Map.entry("long long", LONG_LONG), Map.entry("unsigned long long", UNSIGNED_LONG_LONG),
            Map.entry("double", DOUBLE));

    private BaseTypes() {
    }

    /**
     * gdb's spelling of a C base type written with its specifiers in any order ({@code long unsigned
     * int} → {@code unsigned long}, {@code short int} → {@code short}); other names unchanged.
     */
    public static String canonical(String name) {
        String[] words = name.trim().split("\\s+");
        int unsigned = 0, signed = 0, longs = 0, shorts = 0, ints = 0, chars = 0;
        for (String w : words) {
            switch (w) {
                case "unsigned" -> unsigned++;
                case "signed" -> signed++;
                case "long" -> longs++;
                case "short" -> shorts++;
                case "int" -> ints++;
                case "char" -> chars++;
                default -> {
                    return name.trim();
                }
            }
        }
        if (unsigned + signed > 1 || longs > 2 || shorts > 1 || ints > 1 || chars > 1
                || chars + shorts + (longs > 0 ? 1 : 0) > 1 || chars + ints > 1) {
            return name.trim();
        }
        String u = unsigned > 0 ? "unsigned " : "";
        if (chars > 0) {
            return unsigned > 0 ? "unsigned char" : signed > 0 ? "signed char" : "char";
        }
        if (shorts > 0) {
            return u + "short";
        }
        if (longs == 2) {
            return u + "long long";
        }
        if (longs == 1) {
            return u + "long";
        }
        return u + "int";
    }

    /** A base type by any C spelling of it ({@code unsigned}, {@code long int}, {@code _Bool}). */
    public static Optional<CType> lookup(String name) {
        return Optional.ofNullable(BY_NAME.get(canonical(name)));
    }

    /** A base type as debug info describes it (the name already in gdb's spelling). */
    public static CType of(CType.Kind kind, String name, long size, boolean signed) {
        return new Base(kind, name, size, signed);
    }

    /** The base type of a size and signedness ({@code int}, {@code long}, ...): for arithmetic results. */
    public static CType integer(int size, boolean signed) {
        return switch (size) {
            case 1 -> signed ? SIGNED_CHAR : UNSIGNED_CHAR;
            case 2 -> signed ? SHORT : UNSIGNED_SHORT;
            case 4 -> signed ? INT : UNSIGNED_INT;
            default -> signed ? LONG : UNSIGNED_LONG;
        };
    }

    private record Base(Kind kind, String name, long size, boolean isSigned) implements CType {
        @Override public CType target() { return null; }
        @Override public long length() { return 0; }
        @Override public List<Field> fields() { return List.of(); }
        @Override public Map<String, Long> enumerators() { return Map.of(); }
        @Override public String cName() { return name; }
        @Override public String toString() { return name; }
    }
}
