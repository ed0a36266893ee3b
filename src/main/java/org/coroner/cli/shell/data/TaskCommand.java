package org.coroner.cli.shell.data;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.kernel.Tasks;
import org.coroner.types.CType;
import org.coroner.types.ValuePrinter;

/**
 * crash's {@code task}: a task's header line, then its {@code struct task_struct} (and
 * {@code struct thread_info}) in full, or only the members given with {@code -R}. Tasks are found
 * in the whole task list, not only the PID hash.
 */
public final class TaskCommand implements ShellCommand {
    private final DataContext ctx;

    public TaskCommand(DataContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return "task";
    }

    @Override
    public String summary() {
        return "a task's task_struct (and thread_info), in full or some members";
    }

    @Override
    public String help() {
        return """
                task [-R MEMBER[,MEMBER...]] [-x|-d] [PID | TASK]...
                  For each task (the current task when none is given; a PID names every task with it):
                  the header line (PID, TASK, CPU, COMMAND), then struct task_struct and struct thread_info
                  as the struct command prints them, or only the members listed with -R (or given as
                  arguments): a member by name (also inside anonymous unions), or member.sub, array[N].
                  -x / -d   integers in hexadecimal / decimal
                  Example: task, task -R pid,comm,se.on_rq 1""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        boolean hex = ctx.radix16();
        List<String> members = new ArrayList<>();
        List<Tasks.Task> tasks = new ArrayList<>();
        boolean bogus = false;
        CType taskType = ctx.globals().debugType("struct task_struct").orElseThrow(() -> new CommandException("no struct task_struct"));
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-x", "-h" -> hex = true;
                case "-d" -> hex = false;
                case "-R" -> {
                    if (i + 1 >= args.size()) {
                        throw new CommandException("option requires an argument -- 'R'");
                    }
                    members.addAll(List.of(args.get(++i).split(",")));
                }
                default -> {
                    if (a.matches("\\d+|0[xX][0-9a-fA-F]+|[0-9a-fA-F]{9,16}")) {
                        List<Tasks.Task> found = find(a);
                        if (found.isEmpty()) {
                            out.println("task: invalid task or pid value: " + a);
                            out.println();
                            bogus = true;
                        }
                        tasks.addAll(found);
                    } else if (a.contains(",") || a.contains(".") || a.contains("[")
                            || StructPrinter.select(taskType, a).isPresent()) {
                        members.addAll(List.of(a.split(",")));
                    } else {
                        out.println("task: invalid task, pid, or task_struct member: " + a);
                        out.println();
                    }
                }
            }
        }
        if (tasks.isEmpty() && !bogus) {
            tasks.add(ctx.session().current().orElseThrow(() -> new CommandException("no current task")));
        }
        StructPrinter sp = new StructPrinter(ctx.memory(), ctx.printer(ValuePrinter.Format.NATURAL, hex));
        Optional<CType> threadInfo = ctx.globals().debugType("struct thread_info");
        for (Tasks.Task t : tasks) {
            out.printf("PID: %-7d  TASK: %-16x  CPU: %-3d  COMMAND: \"%s\"%n", t.pid(), t.address(), t.cpu(), t.comm());
            if (members.isEmpty()) {
                out.print(sp.whole("struct", "task_struct", taskType, t.address()));
                threadInfo.ifPresent(ti -> {
                    out.println();
                    out.print(sp.whole("struct", "thread_info", ti, t.address()));
                });
            } else {
                byte[] data = sp.read(t.address(), taskType);
                for (String m : members) {
                    Optional<StructPrinter.Selected> s = StructPrinter.select(taskType, m);
                    if (s.isEmpty() && threadInfo.isPresent()) {
                        Optional<StructPrinter.Selected> ti = StructPrinter.select(threadInfo.get(), m);
                        if (ti.isPresent()) {
                            out.print(sp.member(ti.get(), sp.read(t.address(), threadInfo.get()), t.address()));
                            continue;
                        }
                    }
                    if (s.isEmpty()) {
                        out.println("task: " + m + ": not a task_struct or thread_info member");
                        continue;
                    }
                    out.print(sp.member(s.get(), data, t.address()));
                }
            }
            out.println();
        }
    }

    /** A PID (every task with it) or a task_struct address. */
    private List<Tasks.Task> find(String a) {
        List<Tasks.Task> all = ctx.session().tasks().all();
        List<Tasks.Task> out = new ArrayList<>();
        if (a.matches("\\d+")) {
            long pid = Long.parseLong(a);
            for (Tasks.Task t : all) {
                if (t.pid() == pid) {
                    out.add(t);
                }
            }
            if (!out.isEmpty()) {
                return out;
            }
        }
        if (RdCommand.isHex(a)) {
            long addr = RdCommand.hex(a);
            for (Tasks.Task t : all) {
                if (t.address() == addr) {
                    out.add(t);
                }
            }
        }
        return out;
    }
}
