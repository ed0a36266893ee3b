package org.coroner.cli.shell;

import java.io.PrintWriter;
import java.util.List;

import org.coroner.kernel.Tasks;

/**
 * A command that {@code foreach} hands a whole set of tasks at once, so that it prints them in its
 * own layout (one header for {@code ps}, one block per task for {@code bt}). Commands that are not
 * task commands run once per task with that task as the shell's context.
 */
public interface TaskCommand extends ShellCommand {
    /** Runs on {@code tasks} (in foreach's order) with the options foreach passed on. */
    void runOn(List<Tasks.Task> tasks, List<String> options, PrintWriter out);
}
