package org.coroner.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;

import org.coroner.io.BadInputException;

/**
 * The {@code coroner} command line. Exit codes: 0 ok, 1 no finding, 2 bad input (one line on
 * stderr naming the file and the problem), 3 internal error (one line; the stack trace only with
 * {@code CORONER_DEBUG=1}).
 */
public final class Main {
    public static final int OK = 0;
    public static final int NO_FINDING = 1;
    public static final int BAD_INPUT = 2;
    public static final int INTERNAL_ERROR = 3;

    static final String DESCRIPTION = "Finds out why a Linux kernel died: decodes Oops reports, opens vmcores, explains crashes.";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams and returns the exit code; used by tests too. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        try {
            return dispatch(Arrays.asList(args), out, err);
        } catch (Cli.UsageException ex) {
            err.println("coroner: " + ex.getMessage());
            err.println("Try '" + ex.command + " --help' for more information.");
            err.flush();
            return BAD_INPUT;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int dispatch(List<String> args, PrintWriter out, PrintWriter err) {
        if (args.isEmpty()) {
            Cli.usage(Subcommands.specs(), DESCRIPTION, out);
            return OK;
        }
        String first = args.get(0);
        if (first.equals("-h") || first.equals("--help")) {
            Cli.usage(Subcommands.specs(), DESCRIPTION, out);
            return OK;
        }
        if (first.equals("-V") || first.equals("--version")) {
            out.println(version());
            return OK;
        }
        if (first.equals("help")) {
            if (args.size() == 1) {
                Cli.usage(Subcommands.specs(), DESCRIPTION, out);
                return OK;
            }
            Subcommand sub = Subcommands.named(args.get(1));
            if (sub == null) {
                throw new Cli.UsageException("coroner", "Unknown subcommand '" + args.get(1) + "'");
            }
            sub.spec().usage(out);
            return OK;
        }
        Subcommand sub = Subcommands.named(first);
        if (sub == null) {
            throw new Cli.UsageException("coroner", first.startsWith("-") ? "Unknown option: '" + first + "'"
                    : "Unknown subcommand '" + first + "' (one of: help, " + String.join(", ", Subcommands.NAMES) + ")");
        }
        Cli.Spec spec = sub.spec();
        Cli.Args parsed = spec.parse(args.subList(1, args.size()));
        if (parsed.help) {
            spec.usage(out);
            return OK;
        }
        if (parsed.version) {
            out.println(version());
            return OK;
        }
        try {
            return sub.run(parsed, out, err);
        } catch (Cli.UsageException ex) {
            throw ex;
        } catch (Exception | StackOverflowError ex) {
            return handle(ex, err);
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return "coroner " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")";
    }

    static int handle(Throwable ex, PrintWriter err) {
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
}
