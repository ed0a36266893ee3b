package org.coroner.cli.shell.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.coroner.types.CType;
import org.coroner.types.TypePrinter;

/**
 * Type declarations in crash's layout: {@code struct} and {@code whatis} without an address print
 * gdb's ptype body, then {@code SIZE: n}; {@code -o} puts each member's offset (or address) before
 * its line, right-aligned in a column as wide as the size's digits plus four; a typedef is printed
 * as {@code typedef ... NAME;}.
 */
public final class Declarations {
    private Declarations() {
    }

    /** One line of a ptype body and the member it declares (null for braces and blank structure lines). */
    private record Line(String text, CType.Field member) {
    }

    /**
     * @param t        the struct, union or typedef
     * @param typedef  the typedef name when {@code t} was named by one, else null
     * @param offsets  {@code -o}
     * @param member   print only this member's line (with its offset), no size
     * @param address  with {@code -o}, print addresses from here instead of offsets (-1: offsets)
     * @param hex      sizes and offsets in hex (crash's {@code -x})
     */
    public static String declare(CType t, String typedef, boolean offsets, String member, long address, boolean hex) {
        CType body = t;
        while (body.kind() == CType.Kind.TYPEDEF) {
            body = body.target();
        }
        List<Line> lines = lines(body);
        StringBuilder b = new StringBuilder();
        String size = hex ? "0x" + Long.toHexString(t.size()) : Long.toString(t.size());
        for (int i = 0; i < lines.size(); i++) {
            Line l = lines.get(i);
            String text = l.text();
            if (i == 0 && typedef != null) {
                text = "typedef " + text;
            }
            if (i == lines.size() - 1 && typedef != null) {
                text = text + " " + typedef + ";";
            }
            boolean inner = !text.isEmpty() && Character.isWhitespace(text.charAt(0));
            if (!inner) {
                b.append(text).append('\n');
                continue;
            }
            if (member != null && (l.member() == null || !l.member().name().equals(member))) {
                continue;
            }
            if (!offsets && member == null) {
                b.append(text).append('\n');
                continue;
            }
            // crash finds a member's offset by its name from the outer struct (through unnamed members
            // only): a member of a named member of anonymous type has none, unless a twin is reachable
            java.util.Optional<CType.Field> reach = l.member() == null ? java.util.Optional.empty() : body.field(l.member().name());
            if (reach.isEmpty()) {
                b.append(" ".repeat(size.length() + 1)).append(text).append('\n');
                continue;
            }
            long off = reach.get().offset();
            String where = address != -1 ? "  [" + Long.toHexString(address + off) + "]"
                    : hex ? "  [0x" + Long.toHexString(off) + "]" : "  [" + off + "]";
            int width = size.length() + 4;
            b.append(" ".repeat(Math.max(0, width - where.length()))).append(where).append(text.substring(3)).append('\n');
        }
        if (member == null) {
            b.append("SIZE: ").append(size).append('\n');
        }
        return b.toString();
    }

    /** gdb's ptype of a struct or union, line by line, each member line with its member (absolute offsets). */
    private static List<Line> lines(CType body) {
        List<Line> out = new ArrayList<>();
        if (body.kind() != CType.Kind.STRUCT && body.kind() != CType.Kind.UNION) {
            String one = TypePrinter.ptype(body);
            for (String s : one.split("\n", -1)) {
                out.add(new Line(s, null));
            }
            return out;
        }
        String head = (body.kind() == CType.Kind.UNION ? "union " : "struct ") + (body.name().isEmpty() ? "" : body.name() + " ") + "{";
        out.add(new Line(head, null));
        members(body, 0, 4, out);
        out.add(new Line("}", null));
        return out;
    }

