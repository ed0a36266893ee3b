package org.coroner.cli.shell.data;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.elf.ElfFile;
import org.coroner.kernel.stack.LoadedModule;
import org.coroner.kernel.symbols.KernelSymbols;

/**
 * crash's {@code sym}: a symbol by name or address as {@code ADDRESS (TYPE) NAME[+OFFSET] [module]
 * file: line}; every symbol ({@code -l}), a module's ({@code -m}), names containing a string
 * ({@code -q}), the neighbours ({@code -n}, {@code -p}), the section ({@code -s}).
 */
public final class SymCommand implements ShellCommand {
    private final DataContext ctx;

    public SymCommand(DataContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return "sym";
    }

    @Override
    public String summary() {
        return "symbol by name or address, with module and file:line; symbol lists";
    }

    @Override
    public String help() {
        return """
                sym [-l] | [-M] | [-m MODULE] | [-p|-n] | [-q STRING] | [-s] [SYMBOL | ADDRESS]...
                  A symbol by name, or the symbol an address falls in with the offset from it, as
                  ADDRESS (TYPE) NAME[+OFFSET] [MODULE] FILE: LINE (the line for code addresses, from the
                  DWARF of vmlinux or of the module's .ko found in --modules). TYPE is nm's letter.
                  -l         every symbol of vmlinux, then of each module, by address
                  -M         every module symbol
                  -m MODULE  the symbols of one module
                  -p / -n    also the symbol before / after
                  -q STRING  every symbol whose name contains STRING
                  -s         the section instead of the line
                  Example: sym schedule, sym ffffffffc04ad1e9, sym -m crashlab""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        boolean next = false;
        boolean prev = false;
        boolean section = false;
        boolean listed = false;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-l", "-L" -> {
                    listAll(out);
                    listed = true;
                }
                case "-M" -> {
                    for (LoadedModule m : modulesByAddress()) {
                        listModule(m, out);
                    }
                    listed = true;
                }
                case "-m" -> {
                    String m = Args.value(args, ++i, a);
                    modulesByAddress().stream().filter(x -> x.name().equals(m)).forEach(x -> listModule(x, out));
                    listed = true;
                }
                case "-q" -> {
                    List<KernelSymbols.Symbol> found = ctx.symbols().containing(Args.value(args, ++i, a));
                    if (found.isEmpty()) {
                        out.println("(none found)");
                    }
                    for (KernelSymbols.Symbol s : found) {
                        out.println(line(s, 0, false, false, true));
                    }
                    listed = true;
                }
                case "-n" -> next = true;
                case "-p" -> prev = true;
                case "-s" -> section = true;
                default -> {
                    if (a.startsWith("-") && a.length() > 1) {
                        throw new CommandException("invalid option: " + a);
                    }
                    names.add(a);
                }
            }
        }
        if (names.isEmpty()) {
            if (!listed) {
                throw new CommandException("usage: " + help().lines().findFirst().orElse("sym"));
            }
            return;
        }
        for (int i = 0; i < names.size(); i++) {
            String a = names.get(i);
            List<KernelSymbols.Symbol> byName = ctx.symbols().byName(a);
            if (byName.isEmpty() && RdCommand.isHex(a)) {
                long v = RdCommand.hex(a);
                Optional<KernelSymbols.At> at = ctx.symbols().nearest(v);
                if (at.isEmpty()) {
                    if (names.size() == 1) {
                        throw new CommandException("invalid address: " + a);
                    }
                    out.println("sym: invalid address: " + a);
                    continue;
                }
                show(at.get().symbol(), at.get().offset(), prev, next, section, out);
                continue;
            }
            if (byName.isEmpty()) {
                RdCommand.notFound(ctx, a, out);
                continue;
            }
            for (KernelSymbols.Symbol s : byName) {
                show(s, 0, prev, next, section, out);
            }
        }
    }

    private void show(KernelSymbols.Symbol s, long offset, boolean prev, boolean next, boolean section, PrintWriter out) {
        if (prev) {
            neighbour(s, -1).ifPresent(p -> out.println(line(p, 0, !section, section, true)));
        }
        out.println(line(s, offset, !section, section, true));
        if (next) {
            neighbour(s, 1).ifPresent(n -> out.println(line(n, 0, !section, section, true)));
        }
    }

    /** The symbol at the next lower / higher address than {@code s} in its table. */
    private Optional<KernelSymbols.Symbol> neighbour(KernelSymbols.Symbol s, int dir) {
        List<KernelSymbols.Symbol> table = s.module() == null ? ctx.symbols().vmlinux()
                : ctx.symbols().moduleOf(s.address()).map(m -> ctx.symbols().module(m)).orElse(List.of());
        int i = table.indexOf(s);
        if (i < 0) {
            return Optional.empty();
        }
        for (int j = i + dir; j >= 0 && j < table.size(); j += dir) {
            if (table.get(j).address() != s.address()) {
                return Optional.of(table.get(j));
            }
        }
        return Optional.empty();
    }

    /** One symbol as crash's show_symbol prints it. */
    String line(KernelSymbols.Symbol s, long offset, boolean lines, boolean section, boolean module) {
        long a = s.address() + offset;
        StringBuilder b = new StringBuilder();
        b.append(Long.toHexString(a)).append(" (").append(s.type()).append(") ").append(s.name());
        if (offset != 0) {
            b.append('+').append(offset);
        }
        if (module && s.module() != null) {
            b.append(" [").append(s.module()).append(']');
        }
        if (lines && isText(a)) {
            b.append(' ');
            ctx.session().debugInfo().at(a).ifPresent(l -> b.append(l.file().replace("//", "/")).append(": ").append(l.line()));
        }
        if (section) {
            b.append(" [").append(sectionOf(a)).append(']');
        }
        return b.toString();
    }

    /** Kernel or module code: where a line number makes sense. */
    private boolean isText(long a) {
        Optional<LoadedModule> m = ctx.symbols().moduleOf(a);
        if (m.isPresent()) {
            return m.get().containsText(a);
        }
        long link = a - ctx.session().kernel().kaslrOffset();
        for (ElfFile.Section s : ctx.session().kernel().vmlinux().sections()) {
            if (s.isExec() && s.isAlloc() && s.contains(link)) {
                return true;
            }
        }
        return false;
    }

    private String sectionOf(long a) {
        Optional<LoadedModule> m = ctx.symbols().moduleOf(a);
        if (m.isPresent()) {
            String best = "";
            long bestBase = 0;
            for (var e : ctx.symbols().modules().sectionAddresses(m.get()).entrySet()) {
                long base = e.getValue();
                if (Long.compareUnsigned(base, a) <= 0 && (best.isEmpty() || Long.compareUnsigned(base, bestBase) > 0)) {
                    best = e.getKey();
                    bestBase = base;
                }
            }
            return best;
        }
        long link = a - ctx.session().kernel().kaslrOffset();
        for (ElfFile.Section s : ctx.session().kernel().vmlinux().sections()) {
            if (s.isAlloc() && s.contains(link)) {
                return s.name();
            }
        }
        return "";
    }

    private void listAll(PrintWriter out) {
        StringBuilder b = new StringBuilder(1 << 22);
        for (KernelSymbols.Symbol s : ctx.symbols().vmlinux()) {
            b.append(Long.toHexString(s.address())).append(" (").append(s.type()).append(") ").append(s.name()).append('\n');
        }
        out.print(b);
        for (LoadedModule m : modulesByAddress()) {
            listModule(m, out);
        }
    }

    private List<LoadedModule> modulesByAddress() {
        List<LoadedModule> ms = new ArrayList<>(ctx.symbols().modules().all());
        ms.sort(Comparator.comparing(m -> m.ranges().isEmpty() ? 0L : m.ranges().get(0).base(), Long::compareUnsigned));
        return ms;
    }

    private void listModule(LoadedModule m, PrintWriter out) {
        List<LoadedModule.Range> r = m.ranges();
        List<KernelSymbols.Symbol> syms = ctx.symbols().module(m, ctx.globals().moduleTypes(m.name()).isPresent());
        if (!r.isEmpty()) {
            out.printf("%x MODULE START: %s%n", r.get(0).base(), m.name());
        }
        for (KernelSymbols.Symbol s : syms) {
            if (r.size() > 1 && r.get(1).contains(s.address())) {
                continue;
            }
            out.println(line(s, 0, false, false, false));
        }
        if (!r.isEmpty()) {
            out.printf("%x MODULE END: %s%n", r.get(0).base() + r.get(0).size(), m.name());
        }
        if (r.size() > 1) {
            out.printf("%x MODULE INIT START: %s%n", r.get(1).base(), m.name());
            for (KernelSymbols.Symbol s : syms) {
                if (r.get(1).contains(s.address())) {
                    out.println(line(s, 0, false, false, false));
                }
            }
            out.printf("%x MODULE INIT END: %s%n", r.get(1).base() + r.get(1).size(), m.name());
        }
    }

}
