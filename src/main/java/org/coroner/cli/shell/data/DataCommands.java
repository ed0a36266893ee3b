package org.coroner.cli.shell.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.cli.shell.Shell;
import org.coroner.session.Session;
import org.coroner.types.CType;

/**
 * The data commands (types, values, expressions, memory, symbols, lists, trees, tasks) on one
 * session, sharing one {@link DataContext}; and crash's way of running a name as a command.
 */
public final class DataCommands {
    private DataCommands() {
    }

    public static void register(Shell shell, Session session) {
        DataContext ctx = new DataContext(session);
        shell.register(new PrintCommand(ctx));
        shell.register(new EvalCommand(ctx));
        shell.register(new StructCommand(ctx, "struct"));
        shell.register(new StructCommand(ctx, "union"));
        shell.register(new WhatisCommand(ctx));
        shell.register(new PtypeCommand(ctx));
        shell.register(new RdCommand(ctx));
        shell.register(new SymCommand(ctx));
        shell.register(new ListCommand(ctx));
        shell.register(new TreeCommand(ctx));
        shell.register(new TaskCommand(ctx));
        shell.alias("print", "p");
        shell.fallback(words -> rewrite(ctx, words));
    }

    /**
     * {@code p/x EXPR} is {@code p /x EXPR}; a symbol alone is printed; a type name is a command
     * of its own: a struct or union with an address is shown ({@code task_struct ADDR}), otherwise
     * declared ({@code whatis}); an integer type with an address reads memory of its size.
     */
    static Optional<List<String>> rewrite(DataContext ctx, List<String> words) {
        String first = words.get(0);
        List<String> rest = words.subList(1, words.size());
        int slash = first.indexOf('/');
        if (slash > 0 && (first.substring(0, slash).equals("p") || first.substring(0, slash).equals("print"))) {
            return Optional.of(join("p", List.of(first.substring(slash)), rest));
        }
        if (rest.isEmpty() && ctx.symbols().lookup(first).isPresent()) {
            return Optional.of(List.of("p", first));
        }
        if (first.equals("enum")) {
            return Optional.of(join("whatis", List.of("enum"), rest));
        }
        String base = first.contains(".") ? first.substring(0, first.indexOf('.')) : first;
        Optional<CType> s = ctx.globals().lookup("struct " + base);
        if (s.isPresent()) {
            return Optional.of(join("struct", List.of(), words));
        }
        Optional<CType> u = ctx.globals().lookup("union " + base);
        if (u.isPresent()) {
            return Optional.of(join("union", List.of(), words));
        }
        if (first.contains(".")) {
            return Optional.empty();
        }
        Optional<CType> t = ctx.globals().lookup(first);
        if (t.isEmpty()) {
            return Optional.empty();
        }
        CType r = t.get().resolve();
        switch (r.kind()) {
            case STRUCT, UNION -> {
                return Optional.of(rest.isEmpty() ? List.of("whatis", first)
                        : join(r.kind() == CType.Kind.UNION ? "union" : "struct", List.of(), words));
            }
            case INT, CHAR, BOOL -> {
                if (rest.isEmpty()) {
                    return Optional.of(List.of("whatis", first));
                }
                if (ctx.symbols().lookup(rest.get(0)).isPresent()) {
                    return Optional.of(join("p", List.of(), rest));
                }
                String size = switch ((int) r.size()) {
                    case 1 -> "-8";
                    case 2 -> "-16";
                    case 4 -> "-32";
                    default -> "-64";
                };
                return Optional.of(join("rd", List.of(size), rest));
            }
            default -> {
                return Optional.of(List.of("whatis", first));
            }
        }
    }

    private static List<String> join(String cmd, List<String> mid, List<String> rest) {
        List<String> out = new ArrayList<>();
        out.add(cmd);
        out.addAll(mid);
        out.addAll(rest);
        return out;
    }
}
