package org.coroner.analyze;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.coroner.disasm.Instruction;
import org.coroner.disasm.RegisterEffect;
import org.coroner.kernel.stack.Backtracer;
import org.coroner.kernel.stack.TaskTrace;
import org.coroner.oops.decode.Hex;
import org.coroner.session.Session;

/**
 * Lock and unlock calls in a function's code as it is in memory: {@code call _raw_spin_lock} with
 * the lock argument ({@code %rdi}, arm64 {@code x0}) traced back to a constant (a static lock: its address is an
 * immediate or a relocated operand). A task holds a lock when one of its frames' functions called
 * the lock function on it before the call the frame is in now, and no unlock call on it lies
 * between: the straight-line reading of the code, which the evidence says.
 */
final class LockCalls {
    static final Set<String> ACQUIRE = Set.of("_raw_spin_lock", "_raw_spin_lock_irq", "_raw_spin_lock_irqsave",
            "_raw_spin_lock_bh", "_raw_spin_lock_nested", "_raw_read_lock", "_raw_read_lock_irq", "_raw_read_lock_irqsave",
            "_raw_read_lock_bh", "_raw_write_lock", "_raw_write_lock_irq", "_raw_write_lock_irqsave", "_raw_write_lock_bh",
            "mutex_lock", "mutex_lock_interruptible", "mutex_lock_killable", "mutex_lock_io", "mutex_lock_nested",
            "down_read", "down_write", "down_read_killable", "down_write_killable", "down", "down_interruptible",
            "down_killable", "rt_mutex_lock");
    static final Set<String> RELEASE = Set.of("_raw_spin_unlock", "_raw_spin_unlock_irq", "_raw_spin_unlock_irqrestore",
            "_raw_spin_unlock_bh", "_raw_read_unlock", "_raw_read_unlock_irq", "_raw_read_unlock_irqrestore",
            "_raw_read_unlock_bh", "_raw_write_unlock", "_raw_write_unlock_irq", "_raw_write_unlock_irqrestore",
            "_raw_write_unlock_bh", "mutex_unlock", "up_read", "up_write", "up", "rt_mutex_unlock");

    /** A lock or unlock call and its lock argument when it is a constant. */
    record Call(Instruction insn, String at, String callee, Long lock, boolean acquire) {
        String text() {
            return at + ": " + callee + "(" + (lock == null ? "?" : Hex.format(lock)) + ")";
        }
    }

    /** A lock a frame's function took and has not released. */
    record Held(String text, String derivation) {
    }

    private final Session s;
    private final Backtracer bt;
    private final DumpFault code;
    /** Decoded functions by start address, each as far as a caller has needed it; and their lock calls. */
    private final java.util.Map<Long, FunctionCode> decoded = new java.util.HashMap<>();
    private final java.util.Map<Long, List<Call>> callsOf = new java.util.HashMap<>();

    LockCalls(Session s) {
        this.s = s;
        this.bt = s.backtracer();
        this.code = new DumpFault(s);
    }

    /** The lock calls of the function containing {@code upTo}, in address order, up to that instruction. */
    List<Call> calls(FunctionCode fc) {
        List<Call> out = new ArrayList<>();
        List<Instruction> ins = fc.instructions();
        for (int i = 0; i < ins.size(); i++) {
            Instruction in = ins.get(i);
            if (!RegisterEffect.isCall(fc.arch(), in) || !in.hasTarget()) {
                continue;
            }
            String callee = callee(fc, in.target());
            if (callee == null || !ACQUIRE.contains(callee) && !RELEASE.contains(callee)) {
                continue;
            }
            SourceTrace.Expr arg = new SourceTrace(fc, new ArrayList<>()).value(RegisterEffect.firstArgument(fc.arch()), i, 0);
            out.add(new Call(in, fc.at(in), callee, arg.constant(), ACQUIRE.contains(callee)));
        }
        return out;
    }

