package org.coroner.cli.shell.bt;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

import org.coroner.arch.x86_64.unwind.Frame;
import org.coroner.arch.x86_64.unwind.Registers;
import org.coroner.arch.x86_64.unwind.StackArea;
import org.coroner.kernel.Tasks;
import org.coroner.kernel.stack.Backtracer;
import org.coroner.kernel.stack.StackScanner;
import org.coroner.kernel.stack.Symbolizer;
import org.coroner.memory.FaultException;

/**
 * Prints backtraces in crash's {@code bt} layout: the task header, {@code #N [SP] func at ADDR}
 * lines, {@code [exception RIP: func+off]} register blocks for exception frames, {@code --- <IRQ
 * stack> ---} where the trace leaves a CPU stack, and the user-mode registers at the bottom.
 */
public final class BacktracePrinter {
    /** What to print besides the frames. */
    public record Options(boolean frameContents, boolean symbolOffsets, boolean hexOffsets,
                          org.coroner.kernel.stack.SourceLines lines, org.coroner.kernel.stack.FrameDetails variables,
                          boolean symbolic) {
        public static final Options DEFAULT = new Options(false, false, false, null, null, false);

        public Options(boolean frameContents, boolean symbolOffsets, boolean hexOffsets,
                       org.coroner.kernel.stack.SourceLines lines) {
            this(frameContents, symbolOffsets, hexOffsets, lines, null, false);
        }
    }

    private org.coroner.kernel.mm.SlabLookup slabs;

    private final Backtracer bt;

    public BacktracePrinter(Backtracer bt) {
        this.bt = bt;
    }

    /** {@code PID: 90       TASK: ffff8ae6c251b080  CPU: 1    COMMAND: "insmod"}. */
    public static String header(Tasks.Task t, int cpu) {
        return String.format("PID: %-8d TASK: %x  CPU: %-3s  COMMAND: \"%s\"", t.pid(), t.address(),
                Integer.toString(cpu >= 0 ? cpu : t.cpu()), t.comm());
    }

    public void print(Backtracer.Backtrace b, Options o, PrintWriter out) {
        out.println(header(b.task(), b.cpu()));
        if (b.start() == Backtracer.Start.STALE_SWITCH_FRAME) {
            out.println("    (running on CPU " + b.cpu() + ", whose registers the dump lacks: trace from its last"
                    + " switch, possibly stale)");
        }
        List<Frame> frames = b.frames();
        List<List<String>> vars = o.variables() == null ? null : o.variables().variables(b);
        int level = 0;
        for (int i = 0; i < frames.size(); i++) {
            Frame f = frames.get(i);
            Frame prev = i > 0 ? frames.get(i - 1) : null;
            if (prev != null && prev.stack() != null && f.stack() != null && prev.stack().kind() != f.stack().kind()) {
                out.println("--- <" + stackName(prev.stack().kind()) + "> ---");
            }
            if (f.isUserRegs()) {
                printRegisters(f.regs(), f.partialRegs(), out);
                continue;
            }
            if (f.isException()) {
                out.println("    [exception RIP: " + name(f.pc(), false, true) + "]");
                if (o.lines() != null) {
                    printLines(o.lines(), f.pc(), out);
                }
                printRegisters(f.regs(), f.partialRegs(), out);
                printVariables(vars, i, out);
                if (o.frameContents() && i + 1 < frames.size()) {
                    // the saved pt_regs and the rest of the interrupted frame, as crash prints them
                    printContents(f.regsAddress(), frames.get(i + 1).slot() + 8, o.symbolic(), out);
                }
                continue;
            }
            Optional<Symbolizer.Name> n = bt.symbolizer().frame(f.pc(), f.isReturnAddress());
            String func = n.map(x -> symbol(x, o)).orElse(String.format("%x", f.pc()));
            String mod = n.map(Symbolizer.Name::module).map(m -> " [" + m + "]").orElse("");
            out.printf("%s#%d [%x] %s at %x%s%n", level < 10 ? " " : "", level, f.slot(), func, f.pc(), mod);
            level++;
            if (o.lines() != null) {
                printLines(o.lines(), f.isReturnAddress() ? f.pc() - 1 : f.pc(), out);
            }
            printVariables(vars, i, out);
            if (o.frameContents() && i + 1 < frames.size() && !frames.get(i + 1).isException()) {
                // as crash: up to and including the word that holds the next frame's return address
                printContents(f.slot() + 8, frames.get(i + 1).slot() + 8, o.symbolic(), out);
            }
        }
        if (b.outcome() != org.coroner.arch.x86_64.unwind.OrcUnwinder.Outcome.COMPLETE) {
            out.println("    (unwind stopped: " + b.detail() + ")");
        }
    }

