package org.coroner.session;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.coroner.arch.x86_64.X86_64DwarfRegisters;
import org.coroner.dwarf.DwarfFile;
import org.coroner.dwarf.cfi.CallFrameInfo;
import org.coroner.dwarf.cfi.CfiRow;
import org.coroner.dwarf.cfi.RegisterRecovery;
import org.coroner.dwarf.loc.FrameVariables;
import org.coroner.dwarf.Symbolizer;
import org.coroner.elf.ElfFile;
import org.coroner.io.BadInputException;
import org.coroner.kernel.Kernel;
import org.coroner.kernel.stack.Backtracer;
import org.coroner.kernel.stack.KernelModules;
import org.coroner.kernel.stack.LoadedModule;
import org.coroner.kernel.stack.SourceLines;
import org.coroner.kernel.stack.X86_64FrameInputs;

/**
 * Source locations of run-time code addresses in the dump: vmlinux addresses through the KASLR
 * offset, module addresses through the section the module loaded them into and the module's
 * {@code .ko} (found in {@code --modules}). Each file's DWARF is opened on first use.
 */
public final class DebugInfo implements SourceLines {
    private final Kernel kernel;
    private final KernelModules modules;
    private final ModuleFiles files;
    private volatile Symbolizer vmlinux;
    private final Map<String, ModuleDebug> moduleDebug = new ConcurrentHashMap<>();
    private final Map<DwarfFile, CallFrameInfo> frames = new ConcurrentHashMap<>();

    /** A module's debug information from {@code file} (null symbolizer: none usable). */
    private record ModuleDebug(Optional<Path> file, Symbolizer symbolizer, Map<String, Long> sections) {
    }

    public DebugInfo(Kernel kernel, KernelModules modules, ModuleFiles files) {
        this.kernel = kernel;
        this.modules = modules;
        this.files = files;
    }

    /** A run-time code address in a file's own address space, with that file's symbolizer. */
    public record FileAddress(Symbolizer symbolizer, long address) {
    }

    /** Where a run-time code address is in vmlinux or in its module's .ko. */
    public Optional<FileAddress> fileAddress(long address) {
        Optional<LoadedModule> m = modules.containing(address);
        if (m.isPresent()) {
            return module(m.get()).flatMap(md -> {
                String best = null;
                long bestBase = 0;
                for (var e : md.sections().entrySet()) {
                    long b = e.getValue();
                    if (Long.compareUnsigned(b, address) <= 0 && (best == null || Long.compareUnsigned(b, bestBase) > 0)
                            && md.symbolizer().dwarf().sectionBase(e.getKey()).isPresent()) {
                        best = e.getKey();
                        bestBase = b;
                    }
                }
                if (best == null) {
                    return Optional.empty();
                }
                long fileAddress = md.symbolizer().dwarf().sectionBase(best).getAsLong() + (address - bestBase);
                return Optional.of(new FileAddress(md.symbolizer(), fileAddress));
            });
        }
        Symbolizer v = vmlinux();
        return v == null ? Optional.empty() : Optional.of(new FileAddress(v, address - kernel.kaslrOffset()));
    }

    /**
     * The symbol of the module's .ko that holds a run-time address of the module's memory, with the
     * offset into it: {@code mutex_a}. For data, which the kernel's module kallsyms lists only with
     * CONFIG_KALLSYMS_ALL (Debian's arm64 kernel has it off); empty without the .ko.
     */
    public Optional<String> moduleSymbol(long address) {
        Optional<LoadedModule> m = modules.containing(address);
        if (m.isEmpty()) {
            return Optional.empty();
        }
        return module(m.get()).flatMap(md -> {
            ElfFile elf = md.symbolizer().dwarf().elf();
            for (var e : md.sections().entrySet()) {
                var sec = elf.section(e.getKey());
                long off = address - e.getValue();
                if (sec.isEmpty() || (sec.get().flags() & 2) == 0 || off < 0 || off >= sec.get().size()) {
                    continue; // SHF_ALLOC sections only
                }
                var st = elf.symbols();
                int best = -1;
                for (int i = 0; i < st.count(); i++) {
                    if (st.shndx(i) != sec.get().index() || st.type(i) == org.coroner.elf.SymbolTable.STT_SECTION
                            || st.type(i) == org.coroner.elf.SymbolTable.STT_FILE || st.name(i).isEmpty()
                            || st.name(i).startsWith("$") || Long.compareUnsigned(st.value(i), off) > 0) {
                        continue;
                    }
                    if (best < 0 || Long.compareUnsigned(st.value(i), st.value(best)) > 0) {
                        best = i;
                    }
                }
                if (best >= 0 && (st.size(best) == 0 || off < st.value(best) + st.size(best))) {
                    long d = off - st.value(best);
                    return Optional.of(st.name(best) + (d == 0 ? "" : "+0x" + Long.toHexString(d)));
                }
            }
            return Optional.empty();
        });
    }

