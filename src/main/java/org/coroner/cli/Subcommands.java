package org.coroner.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The subcommands of {@code coroner}, in the order {@code --help} lists them. */
final class Subcommands {
    static final List<String> NAMES = List.of("elf", "oops", "analyze", "shell");

    private Subcommands() {
    }

    /** The subcommand called {@code name}, or null; only its class is loaded. */
    static Subcommand named(String name) {
        return switch (name) {
            case "elf" -> new ElfCommand();
            case "oops" -> new OopsCommand();
            case "analyze" -> new AnalyzeCommand();
            case "shell" -> new ShellMain();
            default -> null;
        };
    }

    static Map<String, Cli.Spec> specs() {
        Map<String, Cli.Spec> m = new LinkedHashMap<>();
        for (String n : NAMES) {
            m.put(n, named(n).spec());
        }
        return m;
    }
}
