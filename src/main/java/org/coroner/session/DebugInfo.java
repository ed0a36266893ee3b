package org.coroner.session;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.coroner.dwarf.DwarfFile;
import org.coroner.dwarf.Symbolizer;
import org.coroner.elf.ElfFile;
import org.coroner.io.BadInputException;
import org.coroner.kernel.Kernel;
import org.coroner.kernel.stack.KernelModules;
import org.coroner.kernel.stack.LoadedModule;
import org.coroner.kernel.stack.SourceLines;

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

    /** A module's debug information from {@code file} (empty symbolizer: none usable). */
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

    /** Function, file:line and inlined callers of a run-time address, innermost first. */
    public Optional<Symbolizer.Location> locate(long address) {
        return fileAddress(address).flatMap(fa -> fa.symbolizer().locate(fa.address()));
    }

    /**
     * {@code bt -v}: the frame's parameters and locals with their values where the frame has what
     * their DWARF locations need (registers of exception frames and of the CPU; the CFA from ORC;
     * memory), else the reason.
     */
    public java.util.List<String> variables(org.coroner.arch.x86_64.unwind.Frame f, org.coroner.kernel.stack.KernelOrc orc) {
        long pc = f.isReturnAddress() ? f.pc() - 1 : f.pc();
        Optional<FileAddress> fa = fileAddress(pc);
        if (fa.isEmpty()) {
            return java.util.List.of("(no debug information for this code" + (modules.containing(pc).isPresent()
                    ? ": give the module's .ko with --modules)" : ")"));
        }
        var regs = f.regs();
        boolean partial = f.partialRegs();
        java.util.function.IntFunction<java.util.OptionalLong> reg = n -> {
            if (n == 7) {
                return java.util.OptionalLong.of(f.sp());
            }
            if (regs == null || partial && n != 16) {
                return java.util.OptionalLong.empty();
            }
            int idx = switch (n) {
                case 0 -> org.coroner.arch.x86_64.unwind.Registers.AX;
                case 1 -> org.coroner.arch.x86_64.unwind.Registers.DX;
                case 2 -> org.coroner.arch.x86_64.unwind.Registers.CX;
                case 3 -> org.coroner.arch.x86_64.unwind.Registers.BX;
                case 4 -> org.coroner.arch.x86_64.unwind.Registers.SI;
                case 5 -> org.coroner.arch.x86_64.unwind.Registers.DI;
                case 6 -> org.coroner.arch.x86_64.unwind.Registers.BP;
                case 8 -> org.coroner.arch.x86_64.unwind.Registers.R8;
                case 9 -> org.coroner.arch.x86_64.unwind.Registers.R9;
                case 10 -> org.coroner.arch.x86_64.unwind.Registers.R10;
                case 11 -> org.coroner.arch.x86_64.unwind.Registers.R11;
                case 12 -> org.coroner.arch.x86_64.unwind.Registers.R12;
                case 13 -> org.coroner.arch.x86_64.unwind.Registers.R13;
                case 14 -> org.coroner.arch.x86_64.unwind.Registers.R14;
                case 15 -> org.coroner.arch.x86_64.unwind.Registers.R15;
                case 16 -> org.coroner.arch.x86_64.unwind.Registers.IP;
                default -> -1;
            };
            return idx < 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(regs.get(idx));
        };
        java.util.OptionalLong cfa = java.util.OptionalLong.empty();
        var e = orc.find(f.pc());
        if (e.isPresent() && e.get().spReg() == org.coroner.arch.x86_64.unwind.OrcEntry.REG_SP) {
            cfa = java.util.OptionalLong.of(f.sp() + e.get().spOffset());
        } else if (e.isPresent() && e.get().spReg() == org.coroner.arch.x86_64.unwind.OrcEntry.REG_BP && regs != null && !partial) {
            cfa = java.util.OptionalLong.of(regs.bp() + e.get().spOffset());
        }
        var vals = org.coroner.dwarf.loc.FrameVariables.evaluate(fa.get().symbolizer(), fa.get().address(), reg, cfa, kernel.memory());
        if (vals.isEmpty()) {
            return java.util.List.of("(no parameters or locals in scope here)");
        }
        return vals.stream().map(org.coroner.dwarf.loc.FrameVariables.Value::render).toList();
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
