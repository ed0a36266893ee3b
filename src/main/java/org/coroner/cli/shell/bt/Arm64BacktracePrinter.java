package org.coroner.cli.shell.bt;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

import org.coroner.arch.arm64.unwind.Arm64Frame;
import org.coroner.arch.arm64.unwind.Arm64Registers;
import org.coroner.arch.arm64.unwind.Arm64Stack;
import org.coroner.kernel.stack.Arm64Backtraces;
import org.coroner.kernel.stack.Backtracer;
import org.coroner.kernel.stack.Symbolizer;

/**
 * Prints arm64 backtraces in crash's arm64 {@code bt} layout: {@code #N [FP] func at PC} lines
 * (FP: the frame record the caller was found through), the saved registers of an exception frame
 * ({@code PC: ... [func+off]}, {@code LR:}, {@code SP: ... PSTATE:}, x29 down to x0, {@code ORIG_X0},
 * {@code SYSCALLNO}), {@code --- <IRQ stack> ---} where the trace leaves a CPU stack, and the
 * user-mode registers at the bottom. A frame reached through a saved lr shows the branch before
 * it ({@code lr - 4}: its symbol and address), as crash does; the kernel's own traces name the lr
 * itself ({@code %pSb}), which the acceptance test compares.
 */
final class Arm64BacktracePrinter {
    private final Backtracer bt;
    private final BacktracePrinter words;

    Arm64BacktracePrinter(Backtracer bt, BacktracePrinter words) {
        this.bt = bt;
        this.words = words;
    }

    void print(Arm64Backtraces.Backtrace b, BacktracePrinter.Options o,
               java.util.function.Function<Arm64Backtraces.Backtrace, List<List<String>>> variables, PrintWriter out) {
        out.println(BacktracePrinter.header(b.task(), b.cpu()));
        if (b.start() == Backtracer.Start.STALE_SWITCH_FRAME) {
            out.println("    (running on CPU " + b.cpu() + ", whose registers the dump lacks: trace from its last"
                    + " switch, possibly stale)");
        }
        List<Arm64Frame> frames = b.frames();
        if (!frames.isEmpty() && frames.get(0).regs() != null && frames.get(0).isCall()) {
            Optional<Symbolizer.Name> first = bt.symbolizer().lookup(frames.get(0).pc());
            if (first.isPresent() && first.get().symbol().equals("vectors") && first.get().offset() % 0x80 == 0) {
                // the first instruction of an exception vector: nothing is saved yet, and the notes lack ELR_EL1
                out.println("    (the CPU had just taken an exception: the interrupted pc, in ELR_EL1, is not in the"
                        + " dump's notes; its caller chain follows from x29)");
            }
        }
        List<List<String>> vars = variables == null ? null : variables.apply(b);
        int level = 0;
        for (int i = 0; i < frames.size(); i++) {
            Arm64Frame f = frames.get(i);
            Arm64Frame prev = i > 0 ? frames.get(i - 1) : null;
            if (prev != null && prev.stack() != null && f.stack() != null && prev.stack().kind() != f.stack().kind()) {
                out.println("--- <" + prev.stack().kind().crashName() + "> ---");
            }
            if (!f.isCall()) {
                printRegisters(f.regs(), out);
                continue;
            }
            // as crash: a saved lr is shown as the branch before it (pc - 4), its symbol and address
            long at = f.exact() ? f.pc() : f.pc() - 4;
            Optional<Symbolizer.Name> n = bt.symbolizer().lookup(at);
            String func = n.map(x -> symbol(x, o)).orElse(String.format("%x", at));
            String mod = n.map(Symbolizer.Name::module).map(m -> " [" + m + "]").orElse("");
            out.printf("%s#%d [%x] %s at %x%s%n", level < 10 ? " " : "", level, f.fp(), func, at, mod);
            level++;
            if (o.lines() != null) {
                BacktracePrinter.printLines(o.lines(), at, out);
            }
            if (vars != null) {
                vars.get(level - 1).forEach(v -> out.println("      " + v));
            }
            if (o.frameContents() && i + 1 < frames.size() && Long.compareUnsigned(f.fp(), 0) != 0) {
                Arm64Frame next = frames.get(i + 1).isCall() || i + 2 >= frames.size() ? frames.get(i + 1) : frames.get(i + 2);
                words.printContents(f.fp(), next.fp(), o.symbolic(), out);
            }
        }
        if (!b.complete()) {
            out.println("    (unwind stopped: " + b.detail() + ")");
        }
    }

