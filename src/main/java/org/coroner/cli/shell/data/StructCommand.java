package org.coroner.cli.shell.data;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.kernel.symbols.KernelSymbols;
import org.coroner.memory.FaultException;
import org.coroner.types.CType;
import org.coroner.types.ValuePrinter;

/**
 * crash's {@code struct} and {@code union}: a type's declaration (with {@code -o} offsets), or objects
 * of it in memory in full or by members ({@code task_struct.pid,comm}, {@code se.on_rq}), one or
 * {@code COUNT} consecutive ones, at an address, a symbol, or a per-cpu symbol on CPUs.
 */
public final class StructCommand implements ShellCommand {
    private final DataContext ctx;
    private final String keyword;

    /** @param keyword {@code struct} or {@code union} */
    public StructCommand(DataContext ctx, String keyword) {
        this.ctx = ctx;
        this.keyword = keyword;
    }

    @Override
    public String name() {
        return keyword;
    }

    @Override
    public String summary() {
        return keyword + " declaration, or " + keyword + " contents at an address (members, offsets, counts, per-cpu)";
    }

    @Override
    public String help() {
        return keyword + " [-o] [-x|-d] [-r] [-c COUNT] [-l OFFSET|" + keyword + ".member] NAME[.member[,member...]] [ADDRESS|SYMBOL][:CPUSPEC] [COUNT]\n"
                + """
                  Without an address: the declaration as gdb's ptype prints it, and SIZE.
                  With an address or symbol: the object there, in full or only the listed members
                  (a member inside anonymous unions by its name; a nested one as member.sub or
                  array[N].member). COUNT objects follow each other (a negative COUNT ends at the address).
                  -o          offsets of the members (with an address: their addresses)
                  -x / -d     integers in hexadecimal / decimal
                  -r          the object's memory as raw 64-bit words
                  -c COUNT    same as a COUNT argument
                  -l OFFSET   the address is that of a member at OFFSET (or NAME.member) inside the object
                  :CPUSPEC    a per-cpu symbol or offset on CPUs (1, 0-1, a = all)
                  The name alone as a command works too: task_struct ADDRESS.
                  Example: struct task_struct.pid,comm ffff8ae6c1203080, struct -o list_head""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        run(args, out, keyword);
    }

    /** Also used for crash's shorthand where the command is the type's name ({@code keyword} then from the type found). */
    void run(List<String> args, PrintWriter out, String kw) {
        boolean offsets = false;
        boolean raw = false;
        boolean hex = ctx.radix16();
        Long count = null;
        String listOffset = null;
        List<String> pos = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("-") || a.length() == 1 || !pos.isEmpty() && a.matches("-\\d+")) {
                pos.add(a);
                continue;
            }
            switch (a) {
                case "-o" -> offsets = true;
                case "-x", "-h" -> hex = true;
                case "-d" -> hex = false;
                case "-r" -> raw = true;
                case "-v", "-p" -> {
                }
                case "-c" -> count = RdCommand.number(Args.value(args, ++i, a));
                case "-l" -> listOffset = Args.value(args, ++i, a);
                case "-u", "-f" -> throw new CommandException("option " + a + " is not supported for this dump");
                default -> throw new CommandException("invalid option: " + a);
            }
        }
        if (pos.isEmpty()) {
            throw new CommandException("usage: " + help().lines().findFirst().orElse(kw));
        }
        String spec = pos.get(0);
        if (spec.endsWith(",") || spec.endsWith(".")) {
            throw new CommandException("invalid format: " + spec);
        }
        int dot = spec.indexOf('.');
        String typeName = dot < 0 ? spec : spec.substring(0, dot);
        List<String> members = dot < 0 ? List.of() : List.of(spec.substring(dot + 1).split(","));
        Resolved r = resolve(typeName, kw);
        CType t = r.type();

        Long address = null;
        List<Integer> cpus = null;
        for (int i = 1; i < pos.size(); i++) {
            String a = pos.get(i);
            if (address != null) {
                if (count != null) {
                    throw new CommandException("too many arguments!");
                }
                count = RdCommand.number(a);
                continue;
            }
            String cpuspec = null;
            int colon = a.indexOf(':');
            if (colon >= 0) {
                cpuspec = a.substring(colon + 1);
                a = a.substring(0, colon);
            }
            if (RdCommand.isHex(a)) {
                long v = RdCommand.hex(a);
                if (cpuspec == null && Long.compareUnsigned(v, RdCommand.KERNEL_START) < 0) {
                    throw new CommandException("invalid kernel virtual address: " + a);
                }
                address = v;
            } else {
                Optional<KernelSymbols.Symbol> s = ctx.symbols().lookup(a);
                if (s.isEmpty()) {
                    RdCommand.notFound(ctx, a, out);
                    return;
                }
                if (cpuspec != null && !PerCpu.isPerCpu(ctx, s.get())) {
                    out.println("WARNING: " + s.get().name() + " is not percpu; cpuspec ignored.");
                    cpuspec = null;
                }
                address = s.get().address();
            }
            if (cpuspec != null) {
                cpus = PerCpu.parse(ctx, cpuspec);
            }
        }
        if (count != null && address == null) {
            throw new CommandException("no kernel virtual address argument entered");
        }
        long n = count == null ? 1 : count;
        if (address != null && listOffset != null) {
            address -= listOffset(listOffset);
        }
        ValuePrinter printer = ctx.printer(ValuePrinter.Format.NATURAL, hex);
        StructPrinter sp = new StructPrinter(ctx.memory(), printer);

        List<StructPrinter.Selected> selected = new ArrayList<>();
        for (String m : members) {
            selected.add(StructPrinter.select(t, m).orElseThrow(() -> new CommandException(
                    "invalid data structure reference: " + typeName + "." + m)));
        }
        if (address == null) {
            if (members.size() > 1) {
                out.println(kw + ": multiple member format not supported in this syntax");
                out.print(Declarations.declare(t, r.typedef(), true, null, -1, hex));
                return;
            }
            out.print(Declarations.declare(t, r.typedef(), offsets || !members.isEmpty(),
                    members.isEmpty() ? null : members.get(0), -1, hex));
            return;
        }
        if (members.size() > 1 && offsets) {
            throw new CommandException("-o option not valid with multiple member format");
        }
        if (cpus == null) {
            objects(kw, typeName, r, t, address, n, members, selected, offsets, raw, hex, sp, out);
            return;
        }
        for (int cpu : cpus) {
            long a = address + ctx.session().kernel().perCpuOffset(cpu);
            out.printf("[%d]: %x%n", cpu, a);
            objects(kw, typeName, r, t, a, n, members, selected, offsets, raw, hex, sp, out);
        }
    }

    private void objects(String kw, String typeName, Resolved r, CType t, long address, long n, List<String> members,
                         List<StructPrinter.Selected> selected, boolean offsets, boolean raw, boolean hex, StructPrinter sp,
                         PrintWriter out) {
        long size = t.size();
        long start = n < 0 ? address - size * (Math.abs(n) - 1) : address;
        for (long c = 0; c < Math.abs(n); c++) {
            long a = start + c * size;
            if (c > 0) {
                out.println();
            }
            if (offsets) {
                out.print(Declarations.declare(t, r.typedef(), true, members.isEmpty() ? null : members.get(0), a, hex));
                continue;
            }
            if (raw) {
                long len = selected.isEmpty() ? size : selected.get(0).field().type().size();
                long from = selected.isEmpty() ? a : a + selected.get(0).field().offset();
                int unit = len == 1 || len == 2 || len == 4 ? (int) len : 8;
                new MemoryDisplay((x, dst, o, l) -> ctx.memory().read(x, dst, o, l), "KVADDR")
                        .words(from, (len + unit - 1) / unit, unit, MemoryDisplay.Radix.HEX, true, null, out);
                continue;
            }
            if (selected.isEmpty()) {
                try {
                    out.print(sp.whole(kw, typeName, t, a));
                } catch (CommandException e) {
                    out.flush();
                    throw e;
                }
                continue;
            }
            byte[] data = sp.read(a, t);
            for (StructPrinter.Selected s : selected) {
                try {
                    out.print(sp.member(s, data, a));
                } catch (FaultException e) {
                    throw new CommandException(DataContext.readError(e, "gdb_readmem_callback"));
                }
            }
        }
    }

    private long listOffset(String spec) {
        if (spec.matches("\\d+|0[xX][0-9a-fA-F]+")) {
            return RdCommand.number(spec);
        }
        int dot = spec.indexOf('.');
        if (dot > 0) {
            Resolved r = resolve(spec.substring(0, dot), null);
            return StructPrinter.select(r.type(), spec.substring(dot + 1)).map(s -> s.field().offset())
                    .orElseThrow(() -> new CommandException("invalid -l option: " + spec));
        }
        throw new CommandException("invalid -l option: " + spec);
    }


    /** A struct or union found by name: the type, and the typedef name when it was named by one. */
    record Resolved(CType type, String typedef, String keyword) {
    }

    /** {@code task_struct}, a typedef of a struct ({@code spinlock_t}); a struct requested as a union is a mismatch. */
    Resolved resolve(String name, String kw) {
        java.util.function.Function<String, Optional<CType>> lookup = ctx.globals()::debugType;
        Optional<CType> s = lookup.apply("struct " + name);
        Optional<CType> u = lookup.apply("union " + name);
        String typedef = null;
        if (s.isEmpty() && u.isEmpty()) {
            Optional<CType> td = lookup.apply(name).filter(x -> x.isAggregate());
            if (td.isPresent()) {
                typedef = td.get().kind() == CType.Kind.TYPEDEF ? name : null;
                if (td.get().resolve().kind() == CType.Kind.UNION) {
                    u = td;
                } else {
                    s = td;
                }
            }
        }
        if ("struct".equals(kw) && s.isEmpty() && u.isPresent()) {
            throw new CommandException("data type mismatch: " + name + " is not a struct");
        }
        if ("union".equals(kw) && u.isEmpty() && s.isPresent()) {
            throw new CommandException("data type mismatch: " + name + " is not a union");
        }
        Optional<CType> union = u;
        Optional<CType> t = "union".equals(kw) ? u : s.or(() -> union);
        if (t.isEmpty()) {
            throw new CommandException("invalid data structure reference: " + name);
        }
        String k = t.get().resolve().kind() == CType.Kind.UNION ? "union" : "struct";
        return new Resolved(t.get(), typedef, k);
    }
}
