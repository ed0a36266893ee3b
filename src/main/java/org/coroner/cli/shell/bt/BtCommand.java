package org.coroner.cli.shell.bt;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.TaskSetCommand;
import org.coroner.kernel.Tasks;
import org.coroner.kernel.stack.Backtracer;
import org.coroner.kernel.stack.SourceLines;

/** crash's {@code bt}: backtraces from the kernel's ORC data (x86_64) or frame records (arm64), real frames only. */
public final class BtCommand implements TaskSetCommand {
    private final Backtracer bt;
    private final BacktracePrinter printer;
    private final Arm64BacktracePrinter arm64Printer;
    private final Supplier<Optional<Tasks.Task>> context;
    private final SourceLines lines;
    private org.coroner.kernel.stack.FrameDetails variables;
    private java.util.function.Function<org.coroner.kernel.stack.Arm64Backtraces.Backtrace, List<List<String>>> arm64Variables;

    /**
     * {@code context} is the shell's current task ({@code set}); {@code lines} answers {@code -l}
     * (null while no DWARF reader is wired in).
     */
    public BtCommand(Backtracer bt, Supplier<Optional<Tasks.Task>> context, SourceLines lines) {
        this.bt = bt;
        this.printer = new BacktracePrinter(bt);
        this.arm64Printer = new Arm64BacktracePrinter(bt, printer);
        this.context = context;
        this.lines = lines;
    }

    /** On arm64: what {@code -v} prints under each frame line of a backtrace (null: -v unavailable). */
    public BtCommand withArm64Variables(
            java.util.function.Function<org.coroner.kernel.stack.Arm64Backtraces.Backtrace, List<List<String>>> v) {
        this.arm64Variables = v;
        return this;
    }

    /** What {@code -v} prints under each frame (null: -v unavailable). */
    public BtCommand withVariables(org.coroner.kernel.stack.FrameDetails v) {
        this.variables = v;
        return this;
    }

    public BtCommand(Backtracer bt) {
        this(bt, bt::panicTask, null);
    }

    @Override
    public String name() {
        return "bt";
    }

    @Override
    public String summary() {
        return "backtrace of a task (ORC on x86_64, frame records on arm64; real frames only)";
    }

