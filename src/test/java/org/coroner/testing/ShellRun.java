package org.coroner.testing;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.coroner.cli.shell.Shell;
import org.coroner.cli.shell.ShellCommands;
import org.coroner.session.Session;

/** Runs shell command lines on a session with every command registered; output and errors kept apart. */
public final class ShellRun {
    private final Shell shell;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    public ShellRun(Session s) {
        shell = new Shell(new PrintWriter(out, true), new PrintWriter(err, true));
        ShellCommands.registerAll(shell, s);
    }

    /** What the line printed on standard output (errors are in {@link #errors()}). */
    public String run(String line) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        shell.execute(line);
        return out.toString();
    }

    public String errors() {
        return err.toString();
    }
}
