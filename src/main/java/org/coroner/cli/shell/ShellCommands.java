package org.coroner.cli.shell;

import org.coroner.cli.shell.bt.BtCommand;
import org.coroner.cli.shell.dis.DisCommand;
import org.coroner.session.Session;

/** Every command of {@code coroner shell}, registered on one session. */
public final class ShellCommands {
    private ShellCommands() {
    }

    public static void registerAll(Shell shell, Session s) {
        shell.register(new org.coroner.cli.shell.crash.SysCommand(s));
        shell.register(new org.coroner.cli.shell.crash.LogCommand(s));
        shell.register(ShellCommand.lazy("bt", () -> bt(s)));
        shell.register(ShellCommand.lazy("dis", () -> new DisCommand(s.kernel().memory(), s.backtracer().symbolizer(),
                DisCommand.resolver(s.kernel(), s.backtracer().modules()), s.debugInfo(), s.sourceDirs())
                .withArch(s.isArm64() ? org.coroner.disasm.Arch.ARM64 : org.coroner.disasm.Arch.X86_64)));
        registerProcessAndMemory(shell, s);
        // types, values, expressions and memory: p eval struct union whatis ptype rd sym list tree task,
        // and crash's type or symbol name used as a command
        org.coroner.cli.shell.data.DataCommands.register(shell, s);
    }

    private static BtCommand bt(Session s) {
        BtCommand bt = new BtCommand(s.backtracer(), s::current, s.debugInfo())
                .withVariables(b -> s.debugInfo().variables(b, s.backtracer()).stream()
                        .map(org.coroner.session.DebugInfo.FrameVariablesOf::lines).toList());
        if (s.isArm64()) {
            bt.withArm64Variables(b -> s.debugInfo().variables(b, s.backtracer()).stream()
                    .map(org.coroner.session.DebugInfo.FrameVariablesOf::lines).toList());
        }
        return bt;
    }

    /** shell-proc: tasks, context, modules, memory, slab, search; foreach runs any registered command. */
    private static void registerProcessAndMemory(Shell shell, Session s) {
        shell.register(new org.coroner.cli.shell.proc.PsCommand(s));
        shell.register(new org.coroner.cli.shell.proc.SetCommand(s));
        shell.register(org.coroner.cli.shell.proc.SetCommand.radixCommand(s, "hex", 16));
        shell.register(org.coroner.cli.shell.proc.SetCommand.radixCommand(s, "dec", 10));
        shell.register(new org.coroner.cli.shell.proc.ModCommand(s));
        shell.register(new org.coroner.cli.shell.mem.VtopCommand(s));
        shell.register(new org.coroner.cli.shell.mem.VmCommand(s, name -> shell.commands().get(name)));
        shell.register(new org.coroner.cli.shell.mem.PtovCommand(s));
        shell.register(new org.coroner.cli.shell.mem.KmemCommand(s));
        shell.register(new org.coroner.cli.shell.mem.SearchCommand(s));
        shell.register(ShellCommand.lazy("foreach", () -> org.coroner.cli.shell.proc.ForeachCommand.of(s, name -> shell.commands().get(name))));
    }
}
