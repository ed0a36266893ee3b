package org.coroner.cli.shell.data;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.coroner.cli.shell.CommandException;
import org.coroner.kernel.symbols.KernelSymbols;

/** Per-cpu symbols and crash's CPU specifications ({@code 1}, {@code 0,2-3}, {@code a}, empty: the current CPU). */
final class PerCpu {
    private PerCpu() {
    }

    /** A vmlinux data symbol in the per-cpu section: an offset, not an address. */
    static boolean isPerCpu(DataContext ctx, KernelSymbols.Symbol s) {
        if (s.module() != null) {
            return false;
        }
        char t = s.type();
        if (t != 'd' && t != 'D' && t != 'V') {
            return false;
        }
        var k = ctx.session().kernel();
        var start = k.symbol("__per_cpu_start");
        var end = k.symbol("__per_cpu_end");
        return start.isPresent() && end.isPresent() && Long.compareUnsigned(s.address(), start.get()) >= 0
                && Long.compareUnsigned(s.address(), end.get()) < 0;
    }

    static List<Integer> cpus(DataContext ctx) {
        return ctx.session().kernel().cpuMask("__cpu_possible_mask");
    }

    static List<Integer> parse(DataContext ctx, String spec) {
        List<Integer> all = cpus(ctx);
        if (spec.isEmpty()) {
            int cpu = ctx.session().current().map(t -> t.cpu()).orElse(0);
            return List.of(cpu);
        }
        if (spec.equals("a") || spec.equals("all")) {
            return all;
        }
        TreeSet<Integer> out = new TreeSet<>();
        for (String part : spec.split(",")) {
            try {
                int dash = part.indexOf('-');
                int lo = Integer.parseInt(dash > 0 ? part.substring(0, dash) : part);
                int hi = dash > 0 ? Integer.parseInt(part.substring(dash + 1)) : lo;
                for (int c = lo; c <= hi; c++) {
                    if (!all.contains(c)) {
                        throw new CommandException("invalid cpu specification: " + spec);
                    }
                    out.add(c);
                }
            } catch (NumberFormatException e) {
                throw new CommandException("invalid cpu specification: " + spec);
            }
        }
        return new ArrayList<>(out);
    }
}
