package org.coroner.types;

import java.util.List;
import java.util.Map;

/**
 * C type names and declarations as gdb prints them ({@code whatis}, {@code ptype}, crash's
 * {@code struct} without an address): declarators wrapped around the base type
 * ({@code int (*probe)(struct lab_dev *)}, {@code const char (*)[198]}), typedef and tag names kept
 * unless asked to expand, anonymous structs and unions expanded in place, enums listed with only
 * the values that do not follow from the previous one. {@code show} follows gdb: above 0 expands the
 * type's body, 0 prints named types by name and expands anonymous ones, below 0 prints
 * {@code {...}} for anonymous ones.
 */
public final class TypePrinter {
    private TypePrinter() {
    }

    /** A type with its qualifiers lifted off, as gdb keeps them: flags on the type, not types. */
    private record Q(CType t, boolean isConst, boolean isVolatile) {
        static Q of(CType type) {
            boolean c = false;
            boolean v = false;
            CType t = type;
            while (t != null && (t.kind() == CType.Kind.CONST || t.kind() == CType.Kind.VOLATILE)) {
                if (t.kind() == CType.Kind.CONST) {
                    c = true;
                } else {
                    v = true;
                }
                t = t.target();
            }
            return new Q(t == null ? BaseTypes.VOID : t, c, v);
        }

        CType.Kind kind() {
            return t.kind();
        }

        /** gdb's type->name(): typedefs, tagged aggregates and enums, base types have one. */
        String name() {
            return switch (t.kind()) {
                case POINTER, ARRAY, FUNCTION -> null;
                case VOID -> "void";
                case INT, CHAR, BOOL, FLOAT -> BaseTypes.canonical(t.name());
                default -> t.name() == null || t.name().isEmpty() ? null : t.name();
            };
        }
    }

    /** The type's name as {@code whatis} prints it ({@code struct list_head *}, {@code char [16]}). */
    public static String name(CType t) {
        return print(t, "", -1, 0);
    }

    /** The type as {@code ptype} prints it after {@code type = }: typedefs at the top resolved, the body expanded. */
    public static String ptype(CType t) {
        CType r = t;
        while (r.kind() == CType.Kind.TYPEDEF) {
            r = r.target();
        }
        return print(r, "", 1, 0);
    }

    /** A declaration of {@code var} with type {@code t}: {@code char name[20]}, {@code int (*probe)(struct lab_dev *)}. */
    public static String declaration(CType t, String var) {
        return print(t, var, 0, 0);
    }

    /** gdb's c_print_type: base type, the space before declarators, the declarators around the name. */
    public static String print(CType type, String var, int show, int level) {
        StringBuilder b = new StringBuilder();
        print(Q.of(type), var, show, level, b);
        return b.toString();
    }

    private static void print(Q q, String var, int show, int level, StringBuilder b) {
        base(q, show, level, b);
        CType.Kind k = q.kind();
        boolean declarators = k == CType.Kind.POINTER || k == CType.Kind.FUNCTION || k == CType.Kind.ARRAY;
        if (!var.isEmpty() || (show > 0 || q.name() == null) && declarators) {
            b.append(' ');
        }
        prefix(q, show, false, !var.isEmpty(), b);
        b.append(var);
        suffix(q, show, false, b);
    }

    private static void modifiers(Q q, boolean preSpace, boolean postSpace, StringBuilder b) {
        boolean any = false;
        if (q.isConst()) {
            b.append(preSpace ? " " : "").append("const");
            any = true;
        }
        if (q.isVolatile()) {
            b.append(preSpace || any ? " " : "").append("volatile");
            any = true;
        }
        if (any && postSpace) {
            b.append(' ');
        }
    }

    private static String keyword(CType.Kind k) {
        return switch (k) {
            case STRUCT -> "struct ";
            case UNION -> "union ";
            case ENUM -> "enum ";
            default -> "";
        };
    }

    private static void base(Q q, int show, int level, StringBuilder b) {
        String name = q.name();
        if (show <= 0 && name != null) {
            modifiers(q, false, true, b);
            b.append(keyword(q.kind())).append(name);
            return;
        }
        CType t = q.t();
        switch (t.kind()) {
            case TYPEDEF -> base(Q.of(t.target()), show, level, b);
            case ARRAY -> {
                // a qualified array is an array of qualified elements
                Q e = Q.of(target(t));
                base(new Q(e.t(), e.isConst() || q.isConst(), e.isVolatile() || q.isVolatile()), show, level, b);
            }
            case POINTER, FUNCTION -> base(Q.of(target(t)), show, level, b);
            case STRUCT, UNION, ENUM -> {
                modifiers(q, false, true, b);
                b.append(keyword(t.kind()));
                if (name != null) {
                    b.append(name);
                    if (show > 0) {
                        b.append(' ');
                    }
                }
                if (show < 0) {
                    if (name == null) {
                        b.append("{...}");
                    }
                } else if (show > 0 || name == null) {
                    if (t.kind() == CType.Kind.ENUM) {
                        enumerators(t.enumerators(), b);
                    } else {
                        body(t, show, level, b);
                    }
                }
            }
            default -> {
                modifiers(q, false, true, b);
                b.append(name == null ? "void" : name);
            }
        }
    }

