package org.coroner.cli.shell;

import java.io.PrintWriter;
import java.util.List;

/** One command of the interactive shell, with crash's name, options and output layout. */
public interface ShellCommand {
    String name();

    /** One line for {@code help}'s list. */
    String summary();

    /** The full help text: synopsis, options, examples. */
    String help();

    /**
     * Runs the command. Errors the user can fix are thrown as {@link CommandException} (printed as
     * {@code name: message}, and the session goes on).
     */
    void run(List<String> args, PrintWriter out);

    /**
     * Whether the command wants its arguments with their quotes kept ({@code 'regex'} for
     * {@code ps} and {@code foreach}, as crash passes them); most commands get them removed.
     */
    default boolean keepsQuotes() {
        return false;
    }
}
