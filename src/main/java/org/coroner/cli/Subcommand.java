package org.coroner.cli;

import java.io.PrintWriter;

/** A {@code coroner} subcommand: what its command line accepts, and the run on what it was given. */
interface Subcommand {
    Cli.Spec spec();

    /** Runs with the parsed command line; returns the exit code ({@link Main#OK} and the others). */
    int run(Cli.Args args, PrintWriter out, PrintWriter err) throws Exception;
}