    @Override
    public String help() {
        return """
                bt [-a | -c CPU[,CPU|-CPU]] [-f | -F] [-l] [-v] [-s | -x] [-t | -T | -e] [PID | TASK]...
                  Backtrace of the current task (the panic task), or of each PID or task address,
                  unwound with the kernel's ORC data (arm64: its x29/x30 frame records, PAC bits
                  stripped) exactly as the kernel's own unwinder does: only real frames, never stale
                  return addresses found by scanning.
                  -a        the task running on each CPU
                  -c CPUS   the task running on these CPUs (0,2-3)
                  -f        the stack words of each frame
                  -F        the same words named: symbol+offset, [slab cache] for slab objects
                  -s        symbol offsets in decimal (panic+345); -x in hex (panic+0x159)
                  -t        stack scan instead: every text address from the current SP up
                  -T        stack scan of the whole stacks
                  -e        search the stacks for saved registers (pt_regs-shaped words)
                  -l        file:line of each frame (the call's line), inlined callers on their own lines
                  -v        each frame's parameters and locals: value, type and where it lives (register,
                            stack slot, constant, entry value from the caller's call), or exactly why
                            it cannot be recovered; outer frames' registers come from CFI
                Exception frames print as [exception RIP: func+off] with their registers (arm64: PC, LR,
                SP, PSTATE, X29-X0 as crash's arm64 bt), the switch to another stack as
                --- <IRQ stack> ---, the user-mode registers at the end.""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        boolean all = false;
        boolean contents = false;
        boolean dec = false;
        boolean hex = false;
        boolean withLines = false;
        boolean withVars = false;
        boolean symbolic = false;
        int scan = 0;
        TreeSet<Integer> cpus = new TreeSet<>();
        List<String> targets = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-a" -> all = true;
                case "-f" -> contents = true;
                case "-F" -> {
                    contents = true;
                    symbolic = true;
                }
                case "-s" -> dec = true;
                case "-x" -> hex = true;
                case "-t" -> scan = 1;
                case "-e" -> scan = 3;
                case "-T" -> scan = 2;
                case "-v" -> {
                    if (variables == null) {
                        throw new CommandException("-v needs the DWARF debug information");
                    }
                    withVars = true;
                }
                case "-l" -> {
                    if (lines == null) {
                        throw new CommandException("-l needs the DWARF line tables, not available yet");
                    }
                    withLines = true;
                }
                case "-c" -> {
                    if (i + 1 >= args.size()) {
                        throw new CommandException("-c needs a CPU list");
                    }
                    cpus.addAll(parseCpus(args.get(++i)));
                }
                default -> {
                    if (a.startsWith("-")) {
                        throw new CommandException("invalid option: " + a);
                    }
                    targets.add(a);
                }
            }
        }
        List<Tasks.Task> tasks = new ArrayList<>();
        List<Integer> cpuOf = new ArrayList<>();
        if (all) {
            // every CPU that has a task, as crash: the panic's CPU stop took the others offline
            cpus.addAll(bt.kernel().cpuMask("__cpu_present_mask"));
        }
        for (int cpu : cpus) {
            Tasks.Task t = bt.activeTask(cpu).orElseThrow(() -> new CommandException("no task on cpu " + cpu));
            tasks.add(t);
            cpuOf.add(cpu);
        }
        for (String target : targets) {
            for (Tasks.Task t : resolve(bt, target)) {
                tasks.add(t);
                cpuOf.add(-1);
            }
        }
        if (cpus.isEmpty() && targets.isEmpty()) {
            tasks.add(context.get().orElseThrow(() -> new CommandException("no current task")));
            cpuOf.add(-1);
        }
        BacktracePrinter.Options o = new BacktracePrinter.Options(contents, dec, hex, withLines ? lines : null,
                withVars ? variables : null, symbolic);
        for (int i = 0; i < tasks.size(); i++) {
            if (i > 0) {
                out.println();
            }
            if (bt.arm64().isPresent()) {
                if (scan == 3) {
                    arm64Printer.printExceptionFrames(bt.arm64Backtrace(tasks.get(i)), out);
                } else if (scan != 0) {
                    arm64Printer.printScan(bt.arm64Backtrace(tasks.get(i)), scan == 1, out);
                } else {
                    if (withVars && arm64Variables == null) {
                        throw new CommandException("-v needs the DWARF debug information");
                    }
                    arm64Printer.print(bt.arm64Backtrace(tasks.get(i)), o, withVars ? arm64Variables : null, out);
                }
                continue;
            }
            Backtracer.Backtrace b = bt.backtrace(tasks.get(i));
            if (scan == 3) {
                printer.printExceptionFrames(b, out);
            } else if (scan != 0) {
                printer.printScan(b, scan == 1, out);
            } else {
                printer.print(b, o, out);
            }
        }
    }

    /** {@code foreach bt}: the backtrace of each task, with bt's options. */
    @Override
    public void runOn(List<Tasks.Task> tasks, List<String> options, PrintWriter out) {
        List<String> args = new ArrayList<>(options);
        for (Tasks.Task t : tasks) {
            args.add(String.format("%x", t.address()));
        }
        run(args, out);
    }

    /** A PID (decimal) or a task_struct address (hex), as crash reads {@code bt} arguments. */
    static List<Tasks.Task> resolve(Backtracer bt, String target) {
        return org.coroner.cli.shell.TaskSelection.resolve(bt.tasks(), target, false);
    }

    static List<Integer> parseCpus(String list) {
        List<Integer> out = new ArrayList<>();
        try {
            for (String part : list.split(",")) {
                int dash = part.indexOf('-');
                if (dash > 0) {
                    for (int c = Integer.parseInt(part.substring(0, dash)); c <= Integer.parseInt(part.substring(dash + 1)); c++) {
                        out.add(c);
                    }
                } else {
                    out.add(Integer.parseInt(part));
                }
            }
        } catch (NumberFormatException e) {
            throw new CommandException("invalid cpu list: " + list);
        }
        return out;
    }
}
