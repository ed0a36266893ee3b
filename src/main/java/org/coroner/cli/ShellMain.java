package org.coroner.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.coroner.cli.shell.Shell;
import org.coroner.cli.shell.ShellCommands;
import org.coroner.io.BadInputException;
import org.coroner.session.Session;

/** {@code coroner shell [VMLINUX] VMCORE}: crash's commands on a kdump vmcore. */
final class ShellMain implements Subcommand {
    static final Cli.Spec SPEC = new Cli.Spec("shell",
            "Open a vmcore with its vmlinux and explore it with crash's commands and output layout.",
            "Interactive on a terminal (history, completion); batch with -c, -i or a pipe.")
            .parameters("VMLINUX VMCORE", 2, 2, "the vmlinux with debug info, then the dump")
            .repeatable("--modules", "DIR", "directory searched for module .ko files (repeatable)")
            .repeatable("--source", "DIR", "directory searched for source files (dis -s; repeatable)")
            .shortOption("-c", "CMDS", "run these commands (separated by ';') and exit")
            .shortOption("-i", "FILE", "run the commands in FILE and exit")
            .flag("--force", "open even when the vmlinux does not match the dump");

    /** Commands the launcher's AOT training run executes instead of the user's (see ./coroner). */
    static final String TRAINING = "sys; bt; foreach bt; log";

    @Override
    public Cli.Spec spec() {
        return SPEC;
    }

    @Override
    public int run(Cli.Args args, PrintWriter out, PrintWriter err) throws Exception {
        List<Path> files = args.parameterPaths();
        List<Path> modules = args.paths("--modules");
        List<Path> sources = args.paths("--source");
        String commands = args.value("-c");
        Path input = args.path("-i");
        boolean force = args.flag("--force");
        Path vmcore = files.get(1);
        Path vmlinux = files.get(0);
        try (Session session = Session.open(vmlinux, vmcore, modules, force)) {
            session.sourceDirs(sources);
            Shell shell = new Shell(out, err);
            ShellCommands.registerAll(shell, session);
            if (System.getenv("CORONER_AOT_TRAINING") != null) {
                // the launcher's training run for the AOT cache: what a first session does, read-only
                shell.execute(TRAINING);
            } else if (commands != null) {
                shell.execute(commands);
            } else if (input != null) {
                if (!Files.isRegularFile(input)) {
                    throw new BadInputException(input, "no such file");
                }
                try (BufferedReader r = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
                    shell.runBatch(r);
                }
            } else if (System.console() != null && System.console().isTerminal()) {
                shell.runInteractive("coroner> ");
            } else {
                shell.runBatch(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
            }
            out.flush();
            return Main.OK;
        }
    }
}
