package org.coroner.analyze;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.coroner.disasm.Arch;
import org.coroner.disasm.Disassembler;
import org.coroner.disasm.Instruction;
import org.coroner.elf.ElfFile;
import org.coroner.elf.SymbolTable;
import org.coroner.io.Bytes;
import org.coroner.oops.report.DebugFiles;

/**
 * For a log: which locks a module function's code takes and releases before a call, read from the
 * module's .ko: the function decoded from its section, each {@code call} and {@code mov $imm,%rdi}
 * (arm64: {@code bl} and the {@code adrp}/{@code add} that make x0) named through the section's
 * relocations ({@code mutex_lock}, {@code mutex_b}). A hung task whose
 * trace shows that function calling a lock function waits for the lock it passed; the locks the
 * code took earlier, without an unlock in between, it holds.
 */
final class ModuleLockCalls {
    private static final int R_X86_64_64 = 1, R_X86_64_PC32 = 2, R_X86_64_PLT32 = 4, R_X86_64_32 = 10, R_X86_64_32S = 11;
    private final DebugFiles debug;

    ModuleLockCalls(DebugFiles debug) {
        this.debug = debug;
    }

    /** A deadlock cycle found from the log and the .ko. */
    record Cycle(String text, CodeLocation location) {
    }

    /** A task the log shows waiting (hung, or spinning on a CPU), with its Call Trace. */
    record Waiter(Context.TaskRef task, List<String> trace, String rip, Map<String, Long> regs) {
        Waiter(Context.TaskRef task, List<String> trace) {
            this(task, trace, null, Map.of());
        }

    }

    /** One task's locks from its trace: the one it waits for and the ones it holds. */
    record TaskLocks(Waiter task, String site, String waitsFor, String waitCall, boolean spin, List<String> holds,
                     List<String> holdCalls) {
    }

    /** Waits on an object nobody owns: named like a lock wait, never a hold or a release. */
    static final java.util.Set<String> WAITS = java.util.Set.of("wait_for_completion", "wait_for_completion_timeout",
            "wait_for_completion_interruptible", "wait_for_completion_killable", "wait_for_completion_io",
            "wait_for_completion_io_timeout", "wait_for_completion_interruptible_timeout",
            "wait_for_completion_killable_timeout");

    /** True when a cycle was found and it is of spinlocks. */
    boolean spin;
    /** The waiters' locks that the last {@link #cycle} read. */
    private List<TaskLocks> lastTasks = List.of();

    private static final java.util.regex.Pattern TASK_DUMP = java.util.regex.Pattern.compile(
            "task:(\\S+)\\s+state:(\\S+)\\s.*?\\spid:(\\d+)");

    /**
     * Who holds a lock a waiter of the last {@link #cycle} waits for, from the log's dump of every task
     * (panic_print's {@code task:NAME state:S ... pid:P} and its Call Trace): a task whose module frame's
     * code took the lock and released it not before the call it is in now. Adds the evidence; returns
     * {@code WAITER waits for LOCK, held by HOLDER (state S) in FRAME} for the summary and where the holder is.
     */
    record LogHolder(String text, CodeLocation at) {
    }

    Optional<LogHolder> holder(KernelLog log, Finding f) {
        List<String> lines = log.lines();
        for (TaskLocks w : lastTasks) {
            if (w.waitsFor().equals("?")) {
                continue;
            }
            for (int i = 0; i < lines.size(); i++) {
                java.util.regex.Matcher m = TASK_DUMP.matcher(lines.get(i));
                if (!m.find() || Integer.parseInt(m.group(3)) == w.task().task().pid()) {
                    continue;
                }
                Waiter other = new Waiter(new Context.TaskRef(Integer.parseInt(m.group(3)), m.group(1), null, null, m.group(2)),
                        LogTraces.trace(lines, i));
                Optional<String[]> held = holds(other, w.waitsFor());
                if (held.isPresent()) {
                    String who = m.group(1) + " (pid " + m.group(3) + ")";
                    f.add("code", who + ", state " + m.group(2) + " in the log's task dump, holds " + w.waitsFor() + ": "
                            + held.get()[1] + ".", "its Call Trace in the log (panic_print) and the module's code with its"
                            + " relocations");
                    return Optional.of(new LogHolder(w.task().task().text() + " waits for " + w.waitsFor() + ", held by " + who
                            + " (state " + m.group(2) + ") in " + held.get()[0], siteLocation(held.get()[0])));
                }
            }
        }
        return Optional.empty();
    }