    private static void members(CType t, long base, int indent, List<Line> out) {
        List<CType.Field> fields = t.fields();
        if (fields.isEmpty()) {
            out.add(new Line(" ".repeat(indent) + (t.incomplete() ? "<incomplete type>" : "<no data fields>"), null));
        }
        String pad = " ".repeat(indent);
        int show = indent == 4 ? 0 : -1; // gdb's ptype: members of the top level at 0, deeper ones at -1
        for (CType.Field f : fields) {
            CType.Field abs = new CType.Field(f.name(), f.type(), base + f.bitOffset(), f.bitSize());
            CType ft = f.type();
            CType q = ft;
            while (q.kind() == CType.Kind.CONST || q.kind() == CType.Kind.VOLATILE) {
                q = q.target();
            }
            boolean anonAggregate = (q.kind() == CType.Kind.STRUCT || q.kind() == CType.Kind.UNION) && q.name().isEmpty();
            if (anonAggregate) {
                // written out in place at any depth: opening line, its members one level in, closing line with the member's name
                String decl = TypePrinter.print(ft, f.name(), 0, indent);
                String[] parts = decl.split("\n", -1);
                out.add(new Line(pad + parts[0], null));
                members(q, base + f.bitOffset(), indent + 4, out);
                out.add(new Line(parts[parts.length - 1] + ";", f.name().isEmpty() ? null : abs));
                continue;
            }
            String decl = TypePrinter.print(ft, f.name(), show, indent);
            out.add(new Line(pad + decl + (f.bitSize() != 0 ? " : " + f.bitSize() : "") + ";", f.name().isEmpty() ? null : abs));
        }
    }

    /** The declarator's name in one member line: {@code probe} in {@code int (*probe)(struct lab_dev *);}. */
    static String declaredName(String s) {
        String d = s.endsWith(";") ? s.substring(0, s.length() - 1) : s;
        int colon = d.lastIndexOf(" : ");
        if (colon > 0) {
            d = d.substring(0, colon);
        }
        int fp = d.indexOf("(*");
        if (fp >= 0) {
            int close = d.indexOf(')', fp);
            return close > fp ? d.substring(fp + 2, close).replace("*", "").trim() : null;
        }
        int br = d.indexOf('[');
        if (br >= 0) {
            d = d.substring(0, br);
        }
        int sp = Math.max(d.lastIndexOf(' '), d.lastIndexOf('*'));
        return sp >= 0 ? d.substring(sp + 1) : d;
    }

    /** crash's {@code whatis} of an enum: each enumerator with its value, one a line. */
    public static String enumerators(CType e, String typedef) {
        StringBuilder b = new StringBuilder();
        if (typedef != null) {
            b.append("typedef ");
        }
        String tag = e.resolve().name();
        b.append(tag.isEmpty() ? "enum {\n" : "enum " + tag + " {\n");
        for (Map.Entry<String, Long> en : e.resolve().enumerators().entrySet()) {
            b.append("  ").append(en.getKey()).append(" = ").append(en.getValue()).append('\n');
        }
        b.append(tag.isEmpty() ? "} " + typedef + ";\n" : "};\n");
        return b.toString();
    }

    /**
     * crash's {@code whatis SYMBOL}: gdb's type with the name put where C declares it
     * ({@code unsigned long __per_cpu_offset[8192];}, {@code void schedule(void);}).
     */
    public static String variable(CType t, String name) {
        String ty = TypePrinter.name(t);
        int br = ty.indexOf('[');
        if (br >= 0) {
            return ty.substring(0, br).stripTrailing() + " " + name + ty.substring(br) + ";";
        }
        int paren = ty.indexOf('(');
        if (paren >= 0) {
            if (paren == ty.lastIndexOf('(')) {
                return ty.substring(0, paren).stripTrailing() + " " + name + ty.substring(paren) + ";";
            }
            int close = ty.indexOf(')');
            return ty.substring(0, close) + name + ty.substring(close) + ";";
        }
        return ty + (ty.endsWith("*") ? "" : " ") + name + ";";
    }
}
