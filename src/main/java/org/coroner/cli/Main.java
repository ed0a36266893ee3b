package org.coroner.cli;

import java.io.PrintWriter;
import java.util.List;

import org.coroner.io.BadInputException;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code coroner} command line. Exit codes: 0 ok, 1 no finding, 2 bad input (one line on
 * stderr naming the file and the problem), 3 internal error (one line; the stack trace only with
 * {@code CORONER_DEBUG=1}).
 */
@Command(name = "coroner", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Finds out why a Linux kernel died: decodes Oops reports, opens vmcores, explains crashes.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int OK = 0;
    public static final int NO_FINDING = 1;
    public static final int BAD_INPUT = 2;
    public static final int INTERNAL_ERROR = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams and returns the exit code; used by tests too. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine(args.length > 0 ? args[0] : null);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> handle(ex, err));
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("coroner: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            return BAD_INPUT;
        });
        return cl.execute(args);
    }

    /**
     * The command line with every subcommand, or only {@code wanted} when that names one: picocli
     * reads each subcommand's annotations by reflection when it is added, a good part of a short
     * command's start-up, and a run uses one.
     */
    static CommandLine commandLine(String wanted) {
        CommandLine cl = new CommandLine(new Main());
        List<Object> subs = Subcommands.all();
        for (Object sub : subs) {
            if (sub.getClass().getAnnotation(Command.class).name().equals(wanted)) {
                cl.addSubcommand(sub);
                return cl;
            }
        }
        for (Object sub : subs) {
            cl.addSubcommand(sub);
        }
        return cl;
    }

    static int handle(Exception ex, PrintWriter err) {
        if (System.getenv("CORONER_DEBUG") != null) {
            ex.printStackTrace(err);
        }
        if (ex instanceof BadInputException) {
            err.println("coroner: " + ex.getMessage());
            return BAD_INPUT;
        }
        if (ex instanceof java.io.UncheckedIOException || ex instanceof java.io.IOException) {
            err.println("coroner: " + ex.getMessage());
            return BAD_INPUT;
        }
        String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getClass().getSimpleName() + ": " + ex.getMessage();
        err.println("coroner: internal error: " + msg.lines().findFirst().orElse("") + " (run with CORONER_DEBUG=1 for details)");
        return INTERNAL_ERROR;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"coroner " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
