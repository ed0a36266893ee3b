package org.coroner.cli.shell.data;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.kernel.symbols.KernelSymbols;
import org.coroner.memory.FaultException;
import org.coroner.types.CType;

/**
 * crash's {@code tree}: every entry of a red-black tree (in crash's pre-order, or in order with
 * {@code -l}) or of an xarray / radix tree (by index), with positions ({@code -p}) and contents
 * ({@code -s}/{@code -S}).
 */
public final class TreeCommand implements ShellCommand {
    private static final long XA_INTERNAL = 2;

    private final DataContext ctx;

    public TreeCommand(DataContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return "tree";
    }

    @Override
    public String summary() {
        return "walk a red-black tree, xarray or radix tree: entries, positions, members";
    }

    @Override
    public String help() {
        return """
                tree [-t rbtree|radix|xarray|maple] [-r OFFSET] [-o OFFSET] [-s|-S STRUCT[.MEMBER[,MEMBER]]] [-N] [-p] [-l]
                     [-x|-d] START
                  Prints the entries of a tree whose root (struct rb_root, struct radix_tree_root or
                  struct xarray) is at START, a symbol or an address.
                  -t TYPE    rbtree (the default), radix or xarray (the same structure since Linux 4.20), or
                             maple (struct maple_tree, 6.1's VMAs: mm->mm_mt)
                  -r OFFSET|STRUCT.MEMBER  START is a struct containing the root at this offset
                  -o OFFSET|STRUCT.MEMBER  rbtree: where the rb_node is inside each entry; entries are
                             printed by the address of the containing structure
                  -N         START is a node (rb_node, xa_node), not a root
                  -p         each entry's position: root/l/r for rbtrees, index and root/slot/... for xarrays
                  -l         rbtree: in order (smallest first) instead of root first
                  -s / -S    each entry's struct or members, as in list
                  -x / -d    members in hexadecimal / decimal
                  Example: tree -t rbtree -o vmap_area.rb_node vmap_area_root, tree -t xarray -p irq_desc_tree""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        String type = "rbtree";
        long rootOffset = 0;
        boolean rootOffsetGiven = false;
        long nodeOffset = 0;
        boolean nodeOffsetGiven = false;
        boolean nodePointer = false;
        boolean positions = false;
        boolean linear = false;
        EntryPrinter.Options entryOptions = new EntryPrinter.Options();
        entryOptions.hex = ctx.radix16();
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
                case "-t" -> {
                    String t = Args.value(args, ++i, a);
                    if (t.startsWith("ra") || t.startsWith("x")) {
                        type = "xarray";
                    } else if (t.startsWith("rb")) {
                        type = "rbtree";
                    } else if (t.startsWith("m")) {
                        type = "maple";
                    } else {
                        throw new CommandException("invalid tree type: " + t);
                    }
                }
                case "-r" -> {
                    rootOffset = ListCommand.offset(resolver, Args.value(args, ++i, a), "-r");
                    rootOffsetGiven = true;
                }
                case "-o" -> {
                    nodeOffset = ListCommand.offset(resolver, Args.value(args, ++i, a), "-o");
                    nodeOffsetGiven = true;
                }
                case "-N" -> nodePointer = true;
                case "-p" -> positions = true;
                case "-l" -> linear = true;
                case "-v" -> throw new CommandException("-v option is not applicable to " + (type.equals("rbtree") ? "rbtrees" : "Xarrays"));
                default -> {
                    if (a.startsWith("-") && a.length() > 1) {
                        throw new CommandException("invalid option: " + a);
                    }
                    pos.add(a);
                }
            }
        }
        String name = type.equals("rbtree") ? "rbtrees" : type.equals("maple") ? "maple trees" : "Xarrays";
        if (type.equals("maple") && (positions || nodePointer)) {
            throw new CommandException((positions ? "-p" : "-N") + " option is not supported for maple trees yet");
        }
        if (!type.equals("rbtree") && linear) {
            throw new CommandException("-l option is not applicable to " + name);
        }
        if (!type.equals("rbtree") && nodeOffsetGiven) {
            throw new CommandException("-o option is not applicable to " + name);
        }
        if (rootOffsetGiven && nodePointer) {
            throw new CommandException("-r and -N options are mutually exclusive");
        }
        if (pos.isEmpty()) {
            throw new CommandException("a starting address is required");
        }
        if (pos.size() > 1) {
            throw new CommandException("too many arguments entered");
        }
        long start = start(pos.get(0));
        if (!nodePointer) {
            start += rootOffset;
        }
        EntryPrinter entries = entryOptions.printer(ctx, resolver);
        if (type.equals("rbtree")) {
            long node = nodePointer ? start : read(start + offset("struct rb_root", "rb_node"), "rb_root rb_node");
            Walk w = new Walk(entries, positions, linear, nodeOffset, out);
            w.rb(node, "root");
        } else if (type.equals("maple")) {
            // every non-empty entry in index order; crash 8.0.2 has no maple trees, later crash prints
            // them in the output radix (decimal by default): here in hex, as every other tree's entries
            for (org.coroner.kernel.mm.MapleTree.Entry e : org.coroner.kernel.mm.MapleTree.entries(ctx.session().kernel(), start)) {
                out.printf("%x%n", e.value());
                if (!entries.isEmpty()) {
                    entries.print(e.value(), out);
                }
            }
        } else {
            xarray(start, nodePointer, entries, positions, out);
        }
    }

    private long start(String a) {
        Optional<KernelSymbols.Symbol> s = ctx.symbols().lookup(a);
        if (s.isPresent()) {
            return s.get().address();
        }
        if (RdCommand.isHex(a)) {
            long v = RdCommand.hex(a);
            if (Long.compareUnsigned(v, RdCommand.KERNEL_START) >= 0) {
                return v;
            }
        } else {
            try {
                long v = ctx.evaluate(a).scalar(ctx.memory());
                if (Long.compareUnsigned(v, RdCommand.KERNEL_START) >= 0) {
                    return v;
                }
            } catch (RuntimeException e) {
                // crash's message below
            }
        }
        throw new CommandException("invalid start argument: " + a);
    }

    private long offset(String struct, String member) {
        CType t = ctx.globals().lookup(struct).orElseThrow(() -> new CommandException(
                "red-black trees do not exist or have changed their format"));
        return t.field(member).orElseThrow(() -> new CommandException(
                "red-black trees do not exist or have changed their format")).offset();
    }

    private long read(long a, String what) {
        try {
            return ctx.memory().u64(a);
        } catch (FaultException e) {
            throw new CommandException(DataContext.readError(e, what));
        }
    }

    /** One rbtree walk: crash's order (node, left subtree, right subtree) or in order with -l. */
    private final class Walk {
        private final EntryPrinter entries;
        private final boolean positions;
        private final boolean linear;
        private final long nodeOffset;
        private final PrintWriter out;
        private final long left;
        private final long right;
        private final Set<Long> seen = new HashSet<>();

        Walk(EntryPrinter entries, boolean positions, boolean linear, long nodeOffset, PrintWriter out) {
            this.entries = entries;
            this.positions = positions;
            this.linear = linear;
            this.nodeOffset = nodeOffset;
            this.out = out;
            this.left = offset("struct rb_node", "rb_left");
            this.right = offset("struct rb_node", "rb_right");
        }

        void rb(long node, String pos) {
            if (node == 0) {
                return;
            }
            if (!seen.add(node)) {
                out.flush();
                throw new CommandException("duplicate tree entry: " + Long.toHexString(node));
            }
            if (linear) {
                child(node, left, "l", pos, "rb_left");
            }
            out.printf("%x%n", node - nodeOffset);
            if (positions) {
                out.println("  position: " + pos);
            }
            if (!entries.isEmpty()) {
                entries.print(node - nodeOffset, out);
            }
            if (!linear) {
                child(node, left, "l", pos, "rb_left");
            }
            child(node, right, "r", pos, "rb_right");
        }

        private void child(long node, long off, String step, String pos, String name) {
            long c;
            try {
                c = ctx.memory().u64(node + off);
            } catch (FaultException e) {
                return;
            }
            if (c == 0) {
                return;
            }
            try {
                ctx.memory().u64(c + left);
            } catch (FaultException e) {
                out.printf("tree: rb_node: %x: corrupted %s pointer: %x%n", node, name, c);
                return;
            }
            rb(c, pos + "/" + step);
        }
    }

    /** An xarray (or radix tree, the same since 4.20): entries by index, internal nodes followed. */
    private void xarray(long start, boolean nodePointer, EntryPrinter entries, boolean positions, PrintWriter out) {
        CType node = ctx.globals().lookup("struct xa_node").orElseThrow(() -> new CommandException(
                "xarray facility does not exist or has changed its format"));
        long slotsOff = node.field("slots").orElseThrow().offset();
        long shiftOff = node.field("shift").orElseThrow().offset();
        long nslots = node.field("slots").orElseThrow().type().resolve().length();
        int chunkShift = Long.numberOfTrailingZeros(nslots);
        long headOff = ctx.globals().lookup("struct xarray").flatMap(t -> t.field("xa_head")).orElseThrow(() ->
                new CommandException("xarray facility does not exist or has changed its format")).offset();
        long p;
        int height = 0;
        if (nodePointer) {
            p = start & ~3L;
            height = ctx.memory().u8(p + shiftOff) / chunkShift + 1;
        } else {
            p = read(start + headOff, "xarray xa_head");
            boolean internal = (p & 3) == XA_INTERNAL;
            p &= ~3L;
            if (internal) {
                height = ctx.memory().u8(p + shiftOff) / chunkShift + 1;
            }
        }
        if (p == 0) {
            return;
        }
        XaWalk w = new XaWalk(entries, positions, slotsOff, nslots, chunkShift, out);
        if (height == 0) {
            w.entry(p, "direct", 0);
        } else {
            w.node(p, height, "root", 0);
        }
    }

    private final class XaWalk {
        private final EntryPrinter entries;
        private final boolean positions;
        private final long slotsOff;
        private final long nslots;
        private final int shift;
        private final PrintWriter out;
        private final Set<Long> seen = new HashSet<>();

        XaWalk(EntryPrinter entries, boolean positions, long slotsOff, long nslots, int shift, PrintWriter out) {
            this.entries = entries;
            this.positions = positions;
            this.slotsOff = slotsOff;
            this.nslots = nslots;
            this.shift = shift;
            this.out = out;
        }

        void node(long n, int height, String path, long index) {
            if (!seen.add(n)) {
                out.flush();
                throw new CommandException("duplicate tree node: " + Long.toHexString(n));
            }
            for (long off = 0; off < nslots; off++) {
                long slot = read(n + slotsOff + 8 * off, "xa_node.slots[off]");
                if (slot == 0) {
                    continue;
                }
                boolean internal = (slot & 3) == XA_INTERNAL;
                if (internal && slot < (nslots << 2)) {
                    continue; // a sibling entry: the multi-index entry was shown at its first slot
                }
                if (internal) {
                    slot &= ~XA_INTERNAL;
                }
                if (height == 1) {
                    entry(slot, path, index | off);
                } else {
                    node(slot, height - 1, path + "/" + off, index | (off << ((height - 1) * shift)));
                }
            }
        }

        void entry(long slot, String path, long index) {
            out.printf("%x%n", slot);
            if (positions) {
                out.printf("  index: %d  position: %s/%d%n", index, path, index & (nslots - 1));
            }
            if (!entries.isEmpty()) {
                entries.print(slot, out);
            }
        }
    }
}
