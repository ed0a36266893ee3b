package org.coroner.cli.shell;

import org.coroner.cli.shell.bt.BtCommand;
import org.coroner.cli.shell.bt.ForeachBtCommand;
import org.coroner.cli.shell.dis.DisCommand;
import org.coroner.session.Session;

/** Every command of {@code coroner shell}, registered on one session. */
public final class ShellCommands {
    private ShellCommands() {
    }

    public static void registerAll(Shell shell, Session s) {
        shell.register(new org.coroner.cli.shell.crash.SysCommand(s));
        shell.register(new org.coroner.cli.shell.crash.LogCommand(s));
        shell.register(new BtCommand(s.backtracer(), s::current, s.debugInfo())
                .withVariables(f -> s.debugInfo().variables(f, s.backtracer().orc())));
        shell.register(new ForeachBtCommand(s.backtracer()));
        shell.register(new DisCommand(s.kernel().memory(), s.backtracer().symbolizer(),
                DisCommand.resolver(s.kernel(), s.backtracer().modules()), s.debugInfo(), s.sourceDirs()));
        // types, values, expressions and memory: p eval struct union whatis ptype rd sym list tree task,
        // and crash's type or symbol name used as a command
        org.coroner.cli.shell.data.DataCommands.register(shell, s);
    }
}