    private String symbol(Symbolizer.Name n, Options o) {
        if (o.hexOffsets()) {
            return n.offset() == 0 ? n.symbol() : n.symbol() + "+0x" + Long.toHexString(n.offset());
        }
        return o.symbolOffsets() ? n.crash() : n.symbol();
    }

    private String name(long pc, boolean returnAddress, boolean withOffset) {
        return bt.symbolizer().frame(pc, returnAddress).map(n -> withOffset ? n.crash() : n.symbol())
                .orElse(String.format("%x", pc));
    }

    /** crash's names for the stacks a trace leaves. */
    static String stackName(StackArea.Kind k) {
        return switch (k) {
            case IRQ -> "IRQ stack";
            case SOFTIRQ -> "soft IRQ stack";
            case NMI -> "NMI exception stack";
            case DF -> "DOUBLEFAULT exception stack";
            case DB -> "DEBUG exception stack";
            case MCE -> "MCE exception stack";
            case VC -> "VC exception stack";
            case VC2 -> "VC2 exception stack";
            case ENTRY -> "ENTRY_TRAMPOLINE stack";
            case TASK -> "task stack";
        };
    }

    /** Registers as crash prints an exception frame (IRET-only frames print just their part). */
    public static void printRegisters(Registers r, boolean partial, PrintWriter out) {
        out.printf("    RIP: %016x  RSP: %016x  RFLAGS: %08x%n", r.ip(), r.sp(), r.get(Registers.FLAGS));
        if (!partial) {
            out.printf("    RAX: %016x  RBX: %016x  RCX: %016x%n", r.get(Registers.AX), r.get(Registers.BX), r.get(Registers.CX));
            out.printf("    RDX: %016x  RSI: %016x  RDI: %016x%n", r.get(Registers.DX), r.get(Registers.SI), r.get(Registers.DI));
            out.printf("    RBP: %016x   R8: %016x   R9: %016x%n", r.get(Registers.BP), r.get(Registers.R8), r.get(Registers.R9));
            out.printf("    R10: %016x  R11: %016x  R12: %016x%n", r.get(Registers.R10), r.get(Registers.R11), r.get(Registers.R12));
            out.printf("    R13: %016x  R14: %016x  R15: %016x%n", r.get(Registers.R13), r.get(Registers.R14), r.get(Registers.R15));
            out.printf("    ORIG_RAX: %016x  CS: %04x  SS: %04x%n", r.get(Registers.ORIG_AX), r.cs(), r.get(Registers.SS));
        } else {
            out.printf("    CS: %04x  SS: %04x%n", r.cs(), r.get(Registers.SS));
        }
    }

    /** {@code bt -f}: the stack words of a frame, two per line, as crash prints them. */
    private void printContents(long from, long to, PrintWriter out) {
        printContents(from, to, false, out);
    }

    /**
     * crash's {@code bt -f} words, or with {@code symbolic} ({@code -F}) each word as crash names it:
     * {@code symbol+offset} for kernel and module addresses, {@code [cache]} for slab objects.
     */
    void printContents(long from, long to, boolean symbolic, PrintWriter out) {
        if (Long.compareUnsigned(from, to) >= 0 || to - from > 64 * 1024) {
            return;
        }
        for (long p = from; Long.compareUnsigned(p, to) < 0; p += 16) {
            StringBuilder sb = new StringBuilder(String.format("    %x: ", p));
            for (long q = p; q < p + 16 && Long.compareUnsigned(q, to) < 0; q += 8) {
                try {
                    long w = bt.kernel().memory().u64(q);
                    sb.append(symbolic ? String.format("%-16s ", symbolic(w)) : String.format("%016x ", w));
                } catch (FaultException e) {
                    sb.append("???????????????? ");
                }
            }
            out.println(sb);
        }
    }

