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

    /**
     * A command made on its first use: for the commands whose making costs (the backtracer reads
     * the ORC tables), so that a session that runs only {@code sys} or {@code log} never pays it.
     */
    static ShellCommand lazy(String name, java.util.function.Supplier<ShellCommand> make) {
        return new ShellCommand() {
            private ShellCommand made;

            private ShellCommand made() {
                if (made == null) {
                    made = make.get();
                }
                return made;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String summary() {
                return made().summary();
            }

            @Override
            public String help() {
                return made().help();
            }

            @Override
            public void run(List<String> args, PrintWriter out) {
                made().run(args, out);
            }

            @Override
            public boolean keepsQuotes() {
                return made().keepsQuotes();
            }
        };
    }
}