    /** Function, file:line and inlined callers of a run-time address, innermost first. */
    public Optional<Symbolizer.Location> locate(long address) {
        return fileAddress(address).flatMap(fa -> fa.symbolizer().locate(fa.address()));
    }

    /** One frame's parameters and locals ({@code bt -v}); {@code none} says why there are none. */
    public record FrameVariablesOf(int frame, java.util.List<FrameVariables.Value> values, String none) {
        /** The lines {@code bt -v} prints under the frame. */
        public java.util.List<String> lines() {
            if (values.isEmpty()) {
                return java.util.List.of("(" + none + ")");
            }
            java.util.List<String> out = new java.util.ArrayList<>();
            String scope = null;
            for (FrameVariables.Value v : values) {
                if (v.inlined() && !v.scope().equals(scope)) {
                    out.add("inlined " + v.scope() + "():");
                }
                scope = v.inlined() ? v.scope() : null;
                out.add((v.inlined() ? "  " : "") + v.render());
            }
            return out;
        }
    }

    /**
     * {@code bt -v}: every frame's parameters and locals with their values, where they live and, when
     * a value is not known, why. Registers of outer frames come from CFI ({@code .debug_frame} of
     * vmlinux and of the modules' .ko), entry values from the callers' call sites.
     */
    public java.util.List<FrameVariablesOf> variables(Backtracer.Backtrace b, Backtracer bt) {
        return trace(b, bt, true).all();
    }

    /**
     * The same with only the registers the unwinder itself knows (CPU notes, exception frames, the
     * switch frame): no CFI, no call sites. What {@code bt -v} showed before register recovery.
     */
    public java.util.List<FrameVariablesOf> variablesWithoutRecovery(Backtracer.Backtrace b, Backtracer bt) {
        return trace(b, bt, false).all();
    }

    /** The registers every frame of {@code b} has, recovered by CFI, and where CFI's CFA differs from ORC's. */
    public RegisterRecovery.Recovered registers(Backtracer.Backtrace b, Backtracer bt) {
        return trace(b, bt, true).recovered();
    }

    /**
     * The variables at a code address of a file with only the registers given (an exception frame's,
     * the CPU's): no CFI, no call sites, no CFA. What the analyzer evaluates at a faulting pc.
     */
    public java.util.List<FrameVariables.Value> variablesAt(FileAddress fa,
                                                           java.util.function.IntFunction<java.util.OptionalLong> registers) {
        return variablesAt(fa, X86_64DwarfRegisters.INSTANCE, registers);
    }

    /**
     * The same with a saved register context of any architecture, limited to the registers whose
     * names {@code known} accepts (e.g. the callee-saved ones, when callees ran since).
     */
    public java.util.List<FrameVariables.Value> variablesAt(FileAddress fa, org.coroner.arch.SavedRegisters regs,
                                                           java.util.function.Predicate<String> known) {
        var arch = regs.numbering();
        return variablesAt(fa, arch, n -> known.test(arch.name(n)) ? regs.dwarf(n) : java.util.OptionalLong.empty());
    }

    private java.util.List<FrameVariables.Value> variablesAt(FileAddress fa, org.coroner.arch.DwarfRegisters arch,
                                                            java.util.function.IntFunction<java.util.OptionalLong> registers) {
        var regs = org.coroner.dwarf.loc.RegisterFile.unknown(arch, "not known in this frame");
        for (int n = 0; n < arch.count(); n++) {
            java.util.OptionalLong v = registers.apply(n);
            if (v.isPresent()) {
                regs.set(n, v.getAsLong(), null);
            }
        }
        var frame = new org.coroner.dwarf.loc.DwarfExpression.Frame(regs, java.util.OptionalLong.empty(),
                "the CFA is not known here", kernel.memory(), org.coroner.dwarf.loc.DwarfExpression.EntryValues.NONE,
                this::runtimeAddress);
        return FrameVariables.evaluate(fa.symbolizer(), fa.address(), frame, a -> Optional.empty());
    }

    /**
     * {@code bt -v}'s parameters and locals for each frame of an architecture-neutral trace, one entry
     * per frame of {@code t} (frames without a function of their own, such as the user registers,
     * have none).
     */
    public java.util.List<FrameVariablesOf> variables(org.coroner.kernel.stack.TaskTrace t, Backtracer bt) {
        if (t.orc() != null) {
            return variables(t.orc(), bt);
        }
        var b = t.frameRecords();
        java.util.List<FrameVariablesOf> calls = variables(b, bt);
        java.util.List<FrameVariablesOf> out = new java.util.ArrayList<>();
        int next = 0;
        for (var f : b.frames()) {
            if (f.isCall()) {
                out.add(next < calls.size() ? calls.get(next) : new FrameVariablesOf(out.size(), java.util.List.of(), "not evaluated"));
                next++;
            } else if (f.isUserRegs()) {
                out.add(new FrameVariablesOf(out.size(), java.util.List.of(), "user-mode registers"));
            }
        }
        return out;
    }

