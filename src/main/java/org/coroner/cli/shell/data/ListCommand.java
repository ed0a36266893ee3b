package org.coroner.cli.shell.data;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.expr.EvalException;
import org.coroner.kernel.symbols.KernelSymbols;
import org.coroner.memory.FaultException;

/**
 * crash's {@code list}: follows a linked list from a start address (each entry's next pointer at an
 * offset), or a {@code list_head} list embedded in structs ({@code -h}, {@code -H}), printing each
 * entry's address and, with {@code -s}/{@code -S}, its contents.
 */
public final class ListCommand implements ShellCommand {
    private final DataContext ctx;

    public ListCommand(DataContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return "list";
    }

    @Override
    public String summary() {
        return "walk a linked list (next pointers or embedded list_heads), entries and their members";
    }

    @Override
    public String help() {
        return """
                list [[-o] OFFSET|STRUCT.MEMBER] [-e END] [-s|-S STRUCT[.MEMBER[,MEMBER]]] [-l OFFSET|STRUCT.MEMBER]
                     [-x|-d] [-r] -H|-h START
                  Prints the address of every entry of a list, from START, until the list comes back to
                  START (or END, or a NULL next pointer).
                  OFFSET | STRUCT.MEMBER   where the next pointer is in an entry (default 0); with -h/-H
                                           the offset of the embedded struct list_head
                  -h START   START is an entry that embeds a list_head at OFFSET; entries are printed by
                             the address of the structure that contains them
                  -H START   START is a list_head that is the list's head, not an entry ("(empty)" when it
                             points at itself)
                  -r         backwards, through the prev pointers (implies -h)
                  -O OFFSET  with -h: START plus OFFSET is the list's head pointer
                  -s STRUCT[.MEMBER,...]   each entry's struct, or those members, as the struct command
                  -S STRUCT.MEMBER,...     members read quickly: numbers in decimal, char arrays as text
                  -l OFFSET|STRUCT.MEMBER  with -s/-S: entries point to this member, not to the struct
                  -e END     stop at END
                  -x / -d    members in hexadecimal / decimal
                  Example: list task_struct.tasks -s task_struct.pid,comm -h init_task""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        boolean headFormat = false;
        boolean headPointer = false;
        boolean reverse = false;
        EntryPrinter.Options entryOptions = new EntryPrinter.Options();
        entryOptions.hex = ctx.radix16();
        Long memberOffset = null;
        Long headOffset = null;
        long structListOffset = 0;
        Long end = null;
        List<String> pos = new ArrayList<>();
        StructCommand resolver = new StructCommand(ctx, "struct");
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            int used = entryOptions.read(args, i);
            if (used >= 0) {
                i = used;
                continue;
            }
            switch (a) {
                case "-h" -> headFormat = true;
                case "-H" -> {
                    headFormat = true;
                    headPointer = true;
                }
                case "-r" -> {
                    headFormat = true;
                    reverse = true;
                }
                case "-o" -> {
                    if (memberOffset != null) {
                        throw new CommandException("offset value " + memberOffset + " (0x" + Long.toHexString(memberOffset) + ") already entered");
                    }
                    memberOffset = offset(resolver, Args.value(args, ++i, a), "-o");
                }
                case "-O" -> headOffset = offset(resolver, Args.value(args, ++i, a), "-O");
                case "-l" -> structListOffset = offset(resolver, Args.value(args, ++i, a), "-l");
                case "-e" -> end = RdCommand.hex(Args.value(args, ++i, a));
                case "-B" -> {
                }
                default -> {
                    if (a.startsWith("-") && a.length() > 1 && !a.matches("-\\d+")) {
                        throw new CommandException("invalid option: " + a);
                    }
                    pos.add(a);
                }
            }
        }
        if (pos.size() > 2) {
            throw new CommandException("too many arguments");
        }
        Long start = null;
        for (int i = 0; i < pos.size(); i++) {
            String a = pos.get(i);
            if (a.contains(".") && !a.startsWith("(")) {
                int dot = a.indexOf('.');
                Optional<StructPrinter.Selected> m = Optional.empty();
                try {
                    m = StructPrinter.select(resolver.resolve(a.substring(0, dot), null).type(), a.substring(dot + 1));
                } catch (CommandException e) {
                    // not a struct.member: maybe an expression
                }
                if (m.isPresent()) {
                    if (memberOffset != null) {
                        throw new CommandException("offset value " + memberOffset + " (0x" + Long.toHexString(memberOffset) + ") already entered");
                    }
                    memberOffset = m.get().field().offset();
                    continue;
                }
            }
            Optional<KernelSymbols.Symbol> s = ctx.symbols().lookup(a);
            if (s.isPresent()) {
                if (start != null) {
                    throw new CommandException("list start already entered");
                }
                start = s.get().address();
                continue;
            }
            if (!a.matches("0[xX][0-9a-fA-F]+|[0-9a-fA-F]+")) {
                try {
                    long v = ctx.evaluate(a).scalar(ctx.memory());
                    if (Long.compareUnsigned(v, RdCommand.KERNEL_START) >= 0 && start == null) {
                        start = v;
                        continue;
                    }
                } catch (EvalException | FaultException e) {
                    // fall through to crash's message
                }
                throw new CommandException("invalid argument: " + a);
            }
            if (start != null) {
                memberOffset = RdCommand.number(a);
                continue;
            }
            if (memberOffset != null || i == pos.size() - 1) {
                long v = RdCommand.hex(a);
                if (Long.compareUnsigned(v, RdCommand.KERNEL_START) < 0) {
                    throw new CommandException("invalid kernel virtual address: " + a);
                }
                start = v;
                continue;
            }
            long v = RdCommand.hex(a);
            if (Long.compareUnsigned(v, RdCommand.KERNEL_START) >= 0) {
                start = v;
            } else {
                memberOffset = RdCommand.number(a);
            }
        }
        if (start == null) {
            throw new CommandException("starting address required");
        }
        long member = memberOffset == null ? 0 : memberOffset;
        long listHeadOffset = 0;
        if (headFormat) {
            listHeadOffset = member;
            member = reverse ? 8 : 0;
            if (headPointer) {
                if (end == null) {
                    end = start;
                }
                start = read(start + member, "LIST_HEAD contents");
                if (start.equals(end)) {
                    out.println("(empty)");
                    return;
                }
            } else if (headOffset != null) {
                if (end == null) {
                    end = start + headOffset;
                }
                start = read(start + headOffset, "LIST_HEAD contents");
                if (start.equals(end)) {
                    out.println("(empty)");
                    return;
                }
            } else {
                start += listHeadOffset;
            }
        }
        EntryPrinter entries = entryOptions.printer(ctx, resolver);
        walk(start, member, listHeadOffset, listHeadOffset + structListOffset, end, headFormat, entries, out);
    }

    private void walk(long start, long member, long listHeadOffset, long structOffset, Long end, boolean headFormat,
                      EntryPrinter entries, PrintWriter out) {
        long first = read(start + member, "first list entry");
        Set<Long> seen = new HashSet<>();
        long next = start;
        int count = 0;
        while (true) {
            out.printf("%x%n", next - listHeadOffset);
            if (!entries.isEmpty()) {
                entries.print(next - structOffset, out);
            }
            if (!seen.add(next - listHeadOffset)) {
                out.flush();
                throw new CommandException("duplicate list entry: " + Long.toHexString(next));
            }
            count++;
            long last = next;
            next = read(next + member, "list entry");
            if (next == 0) {
                if (headFormat) {
                    out.flush();
                    throw new CommandException("invalid list entry: 0");
                }
                return;
            }
            if (end != null && next == end || next == start || next == last || next == first && count != 1) {
                return;
            }
        }
    }

    private long read(long address, String what) {
        try {
            return ctx.memory().u64(address);
        } catch (FaultException e) {
            throw new CommandException(DataContext.readError(e, what));
        }
    }

    /** An offset given as a number or as STRUCT.MEMBER. */
    static long offset(StructCommand resolver, String s, String opt) {
        if (s.matches("\\d+|0[xX][0-9a-fA-F]+")) {
            return RdCommand.number(s);
        }
        int dot = s.indexOf('.');
        if (dot > 0) {
            try {
                Optional<StructPrinter.Selected> m = StructPrinter.select(resolver.resolve(s.substring(0, dot), null).type(),
                        s.substring(dot + 1));
                if (m.isPresent()) {
                    return m.get().field().offset();
                }
            } catch (CommandException e) {
                // reported below
            }
        }
        throw new CommandException("invalid " + opt + " argument: " + s);
    }

}