    private static void enumerators(Map<String, Long> values, StringBuilder b) {
        b.append('{');
        long last = 0;
        boolean first = true;
        for (var e : values.entrySet()) {
            if (!first) {
                b.append(", ");
            }
            first = false;
            b.append(e.getKey());
            if (e.getValue() != last) {
                b.append(" = ").append(e.getValue());
                last = e.getValue();
            }
            last++;
        }
        b.append('}');
    }

    private static void body(CType t, int show, int level, StringBuilder b) {
        b.append("{\n");
        List<CType.Field> fields = t.fields();
        if (fields.isEmpty()) {
            b.append(" ".repeat(level + 4)).append(t.incomplete() ? "<incomplete type>\n" : "<no data fields>\n");
        }
        for (CType.Field f : fields) {
            b.append(" ".repeat(level + 4));
            // gdb writes out an anonymous type wherever it is used, however deep
            Q fq = Q.of(f.type());
            int newShow = fq.name() == null && isTagged(fq.kind()) ? Math.max(show - 1, 0) : show - 1;
            print(fq, f.name(), newShow, level + 4, b);
            if (f.bitSize() != 0) {
                b.append(" : ").append(f.bitSize());
            }
            b.append(";\n");
        }
        b.append(" ".repeat(level)).append('}');
    }

    private static boolean isTagged(CType.Kind k) {
        return k == CType.Kind.STRUCT || k == CType.Kind.UNION || k == CType.Kind.ENUM;
    }

    private static void prefix(Q q, int show, boolean passedPtr, boolean postSpace, StringBuilder b) {
        if (q.name() != null && show <= 0) {
            return;
        }
        CType t = q.t();
        switch (t.kind()) {
            case POINTER -> {
                prefix(Q.of(target(t)), show, true, true, b);
                b.append('*');
                modifiers(q, true, postSpace, b);
            }
            case FUNCTION -> {
                prefix(Q.of(target(t)), show, false, false, b);
                if (passedPtr) {
                    b.append('(');
                }
            }
            case ARRAY -> {
                prefix(Q.of(target(t)), show, false, postSpace, b);
                if (passedPtr) {
                    b.append('(');
                }
            }
            case TYPEDEF -> prefix(Q.of(target(t)), show, passedPtr, false, b);
            default -> {
            }
        }
    }

    private static void suffix(Q q, int show, boolean passedPtr, StringBuilder b) {
        if (q.name() != null && show <= 0) {
            return;
        }
        CType t = q.t();
        switch (t.kind()) {
            case ARRAY -> {
                if (passedPtr) {
                    b.append(')');
                }
                b.append('[');
                if (!t.unbounded()) {
                    b.append(t.length());
                }
                b.append(']');
                suffix(Q.of(target(t)), show, false, b);
            }
            case POINTER -> suffix(Q.of(target(t)), show, true, b);
            case FUNCTION -> {
                if (passedPtr) {
                    b.append(')');
                }
                arguments(t, b);
                suffix(Q.of(target(t)), show, passedPtr, b);
            }
            case TYPEDEF -> suffix(Q.of(target(t)), show, passedPtr, b);
            default -> {
            }
        }
    }

    /** A function type's parameter list: {@code (struct lab_dev *)}, {@code (void)}, {@code (const char *, ...)}. */
    public static String arguments(CType fn) {
        StringBuilder b = new StringBuilder();
        arguments(fn, b);
        return b.toString();
    }

    private static void arguments(CType fn, StringBuilder b) {
        b.append('(');
        List<CType> params = fn.parameters();
        for (int i = 0; i < params.size(); i++) {
            if (i > 0) {
                b.append(", ");
            }
            print(Q.of(params.get(i)), "", 0, 0, b);
        }
        if (!params.isEmpty() && fn.variadic()) {
            b.append(", ...");
        } else if (params.isEmpty() && fn.prototyped()) {
            b.append("void");
        }
        b.append(')');
    }

    private static CType target(CType t) {
        return t.target() == null ? BaseTypes.VOID : t.target();
    }
}
