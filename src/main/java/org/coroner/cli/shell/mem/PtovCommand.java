package org.coroner.cli.shell.mem;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.CrashFormat;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.session.Session;

/**
 * crash's {@code ptov}: the direct-map virtual address of a physical address
 * ({@code page_offset_base + paddr}), or with {@code OFFSET:CPUS} the per-cpu address of a per-cpu
 * offset on each CPU ({@code + __per_cpu_offset[cpu]}).
 */
public final class PtovCommand implements ShellCommand {
    private final Session s;

    public PtovCommand(Session s) {
        this.s = s;
    }

    @Override
    public String name() {
        return "ptov";
    }

    @Override
    public String summary() {
        return "physical to virtual (direct map), or a per-cpu offset on each CPU";
    }

    @Override
    public String help() {
        return """
                ptov PHYSICAL... | OFFSET:CPUS...
                  PHYSICAL      (hex) its address in the kernel's direct map, page_offset_base + PHYSICAL
                  OFFSET:CPUS   a per-cpu offset (hex) as a virtual address on each CPU of CPUS
                                (0,2-3, a for all; nothing after ':' for the current context's CPU)""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        if (args.isEmpty()) {
            throw new CommandException("usage: ptov PHYSICAL... | OFFSET:CPUS...");
        }
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (i > 0) {
                out.println();
            }
            int colon = a.indexOf(':');
            if (colon >= 0) {
                perCpu(MemoryArgs.address(a.substring(0, colon)), a.substring(colon + 1), out);
                continue;
            }
            long p = MemoryArgs.address(a);
            out.println(CrashFormat.left("VIRTUAL", 16) + "  " + CrashFormat.left("PHYSICAL", 16));
            out.println(CrashFormat.left(Long.toHexString(s.memMap().pageOffsetBase() + p), 16) + "  "
                    + CrashFormat.left(Long.toHexString(p), 16));
        }
    }

    private void perCpu(long offset, String spec, PrintWriter out) {
        List<Integer> possible = s.kernel().cpuMask("__cpu_possible_mask");
        List<Integer> cpus = new ArrayList<>();
        if (spec.isEmpty()) {
            cpus.add(s.current().orElseThrow(() -> new CommandException("no current context")).cpu());
        } else if (spec.equals("a") || spec.equals("all")) {
            cpus.addAll(possible);
        } else {
            for (String part : spec.split(",")) {
                String[] r = part.split("-");
                try {
                    int from = Integer.parseInt(r[0]);
                    int to = r.length > 1 ? Integer.parseInt(r[1]) : from;
                    for (int c = from; c <= to; c++) {
                        if (!possible.contains(c)) {
                            throw new CommandException("invalid cpu number: " + c);
                        }
                        cpus.add(c);
                    }
                } catch (NumberFormatException e) {
                    throw new CommandException("invalid cpu specification: " + spec);
                }
            }
        }
        int width = ("[" + (possible.size() - 1) + "]").length() + 2;
        out.printf("PER-CPU OFFSET: %x%n", offset);
        out.println("  " + CrashFormat.left("CPU", width) + "  " + CrashFormat.left("VIRTUAL", 16));
        for (int c : cpus) {
            out.println("  " + CrashFormat.left("[" + c + "]", width) + Long.toHexString(offset + s.kernel().perCpuOffset(c)));
        }
    }
}
