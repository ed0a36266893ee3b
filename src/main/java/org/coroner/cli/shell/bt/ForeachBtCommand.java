package org.coroner.cli.shell.bt;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.kernel.Tasks;
import org.coroner.kernel.stack.Backtracer;

/**
 * crash's {@code foreach ... bt}: the backtrace of every task (idle tasks included), or of the
 * tasks named by PID, address or command name. Only the {@code bt} action; a general
 * {@code foreach} can delegate here.
 */
public final class ForeachBtCommand implements ShellCommand {
    private final Backtracer bt;
    private final BtCommand btCommand;

    public ForeachBtCommand(Backtracer bt, BtCommand btCommand) {
        this.bt = bt;
        this.btCommand = btCommand;
    }

    public ForeachBtCommand(Backtracer bt) {
        this(bt, new BtCommand(bt));
    }

    @Override
    public String name() {
        return "foreach";
    }

    @Override
    public String summary() {
        return "run bt for every task, or for tasks by PID, address or name";
    }

    @Override
    public String help() {
        return """
                foreach [PID | TASK | NAME]... bt [bt options]
                  Runs bt for each selected task (all tasks when none is named), idle tasks first,
                  then by PID. NAME selects tasks by command name.""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        int at = args.indexOf("bt");
        if (at < 0) {
            throw new CommandException("only the bt action is supported: foreach [tasks] bt [options]");
        }
        List<String> selectors = args.subList(0, at);
        List<String> options = new ArrayList<>(args.subList(at + 1, args.size()));
        List<String> targets = new ArrayList<>();
        for (Tasks.Task t : bt.tasks().all()) {
            if (selectors.isEmpty() || selected(t, selectors)) {
                targets.add(String.format("%x", t.address()));
            }
        }
        if (targets.isEmpty()) {
            throw new CommandException("no task matches " + String.join(" ", selectors));
        }
        options.addAll(targets);
        btCommand.run(options, out);
    }

    private static boolean selected(Tasks.Task t, List<String> selectors) {
        for (String s : selectors) {
            if (s.matches("\\d+") && Integer.parseInt(s) == t.pid()
                    || s.matches("(0x)?[0-9a-fA-F]{9,16}") && Long.parseUnsignedLong(s.replaceFirst("^0x", ""), 16) == t.address()
                    || s.equals(t.comm())) {
                return true;
            }
        }
        return false;
    }
}
