package org.coroner.analyze;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.kernel.SystemInfo;
import org.coroner.kernel.Tasks;
import org.coroner.kernel.printk.PrintkRecord;
import org.coroner.kernel.stack.Backtracer;
import org.coroner.kernel.stack.TaskTrace;
import org.coroner.memory.FaultException;
import org.coroner.oops.FoundReport;
import org.coroner.oops.decode.DecodedOops;
import org.coroner.oops.decode.TaintFlag;
import org.coroner.session.Session;

/**
 * {@code coroner analyze VMLINUX VMCORE}: the root cause of a crash from the dump. The kernel log in
 * the dump says what the kernel noticed (the trigger); the dump's memory, registers and the debug
 * info say why: the faulting instruction and its source expression, the poisoned or freed memory,
 * the locks every blocked or spinning task waits for and who holds them.
 */
public final class DumpAnalyzer {
    private final Session s;
    private final Backtracer bt;
    private final List<String> notes = new ArrayList<>();

    public DumpAnalyzer(Session s) {
        this.s = s;
        this.bt = s.backtracer();
    }

    public Analysis analyze() {
        SystemInfo si = new SystemInfo(s.kernel());
        KernelLog log;
        try {
            log = new KernelLog(si.log().stream().map(DumpAnalyzer::line).flatMap(List::stream).toList());
        } catch (FaultException | IllegalStateException e) {
            notes.add("the printk ring buffer cannot be read (" + e.getMessage() + "): the kernel's own report is missing");
            log = new KernelLog(List.of());
        }
        Optional<FoundReport> trigger = log.trigger();
        DecodedOops decoded = log.decoded().orElse(null);
        String panic = log.panic().orElse(null);
        Kind hint = TriggerKinds.of(trigger.orElse(null), panic);

        Optional<Tasks.Task> panicTask;
        TaskTrace pbt;
        try {
            panicTask = bt.panicTask();
            pbt = panicTask.map(bt::trace).orElse(null);
        } catch (FaultException | IllegalArgumentException | IllegalStateException e) {
            note("partial: the panic task and its backtrace cannot be read (" + e.getMessage() + ")");
            panicTask = Optional.empty();
            pbt = null;
        }
        Locks locks = new Locks(s);
        Optional<DumpFault.Trap> trap = pbt == null ? Optional.empty() : DumpFault.trap(bt, pbt.frames());
        Finding f;
        try {
            f = verdict(log, trigger, decoded, panic, hint, pbt, trap, locks);
        } catch (FaultException | IllegalArgumentException | IllegalStateException e) {
            // memory the analysis needed is not in the dump: say so, and fall back on what the kernel said
            note("partial: the analysis stopped at memory the dump cannot give (" + e.getMessage() + "); the verdict is"
                    + " the kernel's own report");
            f = new Finding(hint);
            f.confidence = Confidence.LOW;
            f.summary = trigger.map(DumpAnalyzer::firstLine).orElse(hint.title()) + ".";
        }
        String callback = null;
        Context ctx = null;
        try {
            callback = Verdicts.callback(s, pbt, f).orElse(null);
            ctx = new ContextBuilder(s, log, decoded, panic, panicTask.orElse(null), pbt, trap.orElse(null), locks, callback)
                    .build();
        } catch (FaultException | IllegalArgumentException | IllegalStateException e) {
            note("partial: the context could not be read whole (" + e.getMessage() + ")");
            ctx = new Context(panic, trigger.map(DumpAnalyzer::firstLine).orElse(null), taint(decoded), null, callback,
                    null, List.of(), List.of(), List.of(), List.of(), List.of(), log.tail(25));
        }
        if (f.summary == null) {
            f.summary = "The kernel crashed" + (panic != null ? " (\"" + panic + "\")" : "") + "; the dump does not show why.";
        }
        return new Analysis(s.vmcorePath().toString(), "vmcore", f.verdict(), List.copyOf(f.evidence), ctx, List.copyOf(notes));
    }

