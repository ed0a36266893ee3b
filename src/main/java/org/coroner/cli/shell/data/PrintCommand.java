package org.coroner.cli.shell.data;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.expr.EvalException;
import org.coroner.expr.Operand;
import org.coroner.kernel.symbols.Globals;
import org.coroner.kernel.symbols.KernelSymbols;
import org.coroner.memory.FaultException;
import org.coroner.types.CType;
import org.coroner.types.ValuePrinter;

/**
 * crash's {@code p}: a C expression evaluated over the dump and printed as gdb prints it, numbered
 * in the value history ({@code $N}); a lone symbol is named first ({@code jiffies = $1 = ...}); a
 * per-cpu symbol shows its type and per-CPU addresses, or with {@code :cpu} its values there.
 */
public final class PrintCommand implements ShellCommand {
    private final DataContext ctx;

    public PrintCommand(DataContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return "p";
    }

    @Override
    public String summary() {
        return "print the value of a C expression (symbols, members, casts, per-cpu symbols)";
    }

    @Override
    public String help() {
        return """
                p [-x|-d] [/x|/d] EXPRESSION | SYMBOL[:CPUSPEC]
                  Evaluates a C expression over the dump and prints its value as gdb does under crash:
                  structs and unions in full, pointers with the symbol they point into, char arrays as
                  strings, enums by name. Each value is numbered in the history: $N, $ (the last), $$N.
                  Expressions: symbols of vmlinux and modules, members (. and ->), subscripts, casts
                  such as (struct task_struct *)0xffff..., &, *, arithmetic, comparisons, sizeof.
                  A symbol alone is printed as "NAME = $N = VALUE".
                  -x      integers in hexadecimal (gdb's output radix 16)
                  -d      integers in decimal
                  /x /d   gdb's print formats (p/x jiffies): every scalar in hex / signed decimal
                  SYMBOL:CPUSPEC   a per-cpu variable on CPUs: a number, a list (0,2-3), "a" for all,
                                   nothing (SYMBOL:) for the current CPU; a per-cpu symbol alone prints
                                   its type and its address on each CPU.
                  Example: p init_task.comm, p/x jiffies, p ((struct task_struct *)ADDR)->pid, p runqueues:1""";
    }

    /** {@code p 'a'} is gdb's character literal: the quotes go to the expression as they are. */
    @Override
    public boolean keepsQuotes() {
        return true;
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        boolean radix16 = ctx.radix16();
        ValuePrinter.Format format = ValuePrinter.Format.NATURAL;
        List<String> rest = new ArrayList<>();
        boolean options = true;
        for (String a : args) {
            if (options && (a.equals("-x") || a.equals("-h"))) {
                radix16 = true;
            } else if (options && a.equals("-d")) {
                radix16 = false;
            } else if (options && a.equals("-u")) {
                throw new CommandException("-u: user virtual addresses need vtop's page tables of the task; use a kernel address");
            } else if (options && a.startsWith("/") && a.length() > 1) {
                format = switch (a.substring(1)) {
                    case "x" -> ValuePrinter.Format.HEX;
                    case "d" -> ValuePrinter.Format.DECIMAL;
                    default -> throw new CommandException("Undefined output format \"" + a.substring(1) + "\".");
                };
            } else {
                options = false;
                rest.add(a);
            }
        }
        if (rest.isEmpty()) {
            throw new CommandException("usage: p [-x|-d] [/x|/d] EXPRESSION | SYMBOL[:CPUSPEC]");
        }
        ValuePrinter printer = ctx.printer(format, radix16);
        String first = rest.get(0);
        boolean gdb = format != ValuePrinter.Format.NATURAL; // p/x goes to gdb as it is: no leader, no reformatting
        if (rest.size() == 1) {
            int colon = first.lastIndexOf(':');
            String sym = colon > 0 ? first.substring(0, colon) : first;
            Optional<KernelSymbols.Symbol> s = ctx.symbols().lookup(sym);
            if (s.isPresent() && PerCpu.isPerCpu(ctx, s.get())) {
                perCpu(s.get(), colon > 0 ? first.substring(colon + 1) : null, printer, out);
                return;
            }
            if (colon > 0 && s.isPresent()) {
                out.println("WARNING: " + sym + " is not percpu; cpuspec ignored.");
                rest.set(0, sym);
                first = sym;
            }
        }
        // crash names the value after the first word when that word is a symbol (p jiffies + 1 too)
        String leader = !gdb && ctx.symbols().lookup(first).isPresent() ? first + " = " : null;
        print(String.join(" ", rest), leader, !gdb && (leader != null || ctx.moduleDebugInfoLoaded()), printer, out);
    }

    private void print(String expression, String leader, boolean split, ValuePrinter printer, PrintWriter out) {
        Operand v;
        byte[] bytes;
        try {
            v = ctx.evaluate(expression);
            bytes = v.bytes(ctx.memory());
        } catch (FaultException e) {
            throw new CommandException(DataContext.readError(e, "gdb_readmem_callback"));
        } catch (EvalException e) {
            throw new CommandException(e.getMessage());
        }
        emit(v, bytes, leader, split, printer, out);
    }

    /**
     * Prints {@code $N = VALUE}. With {@code split} (crash's p when it names the value or has module
     * symbols loaded) a value whose first line opens a brace and goes on is moved to a line of its own.
     */
    private void emit(Operand v, byte[] bytes, String leader, boolean split, ValuePrinter printer, PrintWriter out) {
        String text;
        try {
            text = printer.top(v.type(), bytes, v.isLvalue() ? v.address() : ValuePrinter.NOWHERE);
        } catch (FaultException e) {
            throw new CommandException(DataContext.readError(e, "gdb_readmem_callback"));
        }
        int n = ctx.record(v, bytes);
        String line = "$" + n + " = " + text;
        if (split) {
            int brace = line.indexOf('{');
            int nl = line.indexOf('\n');
            if (brace >= 0 && (nl < 0 || brace < nl) && brace + 1 != nl) {
                line = line.substring(0, brace) + "\n {" + line.substring(brace + 1);
            }
        }
        if (leader != null) {
            out.print(leader);
        }
        out.println(line);
    }

    private void perCpu(KernelSymbols.Symbol s, String cpuspec, ValuePrinter printer, PrintWriter out) {
        Globals.Global g = ctx.globals().typed(s);
        List<Integer> cpus = PerCpu.cpus(ctx);
        if (cpuspec == null) {
            out.println("PER-CPU DATA TYPE:");
            out.println("  " + (g.typed() ? Declarations.variable(g.type(), s.name()) : "[undetermined type] " + s.name() + ";"));
            out.println("PER-CPU ADDRESSES:");
            for (int cpu : cpus) {
                out.printf("  [%d]: %x%n", cpu, s.address() + ctx.session().kernel().perCpuOffset(cpu));
            }
            return;
        }
        for (int cpu : PerCpu.parse(ctx, cpuspec)) {
            long addr = s.address() + ctx.session().kernel().perCpuOffset(cpu);
            CType t = g.typed() ? g.type() : null;
            Operand v = t != null ? Operand.at(t, addr) : Operand.of(ctx.globals().pointerTo(org.coroner.types.BaseTypes.VOID), addr);
            byte[] bytes;
            try {
                bytes = v.bytes(ctx.memory());
            } catch (FaultException e) {
                throw new CommandException(DataContext.readError(e, "gdb_readmem_callback"));
            }
            emit(v, bytes, (t != null ? "per_cpu(" : "&per_cpu(") + s.name() + ", " + cpu + ") = ", true, printer, out);
        }
    }
}
