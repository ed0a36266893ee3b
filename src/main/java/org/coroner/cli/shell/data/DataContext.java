package org.coroner.cli.shell.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.coroner.btf.Btf;
import org.coroner.btf.BtfTypes;
import org.coroner.cli.shell.CommandException;
import org.coroner.expr.EvalException;
import org.coroner.expr.Evaluator;
import org.coroner.expr.Expression;
import org.coroner.expr.Operand;
import org.coroner.kernel.symbols.Globals;
import org.coroner.kernel.symbols.KernelSymbols;
import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;
import org.coroner.session.Session;
import org.coroner.types.CType;
import org.coroner.types.ValuePrinter;

/**
 * What the data commands share in one shell session: the session's symbols and typed globals, the
 * value history ({@code $N}, numbered as gdb under crash numbers it), the expression scope, the
 * value printer and crash's wording of memory errors.
 */
public final class DataContext {
    private final Session session;
    private final List<Operand> history = new ArrayList<>();
    private volatile Map<String, long[]> enumerators;

    public DataContext(Session session) {
        this.session = session;
    }

    /** Whether values print in hexadecimal unless a command's -d says otherwise ({@code set radix 16}). */
    public boolean radix16() {
        return session.outputRadix() == 16;
    }

    public Session session() {
        return session;
    }

    public KernelSymbols symbols() {
        return session.symbols();
    }

    public Globals globals() {
        return session.globals();
    }

    public VirtualMemory memory() {
        return session.kernel().memory();
    }

    /** Whether some loaded module's debug info was found (as after crash's {@code mod -s}). */
    public boolean moduleDebugInfoLoaded() {
        for (var m : symbols().modules().all()) {
            if (globals().moduleTypes(m.name()).isPresent()) {
                return true;
            }
        }
        return false;
    }

    /** Records a printed value; returns its history number. */
    public int record(Operand value, byte[] bytes) {
        history.add(Operand.of(value.type(), bytes));
        return history.size();
    }

    public ValuePrinter printer(ValuePrinter.Format format, boolean radix16) {
        return new ValuePrinter(memory(), a -> symbols().containingSymbol(a).map(KernelSymbols.At::text), format, radix16);
    }

    /** Parses and evaluates a C expression. */
    public Operand evaluate(String text) {
        Expression.Node n = Expression.parse(text, this::isTypeName);
        return new Evaluator(scope()).eval(n);
    }

    /** A C type name ({@code struct task_struct *}, {@code pid_t}), or a crash-style error. */
    public CType type(String text) {
        Expression.TypeName tn = Expression.parseType(text, this::isTypeName);
        return new Evaluator(scope()).type(tn);
    }

    /** A typedef name (and not a variable), as C's grammar must know to read a cast. */
    public boolean isTypeName(String ident) {
        BtfTypes bt = (BtfTypes) session.kernel().types();
        if (bt.btf().find(Btf.TYPEDEF, ident).isPresent()) {
            return symbols().lookup(ident).isEmpty();
        }
        for (var m : symbols().modules().all()) {
            Optional<Boolean> typedef = globals().moduleTypes(m.name()).map(dt -> dt.names().type(ident).isPresent());
            if (typedef.orElse(false)) {
                return symbols().lookup(ident).isEmpty();
            }
        }
        return false;
    }

    public Evaluator.Scope scope() {
        return new Evaluator.Scope() {
            @Override
            public VirtualMemory memory() {
                return DataContext.this.memory();
            }

            @Override
            public Optional<Operand> symbol(String name) {
                return globals().global(name).map(g -> {
                    if (!g.typed()) {
                        throw new EvalException("'" + name + "' has unknown type; cast it to its declared type");
                    }
                    return Operand.at(g.type(), g.address());
                });
            }

            @Override
            public Optional<Operand> enumerator(String name) {
                long[] e = enumeratorIndex().get(name);
                if (e == null) {
                    return Optional.empty();
                }
                BtfTypes bt = (BtfTypes) session.kernel().types();
                return Optional.of(Operand.of(bt.type((int) e[0]), e[1]));
            }

            @Override
            public Optional<CType> type(String cName) {
                return globals().debugType(cName);
            }

            @Override
            public Optional<Operand> history(int n, boolean relative) {
                int i = relative ? history.size() - 1 - n : n - 1;
                return i >= 0 && i < history.size() ? Optional.of(history.get(i)) : Optional.empty();
            }
        };
    }

    /** Every enumerator of the kernel's BTF: name to {type id, value}. */
    private Map<String, long[]> enumeratorIndex() {
        Map<String, long[]> m = enumerators;
        if (m == null) {
            Btf b = ((BtfTypes) session.kernel().types()).btf();
            m = new HashMap<>();
            for (int id = 1; id < b.count(); id++) {
                int k = b.kind(id);
                if (k == Btf.ENUM || k == Btf.ENUM64) {
                    for (var e : b.enumerators(id).entrySet()) {
                        m.putIfAbsent(e.getKey(), new long[] {id, e.getValue()});
                    }
                }
            }
            enumerators = m;
        }
        return m;
    }

    /**
     * crash's one-line message for a read that failed: {@code seek error: kernel virtual address:
     * ffff...  type: "64-bit KVADDR"} for a page the dump lacks, {@code invalid kernel virtual
     * address: ...} for an address that does not translate.
     */
    public static String readError(FaultException e, String type) {
        String space = type.endsWith("UVADDR") ? "user" : type.endsWith("PHYSADDR") ? "physical" : "kernel";
        String what = e.kind() == FaultException.Kind.UNMAPPED ? "invalid " + space + " virtual address: "
                : "seek error: " + space + " virtual address: ";
        if (space.equals("physical")) {
            what = "seek error: physical address: ";
        }
        return String.format("%s%x  type: \"%s\"", what, e.address(), type);
    }

    /** Runs an evaluation, turning gdb-style failures into the command's one-line error. */
    public static CommandException error(RuntimeException e, String type) {
        if (e instanceof FaultException f) {
            return new CommandException(readError(f, type));
        }
        return new CommandException(e.getMessage());
    }
}