    private Finding verdict(KernelLog log, Optional<FoundReport> trigger, DecodedOops decoded, String panic, Kind hint,
                            TaskTrace pbt, Optional<DumpFault.Trap> trap, Locks locks) {
        Finding f;
        boolean sysrq = pbt != null && pbt.frames().stream().anyMatch(fr -> bt.symbolizer().function(fr.pc()).equals("sysrq_handle_crash"));
        if (hint == Kind.SYSRQ_TRIGGERED || sysrq) {
            f = Verdicts.sysrq(this, log, pbt, trap);
        } else if (hint == Kind.OUT_OF_MEMORY) {
            f = Verdicts.outOfMemory(s, log, panic);
        } else if (trap.isPresent() && isBugTrap(trap.get())) {
            f = Verdicts.bug(s, trap.get(), pbt, log, hint);
        } else if (isFault(hint) && trap.isPresent()) {
            // the CPU's own word on the fault (FAR and ESR, CR2 and the error code), from the handler's frame
            Optional<FaultSyndrome> syn = FaultSyndrome.of(s, pbt, trap.get());
            Long reported = decoded != null && decoded.address() != null ? decoded.address()
                    : syn.map(FaultSyndrome::address).orElse(null);
            int next = trap.get().index() + 1;
            Long callerReturn = next < pbt.frames().size() && pbt.frames().get(next).returnAddress()
                    ? pbt.frames().get(next).pc() : null;
            f = new DumpFault(s).explain(trap.get(), reported, hint, callerReturn);
            if (syn.isPresent()) {
                f.evidence.add(Math.min(1, f.evidence.size()), syn.get().evidence(s.isArm64()));
            }
        } else if (hint == Kind.STACK_OVERFLOW) {
            f = Verdicts.stackOverflow(s, trap, pbt, log);
        } else if (hint == Kind.DOUBLE_FREE && trap.isEmpty()) {
            f = Verdicts.reportedDoubleFree(s, pbt, log);
        } else if (isFault(hint)) {
            // KASAN, KFENCE and other reports that do not trap: the kernel's words, its tracks
            f = new Finding(hint);
            f.confidence = trigger.map(t -> t.title().startsWith("KASAN") || t.title().startsWith("KFENCE")).orElse(false)
                    ? Confidence.MEDIUM : Confidence.LOW;
            f.summary = trigger.map(DumpAnalyzer::firstLine).orElse(hint.title()) + ".";
            if (hint == Kind.USE_AFTER_FREE || hint == Kind.DOUBLE_FREE) {
                LogAnalyzer.tracks(f, log);
            }
            note("no kernel-mode exception frame on the panic task's stack: the fault is described from the kernel's report");
        } else {
            f = locks.verdict(hint, log);
            if (f.location == null && (f.kind == Kind.SOFT_LOCKUP || f.kind == Kind.HARD_LOCKUP || f.kind == Kind.RCU_STALL)) {
                // no lock wait explains it: the CPU the report names, and what it runs
                Stalls.explain(s, f, log);
            }
        }
        if (f.location == null && trap.isPresent() && (f.kind == Kind.SOFT_LOCKUP || f.kind == Kind.HARD_LOCKUP
                || f.kind == Kind.RCU_STALL)) {
            // the watchdog's interrupt (or NMI) saved where the stuck CPU was
            long rip = trap.get().frame().regs().pc();
            f.location = new DumpFault(s).location(rip);
            f.add("register", "The stuck CPU was at " + f.location.text() + " when the watchdog's " + trap.get().entry()
                    + " interrupted it.", "exception frame (struct pt_regs) at " + org.coroner.oops.decode.Hex.format(
                    trap.get().frame().regsAddress()) + " on the panic task's stack");
        }
        if (trigger.isPresent()) {
            f.evidence.add(0, Evidence.of("log", "The kernel reported: " + firstLine(trigger.get()),
                    "the printk ring buffer in the dump, line " + trigger.get().startLine()));
        }
        if (f.location != null && f.location.module() != null && s.moduleFiles().find(f.location.module()).isEmpty()) {
            note("no " + f.location.module() + ".ko in --modules: without the module's debug info the code in it is not"
                    + " explained in source terms (variables, members, file:line)");
        }
        if (f.evidence.isEmpty()) {
            f.add("log", "The dump's kernel log holds no crash report, and no fault, lock wait or panic cause was found in"
                    + " its memory.", "the printk ring buffer, the panic task's backtrace and every task's lock waits");
        }
        return f;
    }

    /** A BUG()/WARN() trap: x86_64's #UD ({@code ud2}), arm64's {@code brk} (the kernel's bug_handler on the stack). */
    private boolean isBugTrap(DumpFault.Trap t) {
        if (t.entry().equals("asm_exc_invalid_op")) {
            return true;
        }
        return s.isArm64() && t.entry().equals("el1h_64_sync") && new DumpFault(s).code(t.frame().regs().pc())
                .map(c -> c.last().mnemonic().equals("brk")).orElse(false);
    }

    static boolean isFault(Kind k) {
        return switch (k) {
            case NULL_POINTER_DEREFERENCE, BAD_POINTER_DEREFERENCE, USE_AFTER_FREE, USE_AFTER_LIST_DEL, BUG_ON, WARNING,
                 DOUBLE_FREE, LIST_CORRUPTION -> true;
            default -> false;
        };
    }

    static String firstLine(FoundReport r) {
        for (String l : r.lines()) {
            String t = Verdicts.strip(l);
            if (!t.isEmpty()) {
                return t;
            }
        }
        return r.title();
    }

    Session session() {
        return s;
    }

    void note(String n) {
        if (!notes.contains(n)) {
            notes.add(n);
        }
    }

    /** A printk record as console lines: {@code [   14.788674] text}, continuation lines too. */
    static List<String> line(PrintkRecord r) {
        String ts = r.timestamp() + " ";
        List<String> out = new ArrayList<>();
        for (String l : r.text().split("\n", -1)) {
            out.add(ts + l);
        }
        return out;
    }

    static List<String> taint(DecodedOops d) {
        if (d == null || d.taint() == null || !d.taint().tainted()) {
            return List.of();
        }
        return d.taint().flags().stream().map((TaintFlag t) -> t.letter() + " " + t.name() + ": " + t.meaning()).toList();
    }

    /** How backtraces are unwound on the dump's architecture, for evidence derivations. */
    static String unwinder(Session s) {
        return s.isArm64() ? "frame-record unwind" : "ORC unwind";
    }

    static String frameName(Backtracer bt, TaskTrace.TraceFrame f) {
        return bt.symbolizer().frame(f.pc(), f.returnAddress()).map(n -> n.kernel() + (n.module() == null ? "" : " [" + n.module() + "]"))
                .orElse(String.format("%016x", f.pc()));
    }
}