    BacktraceVariables trace(Backtracer.Backtrace b, Backtracer bt, boolean recover) {
        X86_64FrameInputs in = new X86_64FrameInputs(kernel, bt.orc(), bt.symbolizer());
        return new BacktraceVariables(this, bt, X86_64DwarfRegisters.INSTANCE, in.of(b), recover);
    }

    /**
     * {@code bt -v} of an arm64 backtrace: the parameters and locals of each of its call frames (the
     * frame lines, in order; exception and user register blocks have none), registers recovered by
     * CFI outwards from the CPU's registers, the switch frame or an exception frame's pt_regs.
     */
    public java.util.List<FrameVariablesOf> variables(org.coroner.kernel.stack.Arm64Backtraces.Backtrace b, Backtracer bt) {
        var in = new org.coroner.kernel.stack.Arm64FrameInputs(kernel, bt.symbolizer(), this::cfiRow);
        return new BacktraceVariables(this, bt, org.coroner.arch.arm64.Arm64DwarfRegisters.INSTANCE, in.of(b), true).all();
    }

    /**
     * A link-time address of {@code file} ({@code DW_OP_addr}) at run time: vmlinux's moved by KASLR,
     * a module's by where the kernel loaded the section holding it; unchanged when not known.
     */
    long runtimeAddress(DwarfFile file, long address) {
        if (file == null) {
            return address;
        }
        Symbolizer v = vmlinux;
        if (v != null && v.dwarf() == file) {
            return address + kernel.kaslrOffset();
        }
        for (ModuleDebug md : moduleDebug.values()) {
            if (md.symbolizer() == null || md.symbolizer().dwarf() != file) {
                continue;
            }
            for (var e : md.sections().entrySet()) {
                var sec = file.elf().section(e.getKey());
                java.util.OptionalLong base = file.sectionBase(e.getKey());
                if (sec.isPresent() && base.isPresent() && Long.compareUnsigned(address, base.getAsLong()) >= 0
                        && Long.compareUnsigned(address, base.getAsLong() + sec.get().size()) < 0) {
                    return e.getValue() + (address - base.getAsLong());
                }
            }
        }
        return address;
    }

    /** The CFI row at a run-time code address, from the .debug_frame of vmlinux or of the module's .ko. */
    CfiRow cfiRow(long pc, String[] missing) {
        Optional<FileAddress> fa = fileAddress(pc);
        if (fa.isEmpty()) {
            missing[0] = modules.containing(pc).isPresent() ? "no .ko of this module (give it with --modules)"
                    : "no debug information for this code";
            return null;
        }
        DwarfFile dw = fa.get().symbolizer().dwarf();
        CallFrameInfo cfi = frames.computeIfAbsent(dw, d -> new CallFrameInfo(d.section(".debug_frame"), d.name(), 8));
        Optional<CfiRow> row = cfi.rowAt(fa.get().address());
        if (row.isEmpty()) {
            String fn = locate(pc).map(l -> l.outermost().function()).orElse(null);
            missing[0] = cfi.isEmpty() ? dw.name() + " has no .debug_frame"
                    : (fn == null ? "this code" : fn) + " has no CFI (assembly code: where it keeps the caller's registers is not said)";
            return null;
        }
        return row.get();
    }

    @Override
    public Optional<Location> at(long address) {
        return locate(address).map(l -> new Location(l.innermost().file(), l.innermost().line()));
    }

    @Override
    public java.util.List<Inlined> inlined(long address) {
        return locate(address).filter(l -> l.frames().size() > 1).map(l -> l.frames().stream()
                .map(f -> new Inlined(f.function(), f.file(), f.line())).toList()).orElse(java.util.List.of());
    }

    private Symbolizer vmlinux() {
        Symbolizer v = vmlinux;
        if (v == null) {
            synchronized (this) {
                if (vmlinux == null) {
                    try {
                        vmlinux = new Symbolizer(new DwarfFile(kernel.vmlinux()));
                    } catch (BadInputException e) {
                        return null; // a vmlinux without DWARF: no lines, the rest works
                    }
                }
                v = vmlinux;
            }
        }
        return v;
    }

    /** A module's debug information, re-read when {@code mod -s} or {@code mod -d} changed its file. */
    private Optional<ModuleDebug> module(LoadedModule lm) {
        Optional<Path> ko = files.find(lm.name());
        ModuleDebug md = moduleDebug.get(lm.name());
        if (md == null || !md.file().equals(ko)) {
            md = new ModuleDebug(ko, null, Map.of());
            if (ko.isPresent()) {
                try {
                    ElfFile elf = ElfFile.open(ko.get());
                    md = new ModuleDebug(ko, new Symbolizer(new DwarfFile(elf)), modules.sectionAddresses(lm));
                } catch (BadInputException e) {
                    // not a usable .ko: no lines for this module
                }
            }
            moduleDebug.put(lm.name(), md);
        }
        return md.symbolizer() == null ? Optional.empty() : Optional.of(md);
    }
}
