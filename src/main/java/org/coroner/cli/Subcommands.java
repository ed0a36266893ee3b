package org.coroner.cli;

import java.util.List;

/** The subcommands of {@code coroner}, in the order {@code --help} lists them. */
final class Subcommands {
    private Subcommands() {
    }

    static List<Object> all() {
        return List.of(
                new ElfCommand(),
                new OopsCommand(),
                new AnalyzeCommand(),
                new ShellMain());
    }
}
