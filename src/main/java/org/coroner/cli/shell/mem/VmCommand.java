package org.coroner.cli.shell.mem;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.CrashFormat;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.cli.shell.TaskSelection;
import org.coroner.cli.shell.bt.BacktracePrinter;
import org.coroner.kernel.TaskMemoryUsage;
import org.coroner.kernel.Tasks;
import org.coroner.kernel.mm.Vmas;
import org.coroner.memory.FaultException;
import org.coroner.session.Session;

/**
 * crash's {@code vm}: a task's memory map, its mm_struct, page directory, RSS and total size, then
 * each VMA with its range, flags and file. The VMAs come from {@code mm->mm_mt}, the maple tree that
 * holds them since 6.1 (crash 8.0.2 cannot read it: "invalid structure member offset:
 * mm_struct_mmap"), or from the {@code mmap} list on older kernels.
 */
public final class VmCommand implements ShellCommand {
    private final Session s;
    /** The shell's commands by name: {@code -m} and {@code -v} print through {@code struct}. */
    private final java.util.function.Function<String, ShellCommand> commands;

    public VmCommand(Session s, java.util.function.Function<String, ShellCommand> commands) {
        this.s = s;
        this.commands = commands;
    }

    @Override
    public String name() {
        return "vm";
    }

    @Override
    public String summary() {
        return "a task's memory map: mm_struct, page directory, RSS, and every VMA with its file";
    }

    @Override
    public String help() {
        return """
                vm [-m | -v] [-x | -d] [PID | TASK]...
                  For the current task, or each task named: the task's header, its mm_struct and page
                  directory (pgd) addresses, RSS and total size, then each virtual memory area: the
                  vm_area_struct, start, end, vm_flags (hex) and the path of the file mapped.
                  A kernel thread has no mm: only its header and zeros are printed.
                  -m        the task's struct mm_struct instead, as struct prints it
                  -v        each VMA's struct vm_area_struct instead
                  -x / -d   with -m or -v: integers in hexadecimal / decimal
                  foreach vm prints it for every task.""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        List<Tasks.Task> tasks = new ArrayList<>();
        char mode = 0;
        String radix = null;
        for (String a : args) {
            switch (a) {
                case "-m", "-v" -> {
                    if (mode != 0 && mode != a.charAt(1)) {
                        throw new CommandException("-m and -v are mutually exclusive");
                    }
                    mode = a.charAt(1);
                }
                case "-x", "-d" -> {
                    if (radix != null && !radix.equals(a)) {
                        throw new CommandException("-d and -x are mutually exclusive");
                    }
                    radix = a;
                }
                default -> {
                    if (a.startsWith("-")) {
                        throw new CommandException("invalid option: " + a + " (-p, -P, -R and -f are not supported yet)");
                    }
                    tasks.addAll(TaskSelection.resolve(s.tasks(), a, false));
                }
            }
        }
        if (tasks.isEmpty()) {
            tasks.add(s.current().orElseThrow(() -> new CommandException("no current context")));
        }
        for (int i = 0; i < tasks.size(); i++) {
            if (i > 0) {
                out.println();
            }
            if (mode == 0) {
                print(tasks.get(i), out);
            } else {
                structs(tasks.get(i), mode, radix, out);
            }
        }
    }

    /** {@code -m}: the header and the mm_struct; {@code -v}: the header and each vm_area_struct, through {@code struct}. */
    private void structs(Tasks.Task t, char mode, String radix, PrintWriter out) {
        out.println(BacktracePrinter.header(t, -1));
        long mm = t.task().member("mm").u64();
        if (mm == 0) {
            return;
        }
        ShellCommand struct = commands.apply("struct");
        List<Long> addresses = mode == 'm' ? List.of(mm) : vmas(s, mm).stream().map(Vmas.Vma::address).toList();
        for (long a : addresses) {
            List<String> args = new ArrayList<>();
            if (radix != null) {
                args.add(radix);
            }
            args.add(mode == 'm' ? "mm_struct" : "vm_area_struct");
            args.add(Long.toHexString(a));
            struct.run(args, out);
        }
    }

    private void print(Tasks.Task t, PrintWriter out) {
        out.println(BacktracePrinter.header(t, -1));
        TaskMemoryUsage mu = TaskMemoryUsage.of(s.kernel(), t, s.tasks().all());
        long mm = t.task().member("mm").u64();
        long pgd = mm == 0 ? 0 : s.kernel().object("struct mm_struct", mm).member("pgd").u64();
        long pageKb = s.dump().pageSize() / 1024;
        out.println(CrashFormat.center("MM", 16) + "  " + CrashFormat.center("PGD", 16) + "  " + CrashFormat.center("RSS", 6)
                + "  " + CrashFormat.center("TOTAL_VM", 8));
        out.println(CrashFormat.center(Long.toHexString(mm), 16) + "  " + CrashFormat.center(Long.toHexString(pgd), 16) + "  "
                + CrashFormat.center(mu.rss() * pageKb + "k", 6) + "  " + CrashFormat.center(mu.totalVm() * pageKb + "k", 8));
        if (mm == 0) {
            return;
        }
        List<Vmas.Vma> vmas = vmas(s, mm);
        out.print(HEADER);
        for (Vmas.Vma v : vmas) {
            out.println(line(v));
        }
    }

    /** The VMAs of {@code mm}; a tree that cannot be read is the command's error, one line. */
    static List<Vmas.Vma> vmas(Session s, long mm) {
        try {
            return Vmas.of(s.kernel(), mm);
        } catch (FaultException e) {
            throw new CommandException(String.format("cannot read the VMAs of mm_struct %x: %s", mm, e.getMessage()));
        }
    }

    /** crash's VMA header: {@code VMA START END FLAGS FILE} over the columns of {@link #line}. */
    static final String HEADER = CrashFormat.center("VMA", 16) + " " + CrashFormat.centerRight("START", 10) + " "
            + CrashFormat.centerRight("END", 10) + "  FLAGS FILE\n";

    /** crash's VMA line: the vm_area_struct, start and end (right-aligned in 10), the flags (%6x) and the file. */
    static String line(Vmas.Vma v) {
        return String.format("%s %s %s %6x %s", CrashFormat.center(Long.toHexString(v.address()), 16),
                CrashFormat.right(Long.toHexString(v.start()), 10), CrashFormat.right(Long.toHexString(v.end()), 10),
                v.flags(), v.file());
    }
}
