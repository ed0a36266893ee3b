package org.coroner.cli.shell.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.cli.shell.CommandException;
import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;
import org.coroner.types.CType;
import org.coroner.types.ValuePrinter;

/**
 * How crash shows objects in memory: {@code struct NAME {...}} in full, or selected members as the
 * lines they are in the full display ({@code   pid = 1,}: indented as deep as anonymous unions put
 * them, with the comma that follows them there), or a dotted member path on one line
 * ({@code   se.on_rq = 0,}).
 */
public final class StructPrinter {
    /** A member picked from a struct: its absolute position, where it sits in the full display, and how it is labelled. */
    public record Selected(CType.Field field, int depth, boolean followed, String label) {
    }

    private final VirtualMemory mem;
    private final ValuePrinter printer;

    public StructPrinter(VirtualMemory mem, ValuePrinter printer) {
        this.mem = mem;
        this.printer = printer;
    }

    public ValuePrinter printer() {
        return printer;
    }

    /** The object's bytes, or crash's read error. */
    public byte[] read(long address, CType type) {
        try {
            return mem.read(address, (int) type.size());
        } catch (FaultException e) {
            throw new CommandException(DataContext.readError(e, "gdb_readmem_callback"));
        }
    }

    /** {@code struct NAME {...}} (or {@code union}) as crash's struct command prints an object. */
    public String whole(String keyword, String name, CType type, long address) {
        byte[] data = read(address, type);
        return keyword + " " + name + " " + printer.plain(type, data, address) + "\n";
    }

    /** Finds a member: a plain name (also inside anonymous structs and unions), or a dotted path with subscripts. */
    public static Optional<Selected> select(CType struct, String spec) {
        if (!spec.contains(".") && !spec.contains("[")) {
            return plain(struct.resolve(), spec, 0, 1);
        }
        return path(struct, spec);
    }

    private static Optional<Selected> plain(CType t, String name, long base, int depth) {
        List<CType.Field> fields = t.fields();
        for (int i = 0; i < fields.size(); i++) {
            CType.Field f = fields.get(i);
            CType.Field abs = new CType.Field(f.name(), f.type(), base + f.bitOffset(), f.bitSize());
            if (f.name().equals(name)) {
                return Optional.of(new Selected(abs, depth, i + 1 < fields.size(), name));
            }
            if (f.name().isEmpty() && f.type().isAggregate()) {
                Optional<Selected> inner = plain(f.type().resolve(), name, base + f.bitOffset(), depth + 1);
                if (inner.isPresent()) {
                    return inner;
                }
            }
        }
        return Optional.empty();
    }

    /** {@code se.load.weight}, {@code pid_links[1].next}: each step a member of the previous one (anonymous levels see-through). */
    private static Optional<Selected> path(CType struct, String spec) {
        CType cur = struct.resolve();
        long base = 0;
        CType.Field last = null;
        boolean followed = false;
        for (String part : spec.split("\\.")) {
            String name = part;
            List<Long> subs = new ArrayList<>();
            int br = part.indexOf('[');
            if (br >= 0) {
                name = part.substring(0, br);
                String rest = part.substring(br);
                while (rest.startsWith("[")) {
                    int close = rest.indexOf(']');
                    if (close < 0) {
                        return Optional.empty();
                    }
                    try {
                        subs.add(Long.decode(rest.substring(1, close).trim()));
                    } catch (NumberFormatException e) {
                        return Optional.empty();
                    }
                    rest = rest.substring(close + 1);
                }
                if (!rest.isEmpty()) {
                    return Optional.empty();
                }
            }
            if (cur.kind() != CType.Kind.STRUCT && cur.kind() != CType.Kind.UNION) {
                return Optional.empty();
            }
            Optional<Selected> s = plain(cur, name, base, 1);
            if (s.isEmpty()) {
                return Optional.empty();
            }
            CType.Field f = s.get().field();
            followed = s.get().followed();
            CType t = f.type();
            long off = f.bitOffset();
            for (long k : subs) {
                CType r = t.resolve();
                if (r.kind() != CType.Kind.ARRAY || k < 0 || k >= r.length()) {
                    return Optional.empty();
                }
                t = r.target();
                off += k * t.size() * 8;
            }
            last = new CType.Field(f.name(), t, off, subs.isEmpty() ? f.bitSize() : 0);
            base = off;
            cur = t.resolve();
        }
        return Optional.of(new Selected(last, 1, followed, spec));
    }

    /** The lines of one selected member of the object at {@code address} with bytes {@code data}. */
    public String member(Selected s, byte[] data, long address) {
        StringBuilder b = new StringBuilder();
        b.append(" ".repeat(2 * s.depth())).append(s.label()).append(" = ");
        printer.field(b, s.field(), data, 0, address, s.depth());
        if (s.followed()) {
            b.append(',');
        }
        return b.append('\n').toString();
    }
}
