package org.coroner.cli.shell.proc;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.cli.shell.TaskSetCommand;
import org.coroner.cli.shell.TaskSelection;
import org.coroner.kernel.Tasks;
import org.coroner.kernel.stack.Backtracer;
import org.coroner.memory.FaultException;
import org.coroner.session.Session;

/**
 * crash's {@code foreach}: runs any shell command for a set of tasks. Tasks are chosen by PID,
 * task address, command name, {@code 'regex'}, state (RU IN UN ID ST TR ZO DE PA WA NE),
 * {@code kernel}, {@code user}, {@code gleader} or {@code active}; all tasks when none is named.
 * The first word that names a command is the command; the words after it are its options.
 * A {@link TaskSetCommand} gets the whole set (so {@code ps} prints one table); any other command
 * runs once per task with that task as the current context, a blank line between tasks.
 */
public final class ForeachCommand implements ShellCommand {
    private static final Set<String> STATES = Set.of("RU", "IN", "UN", "ID", "ST", "TR", "ZO", "DE", "PA", "WA", "NE");

    private final Backtracer bt;
    private final Supplier<Optional<Tasks.Task>> context;
    private final Consumer<Tasks.Task> setContext;
    private final Function<String, ShellCommand> commands;

    /**
     * @param bt         the tasks, and which run on a CPU
     * @param context    the shell's current task, which foreach sets to each task for commands that
     *                   are not {@link TaskSetCommand}s and restores afterwards
     * @param commands   the shell's commands by name (null: no such command)
     */
    public ForeachCommand(Backtracer bt, Supplier<Optional<Tasks.Task>> context, Consumer<Tasks.Task> setContext,
                          Function<String, ShellCommand> commands) {
        this.bt = bt;
        this.context = context;
        this.setContext = setContext;
        this.commands = commands;
    }

    /** foreach over a session's tasks and context. */
    public static ForeachCommand of(Session s, Function<String, ShellCommand> commands) {
        return new ForeachCommand(s.backtracer(), s::current, s::setCurrent, commands);
    }

    @Override
    public String name() {
        return "foreach";
    }

    @Override
    public boolean keepsQuotes() {
        return true; // 'regex' selects tasks by command name
    }

    @Override
    public String summary() {
        return "run a command (bt, ps, set, task, ...) for every task or a set of tasks";
    }

    @Override
    public String help() {
        return """
                foreach [PID | TASK | NAME | 'REGEX' | STATE | kernel | user | gleader | active]... COMMAND [options]
                  Runs COMMAND for each selected task; all tasks (idle tasks first, then by PID)
                  when none is selected. Any shell command can be named: bt, ps, set, task, ...
                  PID, TASK   a task by PID or task_struct address
                  NAME        tasks by command name (\\NAME when the name is also a command's)
                  'REGEX'     tasks whose command name matches the regular expression
                  STATE       tasks in that state: RU IN UN ID ST TR ZO DE PA WA NE (one at most)
                  kernel      kernel threads      user     user tasks
                  gleader     thread group leaders of user tasks
                  active      the tasks running on a CPU when the dump was taken
                The options after COMMAND are COMMAND's own (foreach bt -l, foreach ps -t).
                Examples: foreach bt;  foreach UN bt;  foreach 'kworker' ps;  foreach active bt -f""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        List<String> pids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Pattern> regexes = new ArrayList<>();
        String state = null;
        boolean kernel = false;
        boolean user = false;
        boolean gleader = false;
        boolean active = false;
        ShellCommand command = null;
        List<String> options = new ArrayList<>();
        for (String a : args) {
            if (command != null) {
                options.add(a);
                continue;
            }
            if (a.startsWith("-")) {
                options.add(a); // crash also takes the command's flags before it
                continue;
            }
            if (a.startsWith("\\")) {
                names.add(a.substring(1));
                continue;
            }
            ShellCommand c = a.equals(name()) ? null : commands.apply(a);
            if (c != null) {
                command = c;
                continue;
            }
            switch (a) {
                case "kernel" -> kernel = true;
                case "user" -> user = true;
                case "gleader" -> {
                    user = true;
                    gleader = true;
                }
                case "active" -> active = true;
                default -> {
                    if (STATES.contains(a)) {
                        if (state != null) {
                            throw new CommandException("only one task state allowed");
                        }
                        state = a;
                    } else if (a.length() > 1 && a.startsWith("'") && a.endsWith("'")) {
                        try {
                            regexes.add(Pattern.compile(a.substring(1, a.length() - 1)));
                        } catch (PatternSyntaxException e) {
                            throw new CommandException("invalid regular expression: " + a);
                        }
                    } else if (TaskSelection.kind(a) != TaskSelection.Kind.NAME) {
                        pids.add(a);
                    } else {
                        names.add(a);
                    }
                }
            }
        }
        if (command == null) {
            throw new CommandException("no keywords specified: name a command (bt, ps, set, task, ...)");
        }
        if (!command.keepsQuotes()) {
            options.replaceAll(o -> String.join(" ", org.coroner.cli.shell.CommandLineSplitter.words(o)));
        }
        if (kernel && user) {
            throw new CommandException("user and kernel are mutually exclusive!");
        }
        List<Tasks.Task> named = new ArrayList<>();
        for (String p : pids) {
            named.addAll(TaskSelection.resolve(bt.tasks(), p, false));
        }
        for (String n : names) {
            if (bt.tasks().all().stream().noneMatch(t -> t.comm().equals(n))) {
                throw new CommandException("unknown argument: \"" + n + "\"");
            }
        }
        boolean anyNamed = !pids.isEmpty() || !names.isEmpty() || !regexes.isEmpty();
        List<Tasks.Task> chosen = new ArrayList<>();
        for (Tasks.Task t : bt.tasks().all()) {
            boolean pick = !anyNamed || named.contains(t) || names.contains(t.comm())
                    || regexes.stream().anyMatch(r -> r.matcher(t.comm()).find());
            if (!pick) {
                continue;
            }
            boolean kthread = PsCommand.isKernelThread(t);
            if (kernel && !kthread || user && kthread || gleader && t.pid() != t.tgid()) {
                continue;
            }
            if (state != null && !Tasks.stateCode(t.state(), t.exitState()).equals(state)) {
                continue;
            }
            if (active && bt.activeCpu(t.address()).isEmpty()) {
                continue;
            }
            chosen.add(t);
        }
        if (chosen.isEmpty()) {
            return;
        }
        if (command instanceof TaskSetCommand tc) {
            tc.runOn(chosen, options, out);
            return;
        }
        Optional<Tasks.Task> saved = context.get();
        try {
            boolean blank = true;
            for (int i = 0; i < chosen.size(); i++) {
                Tasks.Task t = chosen.get(i);
                setContext.accept(t);
                java.io.StringWriter buf = new java.io.StringWriter();
                PrintWriter w = new PrintWriter(buf);
                try {
                    command.run(options, w);
                } catch (CommandException | IllegalArgumentException | FaultException e) {
                    w.println(command.name() + ": " + e.getMessage());
                }
                w.flush();
                String text = buf.toString();
                if (i > 0 && !blank && !text.isEmpty()) {
                    out.println(); // tasks apart by a blank line, one only
                }
                out.print(text);
                blank = text.isEmpty() ? blank : text.endsWith("\n\n");
            }
        } finally {
            setContext.accept(saved.orElse(null));
        }
    }
}
