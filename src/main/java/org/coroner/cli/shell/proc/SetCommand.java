package org.coroner.cli.shell.proc;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.TaskSetCommand;
import org.coroner.cli.shell.bt.BacktracePrinter;
import org.coroner.cli.shell.TaskSelection;
import org.coroner.kernel.Tasks;
import org.coroner.session.Session;

/**
 * crash's {@code set}: shows the current context (the task {@code bt} and the other commands
 * work on without a task argument), or changes it to a PID, a task, the task on a CPU, or the
 * panic task.
 */
public final class SetCommand implements TaskSetCommand {
    private final Session s;

    public SetCommand(Session s) {
        this.s = s;
    }

    @Override
    public String name() {
        return "set";
    }

    @Override
    public String summary() {
        return "show or change the current task context";
    }

    @Override
    public String help() {
        return """
                set [PID | TASK | -c CPU | -p]
                set radix [10 | 16]
                  Without an argument, shows the current context: PID, command, task address, CPU
                  and state, (PANIC) for the task that panicked, (ACTIVE) for a task running on a CPU.
                  PID | TASK  make that task the current context (a PID shared by several tasks, like
                              0 for the idle tasks, picks the first)
                  -c CPU      the task that was running on CPU
                  -p          the panic task again (the context at start)
                  radix       the output radix of p, struct, union, task, list -s and tree -s: 10
                              (decimal, at start) or 16 (hex); a command's -x or -d still decides
                              for itself. Without a number, shows it. hex and dec are set radix 16
                              and set radix 10.
                bt, and every command that works on the current task, follow the context.""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        if (args.isEmpty()) {
            show(current(), out);
            return;
        }
        String a = args.get(0);
        if (a.equals("radix")) {
            radix(args.subList(1, args.size()), out);
            return;
        }
        Tasks.Task t;
        switch (a) {
            case "-c" -> {
                if (args.size() < 2 || !args.get(1).matches("\\d+")) {
                    throw new CommandException("-c needs a CPU number");
                }
                int cpu = Integer.parseInt(args.get(1));
                if (!s.kernel().cpuMask("__cpu_possible_mask").contains(cpu)) {
                    throw new CommandException("invalid cpu number: " + cpu);
                }
                t = s.backtracer().activeTask(cpu).orElseThrow(() -> new CommandException("no task on cpu " + cpu));
            }
            case "-p" -> t = s.backtracer().panicTask().orElseThrow(() -> new CommandException("no panic task found!"));
            default -> {
                if (a.startsWith("-")) {
                    throw new CommandException("invalid option: " + a);
                }
                if (TaskSelection.kind(a) == TaskSelection.Kind.NAME) {
                    throw new CommandException("invalid task or pid value: " + a);
                }
                t = TaskSelection.resolve(s.tasks(), a, false).get(0);
            }
        }
        s.setCurrent(t);
        show(t, out);
    }

    private void radix(List<String> args, PrintWriter out) {
        if (args.size() > 1 || !args.isEmpty() && !args.get(0).equals("10") && !args.get(0).equals("16")) {
            throw new CommandException("invalid command: set radix " + String.join(" ", args) + " (10 or 16)");
        }
        if (!args.isEmpty()) {
            s.outputRadix(Integer.parseInt(args.get(0)));
        }
        printRadix(s, out);
    }

    /** crash's {@code output radix: 16 (hex)}. */
    static void printRadix(Session s, PrintWriter out) {
        out.println("output radix: " + (s.outputRadix() == 16 ? "16 (hex)" : "10 (decimal)"));
    }

    /** crash's {@code hex} and {@code dec}: {@code set radix 16} and {@code set radix 10}. */
    public static org.coroner.cli.shell.ShellCommand radixCommand(Session s, String name, int radix) {
        return new org.coroner.cli.shell.ShellCommand() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String summary() {
                return "set the output radix to " + (radix == 16 ? "16 (hexadecimal)" : "10 (decimal)") + ": set radix " + radix;
            }

            @Override
            public String help() {
                return name + "\n  The same as set radix " + radix + ": p, struct, union, task, list -s and tree -s print"
                        + (radix == 16 ? " integers in hexadecimal" : " integers in decimal") + " unless told -x or -d.";
            }

            @Override
            public void run(List<String> args, PrintWriter out) {
                if (!args.isEmpty()) {
                    throw new CommandException("takes no arguments");
                }
                s.outputRadix(radix);
                printRadix(s, out);
            }
        };
    }

    /** {@code foreach set}: as crash, each task's header line, then its context block. */
    @Override
    public void runOn(List<Tasks.Task> tasks, List<String> options, PrintWriter out) {
        if (!options.isEmpty()) {
            throw new CommandException("foreach set takes no options: " + String.join(" ", options));
        }
        for (int i = 0; i < tasks.size(); i++) {
            if (i > 0) {
                out.println();
            }
            out.println(BacktracePrinter.header(tasks.get(i), -1));
            show(tasks.get(i), out);
        }
    }

    private Tasks.Task current() {
        return s.current().orElseThrow(() -> new CommandException("no current context"));
    }

    /** crash's context block ({@code show_context}). */
    public void show(Tasks.Task t, PrintWriter out) {
        long sharing = s.tasks().all().stream().filter(x -> x.pid() == t.pid()).count();
        out.println("    PID: " + t.pid());
        out.println("COMMAND: \"" + t.comm() + "\"");
        out.printf("   TASK: %x  %s[THREAD_INFO: %x]%n", t.address(),
                sharing > 1 ? "(1 of " + sharing + ")  " : "", threadInfo(t));
        out.println("    CPU: " + t.cpu());
        out.println("  STATE: " + Tasks.stateName(t.state(), t.exitState()) + " " + activity(t));
    }

    private String activity(Tasks.Task t) {
        if (s.backtracer().activeCpu(t.address()).isEmpty()) {
            return "";
        }
        Optional<Tasks.Task> panic = s.backtracer().panicTask();
        return panic.isPresent() && panic.get().address() == t.address() ? "(PANIC)" : "(ACTIVE)";
    }

    /** With THREAD_INFO_IN_TASK the thread_info is the task_struct's first member. */
    private long threadInfo(Tasks.Task t) {
        return t.task().type().field("thread_info").isPresent() ? t.address() : t.task().member("stack").u64();
    }
}
