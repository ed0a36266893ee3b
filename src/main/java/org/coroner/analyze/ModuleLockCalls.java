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
    record Waiter(Context.TaskRef task, List<String> trace) {
    }

    /** One task's locks from its trace: the one it waits for and the ones it holds. */
    record TaskLocks(Waiter task, String site, String waitsFor, String waitCall, boolean spin, List<String> holds,
                     List<String> holdCalls) {
    }

    /** True when a cycle was found and it is of spinlocks. */
    boolean spin;

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
        List<Context.Edge> cycle = Locks.cycle(edges);
        if (cycle.isEmpty()) {
            for (TaskLocks t : all) {
                f.add("code", t.task().task().text() + " waits for " + t.waitsFor(), t.waitCall());
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

    private CodeLocation siteLocation(String frame) {
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
                return calls(elf, LogTraces.function(frame), LogTraces.offset(frame)).flatMap(calls -> {
                    if (calls.isEmpty() || !calls.get(calls.size() - 1).atReturn()) {
                        return Optional.empty();
                    }
                    Call wait = calls.get(calls.size() - 1);
                    Map<String, Integer> depth = new HashMap<>();
                    Map<String, Call> took = new HashMap<>();
                    for (Call c : calls.subList(0, calls.size() - 1)) {
                        if (c.lock() == null) {
                            continue;
                        }
                        depth.merge(c.lock(), LockCalls.ACQUIRE.contains(c.callee()) ? 1 : -1, Integer::sum);
                        if (LockCalls.ACQUIRE.contains(c.callee())) {
                            took.put(c.lock(), c);
                        }
                    }
                    List<String> holds = new ArrayList<>();
                    List<String> why = new ArrayList<>();
                    for (var e : depth.entrySet()) {
                        if (e.getValue() > 0) {
                            holds.add(e.getKey());
                            Call c = took.get(e.getKey());
                            why.add(c.at() + " called " + c.callee() + "(&" + c.lock() + ") and no unlock of it comes before "
                                    + wait.at() + ": " + ko.get().getFileName() + "'s code with its relocations");
                        }
                    }
                    return Optional.of(new TaskLocks(b, frame, wait.lock() == null ? "?" : wait.lock(),
                            wait.at() + " calls " + wait.callee() + "(&" + wait.lock() + "), the frame the trace shows it in: "
                                    + ko.get().getFileName() + "'s code with its relocations", wait.callee().startsWith("_raw_"),
                            holds, why));
                });
            }
        }
        return Optional.empty();
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
                if (LockCalls.ACQUIRE.contains(named) || LockCalls.RELEASE.contains(named)) {
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
        Map<Long, long[]> relocs = new HashMap<>(); // offset -> {type, symbol index, addend}
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
        Map<String, Place> regs = new HashMap<>();
        List<Call> out = new ArrayList<>();
        for (Instruction in : ins) {
            if (in.address() >= start + returnOffset) {
                break;
            }
            long[] r = relocs.get(in.address());
            List<String> ops = org.coroner.disasm.RegisterEffect.operands(Arch.ARM64, in);
            String m = in.mnemonic();
            if (m.equals("bl")) {
                String callee = r != null && (r[0] == R_AARCH64_CALL26 || r[0] == R_AARCH64_JUMP26)
                        ? elf.symbols().get((int) r[1]).name() : null;
                if (callee != null && (LockCalls.ACQUIRE.contains(callee) || LockCalls.RELEASE.contains(callee))) {
                    out.add(new Call(function + "+0x" + Long.toHexString(in.address() - start), callee,
                            regs.containsKey("x0") ? name(elf, regs.get("x0")) : null, in.end() == start + returnOffset));
                }
            }
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
        return out;
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