    private String symbolic(long w) {
        if (Long.compareUnsigned(w, 0xffff800000000000L) < 0) {
            return String.format("%016x", w);
        }
        // x86_64 kernel text and modules are above 0xffffffff80000000; arm64's image and modules
        // lie above its linear map, where a symbol lookup finds nothing
        if (Long.compareUnsigned(w, 0xffffffff80000000L) >= 0 || bt.arm64().isPresent()) {
            Optional<Symbolizer.Name> n = bt.symbolizer().lookup(w);
            if (n.isPresent()) {
                return n.get().crash();
            }
        }
        if (slabs == null) {
            slabs = new org.coroner.kernel.mm.SlabLookup(bt.kernel());
        }
        return slabs.cacheOf(w).map(c -> "[" + c + "]").orElse(String.format("%016x", w));
    }

    /** {@code bt -e}: the pt_regs-shaped places on the task's stacks, as crash lists them. */
    public void printExceptionFrames(Backtracer.Backtrace b, PrintWriter out) {
        out.println(header(b.task(), b.cpu()));
        for (StackScanner.ExceptionFrame e : new StackScanner(bt).exceptionFrames(b)) {
            out.println();
            boolean user = e.regs().userMode();
            out.printf(" %s-MODE EXCEPTION FRAME AT: %x%n", user ? "USER" : "KERNEL", e.address());
            if (!user) {
                out.println("    [exception RIP: " + name(e.regs().ip(), false, true) + "]");
            }
            printRegisters(e.regs(), false, out);
        }
    }

    /** {@code bt -t} / {@code bt -T}: the text addresses found by scanning the stacks. */
    public void printScan(Backtracer.Backtrace b, boolean fromSp, PrintWriter out) {
        out.println(header(b.task(), b.cpu()));
        if (!b.frames().isEmpty()) {
            Frame first = b.frames().get(0);
            out.printf("              START: %s at %x%n", name(first.pc(), first.isReturnAddress(), false), first.pc());
        }
        StackArea.Kind last = null;
        for (StackScanner.Hit h : new StackScanner(bt).scan(b, fromSp)) {
            if (last != null && last != h.stack()) {
                out.println("--- <" + stackName(last) + "> ---");
            }
            last = h.stack();
            Optional<Symbolizer.Name> n = bt.symbolizer().frame(h.value(), true);
            out.printf("  [%x] %s at %x%s%n", h.slot(), n.map(Symbolizer.Name::symbol).orElse(String.format("%x", h.value())),
                    h.value(), n.map(Symbolizer.Name::module).map(m -> " [" + m + "]").orElse(""));
        }
    }

    /**
     * The source line of a frame, crash's {@code FILE: LINE} (the innermost line, as crash prints it):
     * for a return address the line of the call (pc - 1, as the kernel's %pB does; crash looks up the
     * return address itself and can name the line after the call). Then each inlined function on its
     * own line with the place it was inlined into.
     */
    static void printLines(org.coroner.kernel.stack.SourceLines lines, long pc, PrintWriter out) {
        lines.at(pc).ifPresent(l -> out.println("    " + l.file() + ": " + l.line()));
        var chain = lines.inlined(pc);
        for (int k = 0; k + 1 < chain.size(); k++) {
            var caller = chain.get(k + 1);
            out.println("    " + chain.get(k).function() + "() inlined into " + caller.function() + "() at "
                    + caller.file() + ": " + caller.line());
        }
    }

    private static void printVariables(List<List<String>> vars, int frame, PrintWriter out) {
        if (vars == null) {
            return;
        }
        for (String v : vars.get(frame)) {
            out.println("      " + v);
        }
    }
}
