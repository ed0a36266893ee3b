package org.coroner.cli.shell;

import java.util.List;
import java.util.Optional;

import org.coroner.kernel.Tasks;

/**
 * How crash's commands name tasks: a PID (decimal), a {@code task_struct} address (hex, with or
 * without 0x) or, where a command allows it, a command name. A PID or address that names no task
 * is crash's {@code invalid task or pid value}.
 */
public final class TaskSelection {
    private TaskSelection() {
    }

    /** What kind of task argument a word is. */
    public enum Kind { PID, ADDRESS, NAME }

    public static Kind kind(String arg) {
        String s = arg.toLowerCase();
        if (s.startsWith("0x") || s.length() > 8 && s.matches("[0-9a-f]+")) {
            return Kind.ADDRESS;
        }
        return s.matches("\\d+") ? Kind.PID : Kind.NAME;
    }

    /** The task at a {@code task_struct} address. */
    public static Optional<Tasks.Task> byAddress(Tasks tasks, long address) {
        return tasks.all().stream().filter(t -> t.address() == address).findFirst();
    }

    /**
     * The tasks an argument names; for a command name, every task of that name ({@code names}
     * false: names are not allowed). Throws crash's one-line error when none.
     */
    public static List<Tasks.Task> resolve(Tasks tasks, String arg, boolean names) {
        switch (kind(arg)) {
            case ADDRESS -> {
                long a = Long.parseUnsignedLong(arg.toLowerCase().replaceFirst("^0x", ""), 16);
                return List.of(byAddress(tasks, a).orElseThrow(() -> new CommandException("invalid task or pid value: " + arg)));
            }
            case PID -> {
                int pid = Integer.parseInt(arg);
                List<Tasks.Task> ts = tasks.all().stream().filter(t -> t.pid() == pid).toList();
                if (ts.isEmpty()) {
                    throw new CommandException("invalid task or pid value: " + arg);
                }
                return ts;
            }
            default -> {
                List<Tasks.Task> ts = names ? tasks.all().stream().filter(t -> t.comm().equals(arg)).toList() : List.of();
                if (ts.isEmpty()) {
                    throw new CommandException(names ? "invalid task, pid or command name: " + arg
                            : "invalid task or pid value: " + arg);
                }
                return ts;
            }
        }
    }
}
