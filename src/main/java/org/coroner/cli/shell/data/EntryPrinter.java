package org.coroner.cli.shell.data;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.coroner.cli.shell.CommandException;
import org.coroner.kernel.symbols.KernelSymbols;
import org.coroner.memory.FaultException;
import org.coroner.types.CType;
import org.coroner.types.ValuePrinter;

/**
 * The {@code -s} / {@code -S} displays of {@code list} and {@code tree} entries: a whole struct
 * ({@code -s task_struct}), members as the struct command prints them ({@code -s task_struct.pid,comm}),
 * or {@code -S}'s plain reads (numbers in decimal, pointers in hex, char arrays as text up to the NUL).
 */
final class EntryPrinter {
    /** The -s/-S/-x/-d options of list and tree, as they are read. */
    static final class Options {
        final List<String> structs = new ArrayList<>();
        boolean fast;
        boolean hex;

        /** Reads the option at {@code args[i]}; returns the index of its last word, or -1 when it is not one of these. */
        int read(List<String> args, int i) {
            String a = args.get(i);
            switch (a) {
                case "-s", "-S" -> {
                    if (!structs.isEmpty() && fast != a.equals("-S")) {
                        throw new CommandException("-S and -s options are mutually exclusive");
                    }
                    fast = a.equals("-S");
                    structs.add(Args.value(args, i + 1, a));
                    return i + 1;
                }
                case "-x" -> hex = true;
                case "-d" -> hex = false;
                default -> {
                    return -1;
                }
            }
            return i;
        }

        EntryPrinter printer(DataContext ctx, StructCommand resolver) {
            return new EntryPrinter(ctx, resolver, structs, fast, hex);
        }
    }

    /** One {@code -s}/{@code -S} argument, resolved. */
    private record Request(String typeName, StructCommand.Resolved type, List<StructPrinter.Selected> members) {
    }

    private final DataContext ctx;
    private final List<Request> requests = new ArrayList<>();
    private final boolean fast;
    private final boolean hex;
    private final StructPrinter printer;

    /**
     * @param specs {@code struct} or {@code struct.member,member} arguments of -s/-S
     * @param fast  -S
     * @param hex   -x
     */
    EntryPrinter(DataContext ctx, StructCommand resolver, List<String> specs, boolean fast, boolean hex) {
        this.ctx = ctx;
        this.fast = fast;
        this.hex = hex;
        this.printer = new StructPrinter(ctx.memory(), ctx.printer(ValuePrinter.Format.NATURAL, hex));
        for (String spec : specs) {
            int dot = spec.indexOf('.');
            String name = dot < 0 ? spec : spec.substring(0, dot);
            StructCommand.Resolved r = resolver.resolve(name, null);
            List<StructPrinter.Selected> ms = new ArrayList<>();
            if (dot >= 0) {
                for (String m : spec.substring(dot + 1).split(",")) {
                    ms.add(StructPrinter.select(r.type(), m).orElseThrow(() -> new CommandException(
                            fast ? "Can't get offset of '" + name + "." + m + "'" : "invalid data structure reference: " + name + "." + m)));
                }
            }
            requests.add(new Request(name, r, ms));
        }
    }

    boolean isEmpty() {
        return requests.isEmpty();
    }

    /** Every requested display of the struct at {@code address}. */
    void print(long address, PrintWriter out) {
        for (Request r : requests) {
            CType t = r.type().type();
            if (r.members().isEmpty()) {
                out.print(printer.whole(r.type().keyword(), r.typeName(), t, address));
                continue;
            }
            byte[] data = printer.read(address, t);
            for (StructPrinter.Selected s : r.members()) {
                try {
                    out.print(fast ? fast(s, data, address) : printer.member(s, data, address));
                } catch (FaultException e) {
                    throw new CommandException(DataContext.readError(e, "gdb_readmem_callback"));
                }
            }
        }
    }

    /** crash's -S: scalars read directly, decimal (pointers hex with a text symbol), char arrays as text. */
    private String fast(StructPrinter.Selected s, byte[] data, long address) {
        CType.Field f = s.field();
        CType t = f.type().resolve();
        long size = t.size();
        String name = s.label();
        int off = (int) f.offset();
        boolean isString = t.kind() == CType.Kind.ARRAY && t.target().resolve().kind() == CType.Kind.CHAR
                || t.kind() == CType.Kind.POINTER && t.target() != null && t.target().resolve().kind() == CType.Kind.CHAR;
        boolean isPointer = t.kind() == CType.Kind.POINTER;
        if (isString && t.kind() == CType.Kind.ARRAY) {
            int n = 0;
            while (n < size && data[off + n] != 0) {
                n++;
            }
            return "  " + name + " = \"" + new String(data, off, n, java.nio.charset.StandardCharsets.ISO_8859_1) + "\"\n";
        }
        if (size > 8 || size == 0 || f.bitSize() != 0) {
            return printer.member(s, data, address);
        }
        long v = 0;
        for (int k = 0; k < size; k++) {
            v |= (long) (data[off + k] & 0xff) << (8 * k);
        }
        StringBuilder b = new StringBuilder("  ").append(name).append(" = ");
        if (isPointer || hex) {
            b.append("0x").append(Long.toHexString(v));
        } else {
            b.append(Long.toUnsignedString(v));
        }
        if (isString) {
            b.append("  \"").append(readString(v)).append('"');
        } else {
            ctx.symbols().nearest(v).filter(a -> a.symbol().isText())
                    .map(KernelSymbols.At::symbol).ifPresent(sym -> b.append(" <").append(sym.name()).append('>'));
        }
        return b.append('\n').toString();
    }

    private String readString(long at) {
        StringBuilder b = new StringBuilder();
        try {
            for (int i = 0; i < 1500; i++) {
                int c = ctx.memory().u8(at + i);
                if (c == 0) {
                    break;
                }
                b.append((char) c);
            }
        } catch (FaultException e) {
            // what was read
        }
        return b.toString();
    }
}
