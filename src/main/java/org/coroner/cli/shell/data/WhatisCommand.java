package org.coroner.cli.shell.data;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

import org.coroner.btf.Btf;
import org.coroner.btf.BtfTypes;
import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.expr.EvalException;
import org.coroner.expr.Operand;
import org.coroner.kernel.symbols.Globals;
import org.coroner.kernel.symbols.KernelSymbols;
import org.coroner.types.CType;
import org.coroner.types.TypePrinter;

/** crash's {@code whatis}: a symbol's declaration, a type's definition and size, an enum's values, an expression's type. */
public final class WhatisCommand implements ShellCommand {
    private final DataContext ctx;

    public WhatisCommand(DataContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return "whatis";
    }

    @Override
    public String summary() {
        return "declaration of a symbol, definition of a struct/union/typedef/enum, type of an expression";
    }

    @Override
    public String help() {
        return """
                whatis [-o] struct|union|enum NAME | TYPEDEF | SYMBOL | EXPRESSION
                whatis -r SIZE|LOW-HIGH [-m TYPE]    whatis -m TYPE
                  A symbol: its C declaration (unsigned long __per_cpu_offset[8192];).
                  A struct, union or typedef of one: its definition as the struct command prints it,
                  and SIZE; a typedef of a scalar: typedef int pid_t; an enum: each enumerator and its
                  value; an enumerator: its enum and value; anything else: the type of the expression.
                  -o          member offsets
                  -r SIZE     the structs and unions of this size (or range LOW-HIGH)
                  -m TYPE     the structs and unions with a member of a type whose name contains TYPE
                  Example: whatis jiffies, whatis -o list_head, whatis enum pid_type""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        boolean offsets = false;
        String member = null;
        long lo = -1;
        long hi = -1;
        List<String> pos = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-o" -> offsets = true;
                case "-m" -> member = Args.value(args, ++i, a);
                case "-r" -> {
                    String r = Args.value(args, ++i, a);
                    int dash = r.indexOf('-');
                    lo = RdCommand.number(dash > 0 ? r.substring(0, dash) : r);
                    hi = dash > 0 ? RdCommand.number(r.substring(dash + 1)) : lo;
                }
                default -> pos.add(a);
            }
        }
        if (member != null || lo >= 0) {
            search(lo, hi, member, out);
            return;
        }
        if (pos.isEmpty()) {
            throw new CommandException("usage: whatis [-o] struct|union|enum NAME | TYPEDEF | SYMBOL | EXPRESSION");
        }
        String first = pos.get(0);
        String keyword = null;
        if ((first.equals("struct") || first.equals("union") || first.equals("enum")) && pos.size() > 1) {
            keyword = first;
            pos = pos.subList(1, pos.size());
        } else if (pos.size() == 1) {
            Optional<KernelSymbols.Symbol> s = ctx.symbols().lookup(first);
            if (s.isPresent()) {
                Globals.Global g = ctx.globals().typed(s.get());
                if (!g.typed()) {
                    throw new CommandException("no debug information describes " + first);
                }
                out.println(Declarations.variable(g.type(), first));
                return;
            }
        }
        String arg = String.join(" ", pos);
        if (datatype(keyword, arg, offsets, out)) {
            return;
        }
        try {
            Operand v = ctx.evaluate(arg);
            out.println(TypePrinter.name(v.type()));
        } catch (EvalException | CommandException e) {
            throw new CommandException("cannot resolve: " + (keyword == null ? "" : keyword + " ") + arg);
        }
    }

    private boolean datatype(String keyword, String arg, boolean offsets, PrintWriter out) {
        if (arg.contains(" ") && keyword == null) {
            return false;
        }
        int dot = arg.indexOf('.');
        String name = dot > 0 ? arg.substring(0, dot) : arg;
        String member = dot > 0 ? arg.substring(dot + 1) : null;
        Optional<CType> t = Optional.empty();
        String typedef = null;
        if (keyword != null) {
            t = ctx.globals().debugType(keyword + " " + name);
        } else {
            t = ctx.globals().debugType("struct " + name).or(() -> ctx.globals().debugType("union " + name))
                    .or(() -> ctx.globals().debugType("enum " + name));
            if (t.isEmpty()) {
                t = ctx.globals().debugType(name).filter(x -> !x.name().isEmpty() || x.kind() != CType.Kind.TYPEDEF);
                if (t.isPresent() && t.get().kind() == CType.Kind.TYPEDEF) {
                    typedef = name;
                }
            }
            if (t.isEmpty()) {
                Optional<Operand> e = ctx.scope().enumerator(name);
                if (e.isPresent() && member == null) {
                    CType et = e.get().type();
                    out.println("enum " + et.resolve().name() + " = " + e.get().scalar(ctx.memory()));
                    return true;
                }
            }
        }
        if (t.isEmpty()) {
            return false;
        }
        CType r = t.get().resolve();
        if (r.kind() == CType.Kind.ENUM && member == null) {
            out.print(Declarations.enumerators(t.get(), typedef));
            return true;
        }
        if (member != null && StructPrinter.select(r, member).isEmpty()) {
            throw new CommandException("invalid data structure reference: " + arg);
        }
        if (r.kind() != CType.Kind.STRUCT && r.kind() != CType.Kind.UNION) {
            if (typedef != null) {
                out.println("typedef " + TypePrinter.ptype(t.get()) + " " + typedef + ";");
            }
            out.println("SIZE: " + t.get().size());
            return true;
        }
        out.print(Declarations.declare(t.get(), typedef, offsets, member, -1, false));
        return true;
    }

    /** crash's whatis -r/-m: struct and union names by size and member type, smallest first. */
    private void search(long lo, long hi, String memberType, PrintWriter out) {
        Btf b = ((BtfTypes) ctx.session().kernel().types()).btf();
        BtfTypes bt = (BtfTypes) ctx.session().kernel().types();
        TreeMap<String, Long> found = new TreeMap<>();
        for (int id = 1; id < b.count(); id++) {
            int k = b.kind(id);
            if ((k != Btf.STRUCT && k != Btf.UNION) || b.name(id).isEmpty()) {
                continue;
            }
            long size = b.sizeof(id);
            if (lo >= 0 && (size < lo || size > hi)) {
                continue;
            }
            if (memberType != null && !hasMemberOfType(bt.type(id), memberType, 0)) {
                continue;
            }
            found.putIfAbsent((k == Btf.UNION ? "union " : "struct ") + b.name(id), size);
        }
        if (found.isEmpty()) {
            out.println("(none found)");
            return;
        }
        List<java.util.Map.Entry<String, Long>> list = new ArrayList<>(found.entrySet());
        list.sort(java.util.Map.Entry.<String, Long>comparingByValue().thenComparing(java.util.Map.Entry.comparingByKey()));
        int width = Math.max(4, Long.toString(list.get(list.size() - 1).getValue()).length());
        out.printf("%" + width + "s  TYPE%n", "SIZE");
        for (var e : list) {
            out.printf("%" + width + "d  %s%n", e.getValue(), e.getKey());
        }
    }

    private static boolean hasMemberOfType(CType t, String part, int depth) {
        for (CType.Field f : t.resolve().fields()) {
            String n = TypePrinter.name(f.type());
            if (n.contains(part)) {
                return true;
            }
            if (depth < 4 && f.type().isAggregate() && hasMemberOfType(f.type(), part, depth + 1)) {
                return true;
            }
        }
        return false;
    }

}
