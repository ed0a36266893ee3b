package org.coroner.cli.shell.data;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.expr.EvalException;
import org.coroner.expr.Operand;
import org.coroner.types.CType;
import org.coroner.types.TypePrinter;

/** gdb's {@code ptype}, as crash passes it through: {@code type = } and the type fully expanded. */
public final class PtypeCommand implements ShellCommand {
    private final DataContext ctx;

    public PtypeCommand(DataContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return "ptype";
    }

    @Override
    public String summary() {
        return "the type of an expression or a type name, expanded (gdb's ptype)";
    }

    @Override
    public String help() {
        return """
                ptype TYPE | EXPRESSION
                  Prints "type = " and the type with typedefs at the top resolved and the struct, union
                  or enum body written out, as gdb's ptype does.
                  Example: ptype struct list_head, ptype pid_t, ptype init_task.tasks, ptype schedule""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        if (args.isEmpty()) {
            throw new CommandException("usage: ptype TYPE | EXPRESSION");
        }
        String arg = String.join(" ", args);
        Optional<CType> t;
        try {
            t = Optional.of(ctx.type(arg));
        } catch (EvalException | CommandException e) {
            t = Optional.empty();
        }
        if (t.isEmpty() || ctx.symbols().lookup(arg).isPresent()) {
            try {
                Operand v = ctx.evaluate(arg);
                t = Optional.of(v.type());
            } catch (EvalException e) {
                if (t.isEmpty()) {
                    throw new CommandException(e.getMessage());
                }
            }
        }
        out.println("type = " + TypePrinter.ptype(t.get()));
    }
}
