package org.coroner.cli.shell;

import java.io.PrintWriter;
import java.util.List;

import org.coroner.kernel.Tasks;

/**
 * A command that {@code foreach} hands a whole set of tasks at once, so that it prints them in its
 * own layout (one header for {@code ps}, one block per task for {@code bt}). Other commands run
 * once per task with that task as the shell's context, a blank line between tasks, and print what
 * they print for the current task (crash's {@code task}, {@code vm}, {@code files} start with the
 * task's header line themselves).
 */
public interface TaskSetCommand extends ShellCommand {
    /** Runs on {@code tasks} (in foreach's order) with the options foreach passed on. */
    void runOn(List<Tasks.Task> tasks, List<String> options, PrintWriter out);
}
