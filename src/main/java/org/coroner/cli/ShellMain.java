package org.coroner.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.coroner.cli.shell.Shell;
import org.coroner.cli.shell.ShellCommands;
import org.coroner.io.BadInputException;
import org.coroner.session.Session;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code coroner shell [VMLINUX] VMCORE}: crash's commands on a kdump vmcore. */
@Command(name = "shell", mixinStandardHelpOptions = true,
        description = {"Open a vmcore with its vmlinux and explore it with crash's commands and output layout.",
                "Interactive on a terminal (history, completion); batch with -c, -i or a pipe."})
final class ShellMain implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", arity = "1..2", description = "[VMLINUX] VMCORE: the vmlinux with debug info, then the dump")
    List<Path> files = new ArrayList<>();

    @Option(names = "--modules", paramLabel = "DIR", description = "directory searched for module .ko files (repeatable)")
    List<Path> modules = new ArrayList<>();

    @Option(names = "--source", paramLabel = "DIR", description = "directory searched for source files (dis -s; repeatable)")
    List<Path> sources = new ArrayList<>();

    @Option(names = "-c", paramLabel = "CMDS", description = "run these commands (separated by ';') and exit")
    String commands;

    @Option(names = "-i", paramLabel = "FILE", description = "run the commands in FILE and exit")
    Path input;

    @Option(names = "--force", description = "open even when the vmlinux does not match the dump")
    boolean force;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Commands the launcher's AOT training run executes instead of the user's (see ./coroner). */
    static final String TRAINING = "sys; bt; foreach bt; log";

    @Override
    public Integer call() throws Exception {
        Path vmcore = files.get(files.size() - 1);
        Path vmlinux = files.size() == 2 ? files.get(0) : defaultVmlinux(vmcore);
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
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

    /** Without a VMLINUX argument: Debian's and Fedora's debug-symbol locations for the dump's release. */
    private static Path defaultVmlinux(Path vmcore) {
        throw new BadInputException(vmcore, "no vmlinux given: coroner shell VMLINUX VMCORE");
    }
}