    /**
     * The function a direct call goes to: the symbol at its target, or behind an arm64 module PLT
     * entry ({@code adrp x16, P; add x16, x16, #O; br x16}), through which a module far from the
     * kernel calls it.
     */
    private String callee(FunctionCode fc, long target) {
        Optional<String> direct = bt.symbolizer().lookup(target).filter(n -> n.offset() == 0).map(n -> n.symbol());
        if (direct.isPresent() || fc.arch().isX86()) {
            return direct.orElse(null);
        }
        List<Instruction> plt;
        try {
            plt = org.coroner.disasm.Disassembler.of(fc.arch()).disassemble(s.kernel().memory().read(target, 12), target, 0);
        } catch (org.coroner.memory.FaultException e) {
            return null;
        }
        if (plt.size() != 3 || !plt.get(0).mnemonic().equals("adrp") || !plt.get(0).operands().startsWith("x16,")
                || !plt.get(1).operands().startsWith("x16, x16, #") || !plt.get(2).mnemonic().equals("br")
                || !plt.get(2).operands().equals("x16")) {
            return null;
        }
        long dest = plt.get(0).target() + RegisterEffect.parseImm(plt.get(1).operands().substring("x16, x16, #".length()));
        return bt.symbolizer().lookup(dest).filter(n -> n.offset() == 0).map(n -> n.symbol()).orElse(null);
    }

    /** The call instruction that returns to {@code returnAddress}, when it is a lock call. */
    Optional<Call> callAt(long returnAddress) {
        Optional<FunctionCode> fc = callerCode(returnAddress);
        if (fc.isEmpty()) {
            return Optional.empty();
        }
        List<Call> calls = callsBefore(fc.get());
        return calls.isEmpty() || calls.get(calls.size() - 1).insn().address() != fc.get().last().address()
                ? Optional.empty() : Optional.of(calls.get(calls.size() - 1));
    }

    /** The constant first argument ({@code %rdi}) of the call that returns to {@code returnAddress}: a static object passed. */
    Optional<Long> constantArgument(long returnAddress) {
        Optional<FunctionCode> fc = callerCode(returnAddress);
        if (fc.isEmpty() || !fc.get().last().mnemonic().startsWith("call")) {
            return Optional.empty();
        }
        return Optional.ofNullable(new SourceTrace(fc.get(), new ArrayList<>()).value("rdi", fc.get().lastIndex(), 0).constant());
    }

    /** The caller's code up to the call whose return address this is (functions decoded once, then cut). */
    private Optional<FunctionCode> callerCode(long returnAddress) {
        var name = bt.symbolizer().lookup(returnAddress - 1);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        long start = name.get().symbolAddress();
        FunctionCode whole = decoded.get(start);
        if (whole == null || whole.last().address() < returnAddress) {
            Optional<FunctionCode> wide = code.code(returnAddress);
            if (wide.isEmpty()) {
                return Optional.empty();
            }
            whole = wide.get();
            decoded.put(start, whole);
            callsOf.remove(start);
        }
        List<Instruction> ins = whole.instructions();
        for (int i = ins.size() - 1; i >= 0; i--) {
            if (ins.get(i).end() == returnAddress) {
                return Optional.of(whole.upTo(i));
            }
        }
        return Optional.empty();
    }

    /** The lock calls of a function (as far as it has been decoded) before {@code end}. */
    private List<Call> callsBefore(FunctionCode cut) {
        FunctionCode whole = decoded.get(cut.start());
        List<Call> all = callsOf.computeIfAbsent(cut.start(), x -> calls(whole));
        long end = cut.last().end();
        return all.stream().filter(c -> c.insn().address() < end).toList();
    }