    /** {@code bt -t} / {@code bt -T}: the text addresses found by scanning the stacks, crash's layout. */
    void printScan(Arm64Backtraces.Backtrace b, boolean fromFrame, PrintWriter out) {
        out.println(BacktracePrinter.header(b.task(), b.cpu()));
        if (!b.frames().isEmpty()) {
            long pc = b.frames().get(0).pc();
            out.printf("              START: %s at %x%n", bt.symbolizer().lookup(pc).map(Symbolizer.Name::symbol)
                    .orElse(String.format("%x", pc)), pc);
        }
        Arm64Stack.Kind last = null;
        for (Arm64Backtraces.ScanHit h : bt.arm64().orElseThrow().scan(b, bt.orc()::isText, fromFrame)) {
            if (last != null && last != h.stack()) {
                out.println("--- <" + last.crashName() + "> ---");
            }
            last = h.stack();
            Optional<Symbolizer.Name> n = bt.symbolizer().lookup(h.value());
            out.printf("  [%x] %s at %x%s%n", h.slot(), n.map(Symbolizer.Name::symbol).orElse(String.format("%x", h.value())),
                    h.value(), n.map(Symbolizer.Name::module).map(m -> " [" + m + "]").orElse(""));
        }
    }

    /** {@code bt -e}: the pt_regs on the task's stacks, as crash lists exception frames. */
    void printExceptionFrames(Arm64Backtraces.Backtrace b, PrintWriter out) {
        out.println(BacktracePrinter.header(b.task(), b.cpu()));
        for (Arm64Backtraces.ExceptionFrame e : bt.arm64().orElseThrow().exceptionFrames(b, bt.orc()::isText)) {
            out.println();
            out.printf("%s-MODE EXCEPTION FRAME AT: %x%n", e.regs().userMode() ? "USER" : "KERNEL", e.address());
            printRegisters(e.regs(), out);
        }
    }

    private static String symbol(Symbolizer.Name n, BacktracePrinter.Options o) {
        if (o.hexOffsets()) {
            return n.offset() == 0 ? n.symbol() : n.symbol() + "+0x" + Long.toHexString(n.offset());
        }
        return o.symbolOffsets() ? n.crash() : n.symbol();
    }

    private String bracketed(long addr) {
        return "  " + bt.symbolizer().lookup(addr).map(n -> "[" + n.crash() + "]").orElse("[unknown or invalid address]");
    }

    /** crash's arm64 exception frame: kernel mode names PC and LR, user mode lists them on one line. */
    void printRegisters(Arm64Registers r, PrintWriter out) {
        if (r.userMode()) {
            out.printf("     PC: %016x   LR: %016x   SP: %016x%n", r.pc(), r.lr(), r.sp());
        } else {
            out.printf("     PC: %016x%s%n", r.pc(), bracketed(r.pc()));
            out.printf("     LR: %016x%s%n", r.lr(), bracketed(r.lr()));
            out.printf("     SP: %016x  PSTATE: %08x%n", r.sp(), r.pstate());
        }
        StringBuilder line = new StringBuilder();
        int inLine = 0;
        for (int x = 29; x >= 0; x--) {
            line.append(String.format("%s%s: %016x", inLine == 0 ? "    " : "  ", pad("X" + x), r.x(x)));
            if (++inLine == 3 || x == 0) {
                out.println(line);
                line.setLength(0);
                inLine = 0;
            }
        }
        if (r.userMode()) {
            out.printf("    ORIG_X0: %016x  SYSCALLNO: %x  PSTATE: %08x%n", r.get(Arm64Registers.ORIG_X0),
                    r.get(Arm64Registers.SYSCALLNO), r.pstate());
        } else {
            out.printf("    ORIG_X0: %016x  SYSCALLNO: %x%n", r.get(Arm64Registers.ORIG_X0), r.get(Arm64Registers.SYSCALLNO));
        }
    }

    private static String pad(String name) {
        return name.length() < 3 ? " " + name : name;
    }
}
