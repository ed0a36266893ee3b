package org.coroner.cli.shell.data;

import java.util.List;

import org.coroner.cli.shell.CommandException;

/** Option values of the data commands, with getopt's complaint when one is missing. */
final class Args {
    private Args() {
    }

    /** The argument of option {@code opt} at {@code args[i]}. */
    static String value(List<String> args, int i, String opt) {
        if (i >= args.size()) {
            throw new CommandException("option requires an argument -- '" + opt.substring(1) + "'");
        }
        return args.get(i);
    }
}