    /**
     * Lock calls whose argument the code computes from a register (a lock in an allocated object,
     * reached through a pointer), made concrete: the function's code is read straight through
     * ({@link RegisterSymbols}); at the call the frame is in now, a callee-saved register whose value
     * the unwinder recovered pins that entry value, and so every earlier lock argument that derives
     * from it.
     */
    private List<Call> computed(FunctionCode fc, List<Call> calls, org.coroner.dwarf.loc.RegisterFile regs, List<String> why) {
        RegisterSymbols rs = RegisterSymbols.read(fc.instructions(), fc.instructions().size() - 1);
        java.util.Map<String, RegisterSymbols.Sym> st = rs.atEnd();
        java.util.Map<Long, RegisterSymbols.Sym> argAt = rs.firstArgument();
        // the entry values the frame's recovered callee-saved registers pin down
        java.util.Map<String, Long> entry = new java.util.HashMap<>();
        java.util.Map<String, String> via = new java.util.HashMap<>();
        for (String r : new String[] {"rbx", "rbp", "r12", "r13", "r14", "r15"}) {
            int n = org.coroner.dwarf.loc.X86DwarfRegisters.number(r);
            RegisterSymbols.Sym v = st.get(r);
            if (v.base() != null && regs != null && regs.known(n)) {
                entry.putIfAbsent(v.base(), regs.value(n) - v.disp());
                via.putIfAbsent(v.base(), "%" + r + " = " + Hex.format(regs.value(n)) + " = entry %" + v.base()
                        + (v.disp() == 0 ? "" : " + " + Hex.format(v.disp())) + " in this frame (" + regs.why(n) + ")");
            }
        }
        List<Call> out = new ArrayList<>();
        for (Call c : calls) {
            RegisterSymbols.Sym a = argAt.get(c.insn().address());
            if (c.lock() == null && a != null && a.base() != null && entry.containsKey(a.base())) {
                long lock = entry.get(a.base()) + a.disp();
                why.add(c.at() + "'s %rdi is the entry value of %" + a.base() + (a.disp() == 0 ? "" : " + " + Hex.format(a.disp()))
                        + ", known from " + via.get(a.base()));
                out.add(new Call(c.insn(), c.at(), c.callee(), lock, c.acquire()));
            } else {
                out.add(c);
            }
        }
        return out;
    }

    /** Whether one of the backtrace's frames took {@code lock} and has not released it. */
    Optional<Held> heldBy(TaskTrace b, long lock, String name) {
        List<org.coroner.dwarf.loc.RegisterFile> recovered = null;
        for (int fi = 0; fi < b.frames().size(); fi++) {
            TaskTrace.TraceFrame f = b.frames().get(fi);
            if (!f.returnAddress()) {
                continue;
            }
            Optional<FunctionCode> fc = callerCode(f.pc());
            if (fc.isEmpty()) {
                continue;
            }
            List<Call> calls = callsBefore(fc.get());
            List<String> why = new ArrayList<>();
            // computed lock arguments: read from x86_64 code with the registers CFI recovered per ORC frame
            if (b.orc() != null && fc.get().arch().isX86() && calls.stream().anyMatch(c -> c.lock() == null && c.acquire())) {
                if (recovered == null) {
                    try {
                        recovered = s.debugInfo().registers(b.orc(), bt).registers();
                    } catch (RuntimeException e) {
                        recovered = List.of();
                    }
                }
                calls = computed(fc.get(), calls, fi < recovered.size() ? recovered.get(fi) : null, why);
            }
            int depth = 0;
            Call took = null;
            for (Call c : calls) {
                if (c.insn().address() == fc.get().last().address()) {
                    break; // the call the frame is in now: taking (waiting for) a lock is not holding it
                }
                if (c.lock() == null || c.lock() != lock) {
                    continue;
                }
                depth += c.acquire() ? 1 : -1;
                if (c.acquire()) {
                    took = c;
                }
            }
            if (depth <= 0 && fc.get().arch() == org.coroner.disasm.Arch.ARM64) {
                Optional<Held> inline = inlineHeld(fc.get(), f.pc(), lock, name);
                if (inline.isPresent()) {
                    return inline;
                }
            }
            if (depth > 0 && took != null) {
                String now = fc.get().at(fc.get().last());
                return Optional.of(new Held(took.at() + " called " + took.callee() + "(&" + name + ", " + Hex.format(lock) + ") and no unlock"
                        + " of it comes before the call at " + now + " where it is now",
                        "the code of " + fc.get().symbol() + " decoded from memory: its lock calls and their "
                                + fc.get().reg(RegisterEffect.firstArgument(fc.get().arch())) + ", traced to"
                                + (why.isEmpty() ? " constants" : " constants or registers (" + String.join("; ", why) + ")")
                                + ", between its first instruction and the return address " + Hex.format(f.pc())
                                + " (straight-line reading)"));
            }
        }
        return Optional.empty();
    }

