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
    private final Map<String, Optional<ModuleDebug>> moduleDebug = new ConcurrentHashMap<>();

    private record ModuleDebug(Symbolizer symbolizer, Map<String, Long> sections) {
    }

    public DebugInfo(Kernel kernel, KernelModules modules, ModuleFiles files) {
        this.kernel = kernel;
        this.modules = modules;
        this.files = files;
    }

    /** Function, file:line and inlined callers of a run-time address, innermost first. */
    public Optional<Symbolizer.Location> locate(long address) {
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
                return md.symbolizer().locate(fileAddress);
            });
        }
        Symbolizer v = vmlinux();
        return v == null ? Optional.empty() : v.locate(address - kernel.kaslrOffset());
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

    private Optional<ModuleDebug> module(LoadedModule lm) {
        return moduleDebug.computeIfAbsent(lm.name(), n -> {
            Optional<Path> ko = files.find(n);
            if (ko.isEmpty()) {
                return Optional.empty();
            }
            try {
                ElfFile elf = ElfFile.open(ko.get());
                return Optional.of(new ModuleDebug(new Symbolizer(new DwarfFile(elf)), modules.sectionAddresses(lm)));
            } catch (BadInputException e) {
                return Optional.empty();
            }
        });
    }
}
