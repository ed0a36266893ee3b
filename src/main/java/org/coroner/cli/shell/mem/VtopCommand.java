package org.coroner.cli.shell.mem;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.arch.x86_64.PageTableWalk;
import org.coroner.arch.x86_64.X86_64AddressSpace;
import org.coroner.arch.x86_64.X86_64Paging;
import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.CrashFormat;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.cli.shell.TaskSelection;
import org.coroner.kernel.Tasks;
import org.coroner.kernel.mm.Vmas;
import org.coroner.session.Session;

/**
 * crash's {@code vtop}: how a virtual address translates, each page-table entry on the walk
 * (from {@code init_top_pgt} for kernel addresses, from the task's {@code mm->pgd} for user
 * addresses), the leaf entry's flags, and the {@code struct page} of the physical page.
 */
public final class VtopCommand implements ShellCommand {
    /** TASK_SIZE_MAX on x86_64 with 4-level paging: user addresses are below it. */
    private static final long USER_TOP = 0x0000_7fff_ffff_f000L;
    private final Session s;

    public VtopCommand(Session s) {
        this.s = s;
    }

    @Override
    public String name() {
        return "vtop";
    }

    @Override
    public String summary() {
        return "virtual to physical: the page-table walk of an address";
    }

    @Override
    public String help() {
        return """
                vtop [-c PID | TASK] [-u | -k] ADDRESS...
                  Translates each virtual address (hex) and shows the page-table walk: the top-level
                  table, each entry read (its physical address => its value), the page, the leaf
                  entry's flags, and the struct page of the physical page.
                  -u        ADDRESS is a user address of the current task (or of -c's task): walked
                            from its mm->pgd; the default below 0x7ffffffff000
                  -k        ADDRESS is a kernel address: walked from init_top_pgt
                  -c TASK   use this task's page tables (PID or task address) instead of the current one
                An address that does not translate shows the walk up to the entry that is not present.""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        boolean user = false;
        boolean kernel = false;
        Optional<Tasks.Task> task = Optional.empty();
        List<Long> addresses = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-u" -> user = true;
                case "-k" -> kernel = true;
                case "-c" -> {
                    if (i + 1 >= args.size()) {
                        throw new CommandException("-c needs a PID or task address");
                    }
                    task = Optional.of(TaskSelection.resolve(s.tasks(), args.get(++i), false).get(0));
                }
                default -> {
                    if (a.startsWith("-")) {
                        throw new CommandException("invalid option: " + a);
                    }
                    addresses.add(MemoryArgs.address(a));
                }
            }
        }
        if (user && kernel) {
            throw new CommandException("-u and -k options are mutually exclusive");
        }
        if (addresses.isEmpty()) {
            throw new CommandException("usage: vtop [-c PID | TASK] [-u | -k] ADDRESS...");
        }
        Tasks.Task context = task.or(s::current).orElse(null);
        for (int i = 0; i < addresses.size(); i++) {
            if (i > 0) {
                out.println();
            }
            long va = addresses.get(i);
            boolean isUser = user || !kernel && Long.compareUnsigned(va, USER_TOP) < 0;
            if (s.addressSpace() instanceof org.coroner.arch.arm64.Arm64AddressSpace arm64) {
                if (isUser) {
                    arm64UserVtop(context, va, out);
                } else {
                    new Arm64Vtop(s, arm64, s.kernel().requireSymbol("swapper_pg_dir")).print(va, out);
                }
            } else if (isUser) {
                userVtop(context, va, out);
            } else {
                kernelVtop(va, out);
            }
        }
    }

    private void kernelVtop(long va, PrintWriter out) {
        X86_64AddressSpace space = MemoryArgs.x86(s);
        X86_64Paging paging = space.paging();
        out.println(CrashFormat.left("VIRTUAL", 16) + "  " + CrashFormat.left("PHYSICAL", 16));
        if (va >= 0 || !paging.canonical(va)) {
            out.printf("%-8x  (not a kernel virtual address)%n%n", va);
            return;
        }
        Optional<Long> phys = translate(space, va);
        out.printf("%-16x  %s%n%n", va, phys.map(p -> CrashFormat.left(Long.toHexString(p), 16)).orElse("(not mapped)"));
        out.printf("PGD DIRECTORY: %x%n", s.kernel().requireSymbol("init_top_pgt"));
        List<PageTableWalk.Level> levels = paging.levels(space.topTable(), va);
        printWalk(paging, levels, va, true, out);
        out.println();
        phys.ifPresent(p -> PageLines.print(s.memMap(), p, out));
    }

    private void userVtop(Tasks.Task t, long va, PrintWriter out) {
        if (t == null) {
            throw new CommandException("no current context");
        }
        Optional<X86_64AddressSpace> us = s.userSpace(t);
        if (us.isEmpty()) {
            throw new CommandException(String.format("%s (pid %d) has no user address space: a kernel thread", t.comm(), t.pid()));
        }
        X86_64Paging paging = us.get().paging();
        out.println(CrashFormat.left("VIRTUAL", 10) + "  " + CrashFormat.left("PHYSICAL", 16));
        // crash's order: an address outside every VMA is "not accessible", without a walk
        Optional<Vmas.Vma> vma = VmCommand.vmas(s, t.task().member("mm").u64()).stream().filter(v -> v.contains(va)).findFirst();
        if (vma.isEmpty()) {
            out.printf("%-10x  (not accessible)%n%n", va);
            return;
        }
        Optional<Long> phys = translate(us.get(), va);
        out.printf("%-10x  %s%n%n", va, phys.map(p -> CrashFormat.left(Long.toHexString(p), 16)).orElse("(not mapped)"));
        printWalk(paging, paging.levels(us.get().topTable(), va), va, false, out);
        out.println();
        out.print(VmCommand.HEADER);
        out.println(VmCommand.line(vma.get()));
        out.println();
        phys.ifPresent(p -> PageLines.print(s.memMap(), p, out));
    }

    private void arm64UserVtop(Tasks.Task t, long va, PrintWriter out) {
        if (t == null) {
            throw new CommandException("no current context");
        }
        var us = s.userAddressSpace(t).orElseThrow(() -> new CommandException(
                String.format("%s (pid %d) has no user address space: a kernel thread", t.comm(), t.pid())));
        long mm = t.task().member("mm").u64();
        long pgd = s.kernel().object("struct mm_struct", mm).member("pgd").u64();
        new Arm64Vtop(s, (org.coroner.arch.arm64.Arm64AddressSpace) us, pgd, VmCommand.vmas(s, mm)).print(va, out);
    }

    private static Optional<Long> translate(X86_64AddressSpace space, long va) {
        try {
            return Optional.of(space.translate(va).physicalAddress());
        } catch (org.coroner.dump.FaultException e) {
            return Optional.empty();
        }
    }

    /** The entries as crash prints them; the leaf's flags when the walk reached a present leaf. */
    static void printWalk(X86_64Paging paging, List<PageTableWalk.Level> levels, long va, boolean kernel, PrintWriter out) {
        for (int i = 0; i < levels.size(); i++) {
            PageTableWalk.Level l = levels.get(i);
            if (i == 0 && kernel) {
                out.printf("PAGE DIRECTORY: %x%n", l.entry());
            } else {
                out.printf("   %s: %x => %x%n", l.name(), l.entryAddress(), l.entry());
            }
            boolean leaf = l.name().equals("PTE") || l.largePage() && l.present();
            if (!l.present() && !(leaf && (l.entry() & X86_64Paging.PROTNONE) != 0)) {
                if (leaf && l.entry() != 0) {
                    out.println();
                    out.printf("%s  (not present)%n", Long.toHexString(l.entry()));
                }
                return;
            }
            if (leaf) {
                long size = switch (l.name()) {
                    case "PUD" -> 1L << 30;
                    case "PMD" -> 1L << 21;
                    default -> 1L << 12;
                };
                long page = paging.entryAddress(l.entry()) & ~(size - 1);
                out.printf("  PAGE: %x%s%n%n", page, size == 1L << 30 ? "  (1GB)" : size == 1L << 21 ? "  (2MB)" : "");
                printFlags(l.entry(), page, out);
                return;
            }
        }
    }

    /** crash's PTE line: the entry, the physical page, the flag names. */
    static void printFlags(long pte, long page, PrintWriter out) {
        String e = Long.toHexString(pte);
        String p = Long.toHexString(page);
        int w1 = Math.max(e.length(), 3);
        int w2 = Math.max(p.length(), 8);
        out.println(CrashFormat.center("PTE", w1) + "  " + CrashFormat.center("PHYSICAL", w2) + "  FLAGS");
        List<String> names = new ArrayList<>();
        if (pte != 0) {
            if ((pte & X86_64Paging.PRESENT) != 0) {
                names.add("PRESENT");
            }
            if ((pte & X86_64Paging.RW) != 0) {
                names.add("RW");
            }
            if ((pte & X86_64Paging.USER) != 0) {
                names.add("USER");
            }
            if ((pte & 0x8) != 0) {
                names.add("PWT");
            }
            if ((pte & 0x10) != 0) {
                names.add("PCD");
            }
            if ((pte & 0x20) != 0) {
                names.add("ACCESSED");
            }
            if ((pte & 0x40) != 0) {
                names.add("DIRTY");
            }
            if ((pte & X86_64Paging.PSE) != 0 && (pte & X86_64Paging.PRESENT) != 0) {
                names.add("PSE");
            }
            if ((pte & X86_64Paging.PROTNONE) != 0 && (pte & X86_64Paging.PRESENT) == 0) {
                names.add("PROTNONE");
            }
            if ((pte & 0x100) != 0) {
                names.add("GLOBAL");
            }
            if ((pte & X86_64Paging.NX) != 0) {
                names.add("NX");
            }
        }
        out.println(CrashFormat.centerRight(e, w1) + "  " + CrashFormat.centerRight(p, w2) + "  ("
                + (names.isEmpty() ? "no mapping" : String.join("|", names)) + ")");
    }
}