    /**
     * arm64's inlined spin_lock (see {@link InlineLocks}): {@code lock} is held at the call the frame
     * is in now when every path from the function's entry there took it, and the call is not the wait
     * for it.
     */
    private Optional<Held> inlineHeld(FunctionCode cut, long returnAddress, long lock, String name) {
        FunctionCode whole = wholeFunction(cut);
        if (whole == null) {
            return Optional.empty();
        }
        List<Instruction> ins = whole.instructions();
        int target = -1;
        for (int i = 0; i < ins.size(); i++) {
            if (ins.get(i).address() == returnAddress - 4) {
                target = i;
            }
        }
        if (target < 0) {
            return Optional.empty();
        }
        // what each instruction does to which constant lock
        java.util.Map<Integer, Long> acquires = new java.util.HashMap<>();
        java.util.Map<Integer, Long> releases = new java.util.HashMap<>();
        java.util.Map<Integer, String> took = new java.util.HashMap<>();
        for (int i = 0; i < ins.size(); i++) {
            Instruction in = ins.get(i);
            String m = in.mnemonic();
            if (InlineLocks.ACQUIRE.contains(m) || InlineLocks.RELEASE.contains(m)) {
                String base = InlineLocks.base(in);
                Long addr = base == null ? null : new SourceTrace(whole, new ArrayList<>()).value(base, i, 0).constant();
                if (addr != null) {
                    (InlineLocks.ACQUIRE.contains(m) ? acquires : releases).put(i, addr);
                    took.put(i, whole.at(in) + " " + m);
                }
            } else if (RegisterEffect.isCall(whole.arch(), in) && in.hasTarget()) {
                String callee = callee(whole, in.target());
                boolean acq = callee != null && (ACQUIRE.contains(callee) || callee.equals("queued_spin_lock_slowpath"));
                boolean rel = callee != null && RELEASE.contains(callee);
                if (acq || rel) {
                    Long arg = new SourceTrace(whole, new ArrayList<>()).value("x0", i, 0).constant();
                    if (arg != null) {
                        (acq ? acquires : releases).put(i, arg);
                        took.put(i, whole.at(in) + " calls " + callee);
                    }
                }
            }
        }
        Long waited = acquires.get(target);
        if (waited != null && waited == lock) {
            return Optional.empty(); // the frame waits for it
        }
        Optional<java.util.Map<Long, String>> held = InlineLocks.heldAt(ins, target, acquires, releases, took);
        if (held.isEmpty() || !held.get().containsKey(lock)) {
            return Optional.empty();
        }
        String via = held.get().get(lock);
        String now = whole.at(ins.get(target));
        return Optional.of(new Held(via + " took &" + name + " (" + Hex.format(lock) + ") and every path from the entry of "
                + whole.symbol() + " to the call at " + now + " where it is now passes it with no release (stlrb) after",
                "the code of " + whole.symbol() + " decoded from memory, arm64's inlined spin_lock: its acquires (ldaxr, casa,"
                        + " queued_spin_lock_slowpath) and releases (stlrb) on lock addresses traced to constants, on every"
                        + " path from the entry to the return address " + Hex.format(returnAddress) + " (branches both ways)"));
    }

    /** The function the cut code is part of, decoded to its last instruction (the next symbol's start). */
    private FunctionCode wholeFunction(FunctionCode cut) {
        long limit = cut.start() + 16 * 1024;
        long end = cut.last().end();
        while (end < limit) {
            var n = bt.symbolizer().lookup(end);
            if (n.isEmpty() || n.get().symbolAddress() != cut.start()) {
                break;
            }
            end += 4;
        }
        return FunctionCode.read(s.kernel().memory(), cut.symbol(), cut.module(), cut.start(), end - 4, cut.dwarf(),
                cut.delta(), cut.arch()).orElse(null);
    }
}