    /** Whether the trace's first module frame took {@code lock} and has not released it: [frame, why]. */
    private Optional<String[]> holds(Waiter b, String lock) {
        for (String frame : b.trace()) {
            String mod = LogTraces.module(frame);
            if (mod == null || LogTraces.isScheduler(frame)) {
                continue;
            }
            Optional<java.nio.file.Path> ko = debug.moduleFile(mod);
            if (ko.isEmpty()) {
                return Optional.empty();
            }
            try (ElfFile elf = ElfFile.open(ko.get())) {
                Optional<List<Call>> calls = calls(elf, LogTraces.function(frame), LogTraces.offset(frame));
                if (calls.isEmpty()) {
                    return Optional.empty();
                }
                int depth = 0;
                Call took = null;
                for (Call c : calls.get()) {
                    if (c.atReturn() || !lock.equals(c.lock()) || WAITS.contains(c.callee())) {
                        continue;
                    }
                    depth += LockCalls.ACQUIRE.contains(c.callee()) ? 1 : -1;
                    took = LockCalls.ACQUIRE.contains(c.callee()) ? c : took;
                }
                if (depth > 0 && took != null) {
                    return Optional.of(new String[] {frame, took.at() + " called " + took.callee() + "(&" + lock + ") and no"
                            + " unlock of it comes before " + frame + ", where it is now"});
                }
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    Optional<Cycle> cycle(List<Waiter> waiters, Finding f) {
        List<TaskLocks> all = new ArrayList<>();
        for (Waiter w : waiters) {
            if (all.stream().noneMatch(t -> t.task().task().pid().equals(w.task().pid()))) {
                locks(w, w.trace()).ifPresent(all::add);
            }
        }
        List<Context.Edge> edges = new ArrayList<>();
        for (TaskLocks t : all) {
            String node = t.task().task().comm() + " (pid " + t.task().task().pid() + ")";
            edges.add(new Context.Edge(node, "waits-for", t.waitsFor(), node + " waits in " + t.site() + " for " + t.waitsFor()
                    + ".", t.waitCall(), "code"));
            for (int i = 0; i < t.holds().size(); i++) {
                edges.add(new Context.Edge(t.holds().get(i), "held-by", node, node + " holds " + t.holds().get(i) + ".",
                        t.holdCalls().get(i), "code"));
            }
        }
        lastTasks = List.copyOf(all);
        List<Context.Edge> cycle = Locks.cycle(edges);
        if (cycle.isEmpty()) {
            for (TaskLocks t : all) {
                f.add("code", t.task().task().text() + " waits for " + (t.waitsFor().equals("?")
                        ? "a lock whose address its code computes at run time (a log does not show it)" : t.waitsFor()) + ".", t.waitCall());
            }
            return Optional.empty();
        }
        List<String> parts = new ArrayList<>();
        for (Context.Edge e : cycle) {
            f.evidence.add(e.asEvidence());
            if (e.relation().equals("waits-for")) {
                String held = cycle.stream().filter(x -> x.relation().equals("held-by") && x.to().equals(e.from()))
                        .map(Context.Edge::from).findFirst().orElse("?");
                parts.add(e.from() + " holds " + held + " and waits for " + e.to());
            }
        }
        TaskLocks first = all.get(0);
        spin = all.stream().anyMatch(TaskLocks::spin);
        return Optional.of(new Cycle(String.join("; ", parts), siteLocation(first.site())));
    }

    CodeLocation siteLocation(String frame) {
        String mod = LogTraces.module(frame);
        String fn = LogTraces.function(frame);
        long off = LogTraces.offset(frame);
        if (mod == null || off < 0) {
            return new CodeLocation(fn, frame, null, null, mod, null);
        }
        var sym = debug.module(mod);
        if (sym.isEmpty()) {
            return new CodeLocation(fn, frame, null, null, mod, null);
        }
        var r = sym.get().resolve(fn, off - 1, 0);
        if (r.location() == null) {
            return new CodeLocation(fn, frame, null, null, mod, null);
        }
        var in = r.location().frames().stream().filter(x -> !x.file().endsWith(".h")).findFirst().orElse(r.location().innermost());
        return new CodeLocation(in.function(), frame, in.file(), in.line(), mod, null);
    }

    /** The first module frame of the trace: its lock calls up to the call it is in. */
    private Optional<TaskLocks> locks(Waiter b, List<String> trace) {
        for (String frame : trace) {
            String mod = LogTraces.module(frame);
            if (mod == null || LogTraces.isScheduler(frame) || LogTraces.function(frame).startsWith("_raw_")) {
                continue;
            }
            Optional<java.nio.file.Path> ko = debug.moduleFile(mod);
            if (ko.isEmpty()) {
                return Optional.empty();
            }
            try (ElfFile elf = ElfFile.open(ko.get())) {
                Optional<Long> waited = spinningOn(b);
                Optional<List<Call>> found = calls(elf, LogTraces.function(frame), LogTraces.offset(frame));
                if (waited.isPresent() && found.isPresent() && !found.get().isEmpty()
                        && found.get().get(found.get().size() - 1).lock() == null) {
                    found = computedCalls(elf, LogTraces.function(frame), LogTraces.offset(frame), found.get(), waited.get());
                }
                String how = found.isPresent() && waited.isPresent() && found.get().stream().anyMatch(c -> c.lock() != null
                        && c.lock().startsWith("0x")) ? "'s code (lock arguments read as one entry register plus constants), the"
                        + " waited-for lock from the slow path's 'lock' (DWARF) in the registers the log printed for "
                        + LogTraces.function(b.rip()) : "'s code with its relocations";
                return found.flatMap(calls -> {
                    if (calls.isEmpty() || !calls.get(calls.size() - 1).atReturn()) {
                        return Optional.empty();
                    }
                    Call wait = calls.get(calls.size() - 1);
                    Map<String, Integer> depth = new HashMap<>();
                    Map<String, Call> took = new HashMap<>();
                    for (Call c : calls.subList(0, calls.size() - 1)) {
                        if (c.lock() == null || WAITS.contains(c.callee())) {
                            continue;
                        }
                        depth.merge(c.lock(), isAcquire(c.callee()) ? 1 : -1, Integer::sum);
                        if (isAcquire(c.callee())) {
                            took.put(c.lock(), c);
                        }
                    }
                    List<String> holds = new ArrayList<>();
                    List<String> why = new ArrayList<>();
                    Optional<InlineResult> inline = inlineOps(elf, LogTraces.function(frame))
                            ? arm64Inline(elf, LogTraces.function(frame), LogTraces.offset(frame)) : Optional.empty();
                    String waitLock = wait.lock() != null ? wait.lock() : inline.map(InlineResult::waited).orElse(null);
                    if (inline.isPresent()) {
                        // arm64's inlined spin_lock: what every path to the call holds, not the straight reading
                        depth.clear();
                        inline.get().held().forEach((lock, via) -> {
                            holds.add(lock);
                            why.add(via + " took &" + lock + " on every path from the entry of " + LogTraces.function(frame)
                                    + " to " + wait.at() + ", with no release (stlrb) after: " + ko.get().getFileName()
                                    + "'s code with its relocations, arm64's inlined spin_lock");
                        });
                    }
                    for (var e : depth.entrySet()) {
                        if (e.getValue() > 0) {
                            holds.add(e.getKey());
                            Call c = took.get(e.getKey());
                            why.add(c.at() + " called " + c.callee() + "(&" + c.lock() + ") and no unlock of it comes before "
                                    + wait.at() + ": " + ko.get().getFileName() + how);
                        }
                    }
                    return Optional.of(new TaskLocks(b, frame, waitLock == null ? "?" : waitLock,
                            wait.at() + " calls " + wait.callee() + "(" + (waitLock == null ? "a computed address" : "&" + waitLock)
                                    + "), the frame the trace shows it in: "
                                    + ko.get().getFileName() + how,
                            wait.callee().startsWith("_raw_") || wait.callee().equals("queued_spin_lock_slowpath"),
                            holds, why));
                });
            }
        }
        return Optional.empty();
    }

    /**
     * The spinlock a CPU the log shows in a spinlock slow path spins on: the slow path's {@code lock}
     * parameter, in the register DWARF gives at the RIP the log printed, read from the log's registers.
     */
    private Optional<Long> spinningOn(Waiter b) {
        if (b.rip() == null || b.regs().isEmpty() || debug.vmlinuxSymbolizer() == null) {
            return Optional.empty();
        }
        String fn = LogTraces.function(b.rip());
        long off = LogTraces.offset(b.rip());
        if (!fn.contains("_lock_slowpath") || off < 0) {
            return Optional.empty();
        }
        var sym = debug.vmlinuxSymbolizer();
        var r = sym.resolve(fn, off, 0);
        if (r.mismatch() != null || r.address() == -1) { // -1: not resolved (a kernel address is negative)
            return Optional.empty();
        }
        for (var v : org.coroner.dwarf.loc.Variables.at(sym, r.address())) {
            String reg = RegisterSymbols.dwarfName(v.register());
            if (v.name().equals("lock") && reg != null && b.regs().containsKey(reg)) {
                return Optional.of(b.regs().get(reg));
            }
        }
        return Optional.empty();
    }

    /**
     * Lock calls with a computed argument, made concrete from the lock the frame waits for now: each
     * argument read over the straight-line code ({@link RegisterSymbols}); one that derives from the
     * same entry register as the waited-for one is that lock plus the difference of their constants.
     */
    private static Optional<List<Call>> computedCalls(ElfFile elf, String function, long returnOffset, List<Call> calls,
                                                      long waited) {
        Optional<SymbolTable.Symbol> sym = elf.symbols().byName(function);
        if (sym.isEmpty()) {
            return Optional.of(calls);
        }
        ElfFile.Section text = elf.section(sym.get().shndx());
        long start = sym.get().value();
        Bytes data = elf.data(text);
        int len = (int) Math.min(returnOffset + 16, data.size() - start);
        List<Instruction> ins = Disassembler.of(Arch.X86_64).disassemble(data.bytes(start, len), start, 0);
        int upTo = 0;
        while (upTo < ins.size() && ins.get(upTo).end() <= start + returnOffset) {
            upTo++;
        }
        Map<Long, RegisterSymbols.Sym> arg = RegisterSymbols.read(ins, upTo).firstArgument();
        RegisterSymbols.Sym now = arg.get(ins.get(upTo - 1).address());
        if (now == null || now.base() == null) {
            return Optional.of(calls);
        }
        List<Call> out = new ArrayList<>();
        for (Call c : calls) {
            long at = start + Long.parseLong(c.at().substring(c.at().lastIndexOf("+0x") + 3), 16);
            RegisterSymbols.Sym a = arg.get(at);
            if (c.lock() == null && a != null && now.base().equals(a.base())) {
                out.add(new Call(c.at(), c.callee(), "0x" + Long.toHexString(waited - now.disp() + a.disp()), c.atReturn()));
            } else {
                out.add(c);
            }
        }
        return Optional.of(out);
    }

    /** A lock call in a .ko function, its lock argument named by the relocation of {@code mov $imm,%rdi}. */
    record Call(String at, String callee, String lock, boolean atReturn) {
    }

    /** Lock calls of {@code function} up to the call returning to {@code returnOffset}. */
    static Optional<List<Call>> calls(ElfFile elf, String function, long returnOffset) {
        Optional<SymbolTable.Symbol> sym = elf.symbols().byName(function);
        if (sym.isEmpty() || sym.get().shndx() <= 0 || sym.get().shndx() >= elf.sections().size()) {
            return Optional.empty();
        }
        ElfFile.Section text = elf.section(sym.get().shndx());
        long start = sym.get().value();
        Bytes data = elf.data(text);
        int len = (int) Math.min(returnOffset + 16, data.size() - start);
        if (len <= 0) {
            return Optional.empty();
        }
        if (elf.machine() == ElfFile.EM_AARCH64) {
            return Optional.of(arm64Calls(elf, text, function, start, Disassembler.of(Arch.ARM64)
                    .disassemble(data.bytes(start, len), start, 0), returnOffset));
        }
        Map<Long, String> relocs = relocations(elf, text);
        List<Instruction> ins = Disassembler.of(Arch.X86_64).disassemble(data.bytes(start, len), start, 0);
        List<Call> out = new ArrayList<>();
        String rdi = null;
        for (Instruction in : ins) {
            if (in.address() >= start + returnOffset) {
                break;
            }
            String named = null;
            for (long a = in.address(); a < in.end(); a++) {
                if (relocs.containsKey(a)) {
                    named = relocs.get(a);
                }
            }
            String ops = in.operands();
            if (in.mnemonic().startsWith("mov") && (ops.endsWith(",%rdi") || ops.endsWith(",%edi"))) {
                rdi = ops.startsWith("$") && named != null ? named : null;
            }
            if (in.mnemonic().startsWith("call") && named != null) {
                if (LockCalls.ACQUIRE.contains(named) || LockCalls.RELEASE.contains(named) || WAITS.contains(named)) {
                    out.add(new Call(function + "+0x" + Long.toHexString(in.address() - start), named, rdi,
                            in.end() == start + returnOffset));
                }
                rdi = null; // a call clobbers %rdi
            }
        }
        return Optional.of(out);
    }

    private static final int R_AARCH64_ADR_PREL_PG_HI21 = 275, R_AARCH64_ADD_ABS_LO12_NC = 277,
            R_AARCH64_JUMP26 = 282, R_AARCH64_CALL26 = 283;

    /** An address the code computes from a relocation: symbol (or section) {@code target} plus {@code offset}. */
    private record Place(SymbolTable.Symbol target, long offset) {
        Place plus(long d) {
            return new Place(target, offset + d);
        }
    }

    /**
     * arm64: {@code bl} named by its CALL26 relocation; the lock argument in x0 followed through
     * {@code adrp}/{@code add :lo12:} pairs (ADR_PREL_PG_HI21 and ADD_ABS_LO12_NC name the same place),
     * {@code add} of constants and register moves, each register forgotten when anything else writes it.
     */
    private static List<Call> arm64Calls(ElfFile elf, ElfFile.Section text, String function, long start, List<Instruction> ins,
                                         long returnOffset) {
        Map<Long, long[]> relocs = relocationsAt(elf, text);
        Map<String, Place> regs = new HashMap<>();
        List<Call> out = new ArrayList<>();
        for (Instruction in : ins) {
            if (in.address() >= start + returnOffset) {
                break;
            }
            String callee = callee(elf, relocs, in);
            if (callee != null && (isAcquire(callee) || LockCalls.RELEASE.contains(callee))) {
                out.add(new Call(function + "+0x" + Long.toHexString(in.address() - start), callee,
                        regs.containsKey("x0") ? name(elf, regs.get("x0")) : null, in.end() == start + returnOffset));
            }
            transfer(elf, relocs, in, regs);
        }
        return out;
    }

    /** The section's RELA entries by offset: {type, symbol index, addend}. */
    private static Map<Long, long[]> relocationsAt(ElfFile elf, ElfFile.Section text) {
        Map<Long, long[]> relocs = new HashMap<>();
        for (ElfFile.Section s : elf.sections()) {
            if (s.type() != ElfFile.SHT_RELA || !s.name().equals(".rela" + text.name())) {
                continue;
            }
            Bytes b = elf.data(s);
            for (long o = 0; o + 24 <= b.size(); o += 24) {
                long info = b.u64(o + 8);
                relocs.put(b.u64(o), new long[] {(int) info, info >>> 32, b.u64(o + 16)});
            }
        }
        return relocs;
    }

    /** The function a {@code bl} calls, by its CALL26/JUMP26 relocation; null for anything else. */
    private static String callee(ElfFile elf, Map<Long, long[]> relocs, Instruction in) {
        long[] r = relocs.get(in.address());
        return in.mnemonic().equals("bl") && r != null && (r[0] == R_AARCH64_CALL26 || r[0] == R_AARCH64_JUMP26)
                ? elf.symbols().get((int) r[1]).name() : null;
    }

    /** What {@code in} does to the places the registers hold (relocated adrp/add, add of constants, moves). */
    private static void transfer(ElfFile elf, Map<Long, long[]> relocs, Instruction in, Map<String, Place> regs) {
        long[] r = relocs.get(in.address());
        List<String> ops = org.coroner.disasm.RegisterEffect.operands(Arch.ARM64, in);
        String m = in.mnemonic();
        Place value = null;
        String dst = ops.isEmpty() ? null : org.coroner.disasm.RegisterEffect.wide(Arch.ARM64, ops.get(0));
        if (r != null && (r[0] == R_AARCH64_ADR_PREL_PG_HI21 || r[0] == R_AARCH64_ADD_ABS_LO12_NC)) {
            value = new Place(elf.symbols().get((int) r[1]), r[2]);
        } else if (m.equals("add") && ops.size() == 3 && ops.get(2).startsWith("#")
                && regs.containsKey(org.coroner.disasm.RegisterEffect.wide(Arch.ARM64, ops.get(1)))) {
            value = regs.get(org.coroner.disasm.RegisterEffect.wide(Arch.ARM64, ops.get(1)))
                    .plus(org.coroner.disasm.RegisterEffect.parseImm(ops.get(2).substring(1)));
        } else if (m.equals("mov") && ops.size() == 2) {
            value = regs.get(org.coroner.disasm.RegisterEffect.wide(Arch.ARM64, ops.get(1)));
        }
        for (String reg : List.copyOf(regs.keySet())) {
            if (org.coroner.disasm.RegisterEffect.writes(Arch.ARM64, in, reg)) {
                regs.remove(reg);
            }
        }
        if (value != null && dst != null) {
            regs.put(dst, value);
        }
    }

    /** A lock function, or arm64's spinlock slow path, which returns with the lock taken. */
    static boolean isAcquire(String callee) {
        return LockCalls.ACQUIRE.contains(callee) || callee.equals("queued_spin_lock_slowpath");
    }

    /** The lock the call at the return offset waits for (null: not known) and the locks held there. */
    record InlineResult(String waited, Map<String, String> held) {
    }

    /** Whether the code takes or releases a lock inline (ldaxr, casa, stlrb on a named place): arm64's spin_lock. */
    private static boolean inlineOps(ElfFile elf, String function) {
        Optional<SymbolTable.Symbol> sym = elf.symbols().byName(function);
        if (elf.machine() != ElfFile.EM_AARCH64 || sym.isEmpty() || sym.get().shndx() <= 0
                || sym.get().shndx() >= elf.sections().size()) {
            return false;
        }
        Bytes data = elf.data(elf.section(sym.get().shndx()));
        int len = (int) Math.min(sym.get().size(), data.size() - sym.get().value());
        return len > 0 && Disassembler.of(Arch.ARM64).disassemble(data.bytes(sym.get().value(), len), sym.get().value(), 0)
                .stream().anyMatch(in -> InlineLocks.ACQUIRE.contains(in.mnemonic()) || InlineLocks.RELEASE.contains(in.mnemonic()));
    }

    /**
     * arm64, from the .ko: the registers' places and the locks held followed together along every
     * path from the function's entry (the code is laid out out of order, so the straight reading
     * loses a base register to an epilogue's restore); at the call returning to {@code returnOffset},
     * the lock it waits for and the locks every path holds.
     */
    static Optional<InlineResult> arm64Inline(ElfFile elf, String function, long returnOffset) {
        Optional<SymbolTable.Symbol> sym = elf.symbols().byName(function);
        if (elf.machine() != ElfFile.EM_AARCH64 || sym.isEmpty() || sym.get().shndx() <= 0
                || sym.get().shndx() >= elf.sections().size() || sym.get().size() <= 0) {
            return Optional.empty();
        }
        ElfFile.Section text = elf.section(sym.get().shndx());
        long start = sym.get().value();
        Bytes data = elf.data(text);
        int len = (int) Math.min(sym.get().size(), data.size() - start);
        if (len <= 0) {
            return Optional.empty();
        }
        List<Instruction> ins = Disassembler.of(Arch.ARM64).disassemble(data.bytes(start, len), start, 0);
        Map<Long, long[]> relocs = relocationsAt(elf, text);
        Map<Long, Integer> index = new HashMap<>();
        int target = -1;
        for (int i = 0; i < ins.size(); i++) {
            index.put(ins.get(i).address(), i);
            if (ins.get(i).end() == start + returnOffset) {
                target = i;
            }
        }
        if (target < 0) {
            return Optional.empty();
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.ArrayDeque<Object[]> work = new java.util.ArrayDeque<>();
        work.push(new Object[] {0, Map.<String, Place>of(), Map.<String, String>of()});
        Map<String, String> common = null;
        String waited = null;
        while (!work.isEmpty()) {
            if (seen.size() > 20_000) {
                return Optional.empty();
            }
            Object[] st = work.pop();
            int i = (Integer) st[0];
            @SuppressWarnings("unchecked")
            Map<String, Place> regs = (Map<String, Place>) st[1];
            @SuppressWarnings("unchecked")
            Map<String, String> held = (Map<String, String>) st[2];
            if (i < 0 || i >= ins.size() || !seen.add(i + " " + regs + " " + held.keySet())) {
                continue;
            }
            Instruction in = ins.get(i);
            String m = in.mnemonic();
            String at = function + "+0x" + Long.toHexString(in.address() - start);
            String callee = callee(elf, relocs, in);
            if (i == target) {
                if (callee != null && isAcquire(callee) && regs.containsKey("x0")) {
                    waited = name(elf, regs.get("x0"));
                }
                if (common == null) {
                    common = new HashMap<>(held);
                } else {
                    common.keySet().retainAll(held.keySet());
                }
                continue;
            }
            Place p = null;
            boolean acquire = false;
            String how = null;
            if (InlineLocks.ACQUIRE.contains(m) || InlineLocks.RELEASE.contains(m)) {
                String base = InlineLocks.base(in);
                p = base == null ? null : regs.get(org.coroner.disasm.RegisterEffect.wide(Arch.ARM64, base));
                acquire = InlineLocks.ACQUIRE.contains(m);
                how = at + " " + m;
            } else if (callee != null && (isAcquire(callee) || LockCalls.RELEASE.contains(callee))) {
                p = regs.get("x0");
                acquire = isAcquire(callee);
                how = at + " calls " + callee;
            }
            Map<String, String> nextHeld = held;
            if (p != null) {
                String lock = name(elf, p);
                if (acquire && !held.containsKey(lock)) {
                    nextHeld = new HashMap<>(held);
                    nextHeld.put(lock, how);
                } else if (!acquire && held.containsKey(lock)) {
                    nextHeld = new HashMap<>(held);
                    nextHeld.remove(lock);
                }
            }
            Map<String, Place> nextRegs = new java.util.TreeMap<>(regs);
            transfer(elf, relocs, in, nextRegs);
            for (int n : InlineLocks.successors(ins, index, i)) {
                work.push(new Object[] {n, nextRegs, nextHeld});
            }
        }
        if (common == null) {
            return Optional.empty();
        }
        if (waited != null) {
            common.remove(waited);
        }
        return Optional.of(new InlineResult(waited, common));
    }

    /** {@code mutex_a}, {@code .data+0x40}: a place named by the symbol there. */
    private static String name(ElfFile elf, Place p) {
        SymbolTable.Symbol t = p.target();
        if (t.type() == SymbolTable.STT_SECTION || t.name().isEmpty()) {
            return dataSymbol(elf, t.shndx(), p.offset()).orElse(elf.section(t.shndx()).name() + "+0x" + Long.toHexString(p.offset()));
        }
        return p.offset() == 0 ? t.name() : t.name() + "+0x" + Long.toHexString(p.offset());
    }

    /** Relocation offset in the section → the name it refers to ({@code symbol} or {@code symbol+0x8}). */
    private static Map<Long, String> relocations(ElfFile elf, ElfFile.Section text) {
        Map<Long, String> out = new HashMap<>();
        ElfFile.Section symtab = null;
        for (ElfFile.Section s : elf.sections()) {
            if (s.type() == ElfFile.SHT_SYMTAB) {
                symtab = s;
            }
        }
        for (ElfFile.Section s : elf.sections()) {
            if (s.type() != ElfFile.SHT_RELA || !s.name().equals(".rela" + text.name())) {
                continue;
            }
            Bytes b = elf.data(s);
            for (long o = 0; o + 24 <= b.size(); o += 24) {
                long off = b.u64(o);
                long info = b.u64(o + 8);
                long addend = b.u64(o + 16);
                int type = (int) info;
                int si = (int) (info >>> 32);
                if (type != R_X86_64_64 && type != R_X86_64_PC32 && type != R_X86_64_PLT32 && type != R_X86_64_32
                        && type != R_X86_64_32S) {
                    continue;
                }
                SymbolTable.Symbol target = elf.symbols().get(si);
                String name = target.name();
                long value = type == R_X86_64_PC32 || type == R_X86_64_PLT32 ? addend + 4 : addend;
                if (target.type() == SymbolTable.STT_SECTION || name.isEmpty()) {
                    name = dataSymbol(elf, target.shndx(), value).orElse(elf.section(target.shndx()).name() + "+0x"
                            + Long.toHexString(value));
                } else if (value != 0) {
                    name = name + "+0x" + Long.toHexString(value);
                }
                out.put(off, name);
            }
        }
        return out;
    }

    private static Optional<String> dataSymbol(ElfFile elf, int shndx, long value) {
        SymbolTable st = elf.symbols();
        for (int i = 0; i < st.count(); i++) {
            // not the arm64 mapping symbols ($d, $x) that mark data and code
            if (st.shndx(i) == shndx && st.value(i) == value && st.type(i) != SymbolTable.STT_SECTION && !st.name(i).isEmpty()
                    && !st.name(i).startsWith("$")) {
                return Optional.of(st.name(i));
            }
        }
        return Optional.empty();
    }
}
