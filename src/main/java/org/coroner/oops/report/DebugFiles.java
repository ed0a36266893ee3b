package org.coroner.oops.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.coroner.dwarf.DwarfFile;
import org.coroner.dwarf.Symbolizer;
import org.coroner.elf.ElfFile;
import org.coroner.io.BadInputException;
import org.coroner.oops.decode.Arch;
import org.coroner.oops.decode.Frame;
import org.coroner.oops.decode.Location;
import org.coroner.session.ModuleFiles;

/**
 * The debug information an Oops is symbolized against: a vmlinux and the module directories.
 * Symbol+offset is resolved in the file's own symbol table, so KASLR and module load addresses do
 * not matter; a function whose size differs from the report's is reported as mismatched.
 */
public final class DebugFiles implements AutoCloseable {
    private final Path vmlinuxPath;
    private final ElfFile vmlinux;
    private Symbolizer vmlinuxSymbolizer;
    private final ModuleFiles modules;
    private final Map<String, Optional<Symbolizer>> moduleSymbolizers = new ConcurrentHashMap<>();
    private final List<ElfFile> opened = new ArrayList<>();

    /**
     * Opens {@code vmlinux} (may be null). A missing file, a file that is not ELF, or an ELF of another
     * architecture than the report's is a {@link BadInputException}.
     */
    public DebugFiles(Path vmlinux, List<Path> moduleDirs) {
        this.vmlinuxPath = vmlinux;
        if (vmlinux != null) {
            if (!Files.isRegularFile(vmlinux)) {
                throw new BadInputException(vmlinux, "no such file");
            }
            this.vmlinux = ElfFile.open(vmlinux);
            if (this.vmlinux.type() == ElfFile.ET_REL) {
                throw new BadInputException(vmlinux, "is a kernel module, not a vmlinux (give it with --modules DIR)");
            }
        } else {
            this.vmlinux = null;
        }
        for (Path d : moduleDirs) {
            if (!Files.exists(d)) {
                throw new BadInputException(d, "no such directory");
            }
        }
        this.modules = new ModuleFiles(moduleDirs);
    }

    public boolean hasVmlinux() {
        return vmlinux != null;
    }

    public Path vmlinuxPath() {
        return vmlinuxPath;
    }

    public ElfFile vmlinux() {
        return vmlinux;
    }

    /** Refuses a vmlinux whose architecture is not the report's. */
    public void checkArch(Arch arch) {
        if (vmlinux == null || arch == null) {
            return;
        }
        int want = switch (arch) {
            case X86_64 -> ElfFile.EM_X86_64;
            case I386 -> ElfFile.EM_386;
            case ARM64 -> ElfFile.EM_AARCH64;
        };
        if (vmlinux.machine() != want) {
            throw new BadInputException(vmlinuxPath, "is an " + vmlinux.machineName() + " kernel but the report is "
                    + arch.name().toLowerCase().replace('_', '-'));
        }
    }

    /** The release in the vmlinux's linux_banner, if it has one. */
    public Optional<String> release() {
        if (vmlinux == null) {
            return Optional.empty();
        }
        var sym = vmlinux.symbols().byName("linux_banner");
        if (sym.isEmpty()) {
            return Optional.empty();
        }
        long addr = sym.get().value();
        for (ElfFile.Section s : vmlinux.sections()) {
            if (s.type() == ElfFile.SHT_PROGBITS && s.isAlloc() && s.contains(addr)) {
                String banner = vmlinux.data(s).cstring(addr - s.addr());
                String[] w = banner.split(" ");
                return w.length > 2 ? Optional.of(w[2]) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The vmlinux's symbolizer (DWARF opened on first use), or null without a vmlinux. */
    public synchronized Symbolizer vmlinuxSymbolizer() {
        if (vmlinuxSymbolizer == null && vmlinux != null) {
            vmlinuxSymbolizer = new Symbolizer(new DwarfFile(vmlinux));
        }
        return vmlinuxSymbolizer;
    }

    /** The symbolizer for a module's .ko, if one is found in the module directories. */
    public Optional<Symbolizer> module(String name) {
        return moduleSymbolizers.computeIfAbsent(name, n -> modules.find(n).map(p -> {
            ElfFile elf = ElfFile.open(p);
            synchronized (opened) {
                opened.add(elf);
            }
            return new Symbolizer(new DwarfFile(elf));
        }));
    }

    public Optional<Path> moduleFile(String name) {
        return modules.find(name);
    }

    /** A Call Trace frame with file:line and inline chain where debug info has them. */
    public SymbolizedFrame symbolize(Frame f) {
        return symbolize(f.function(), f.offset(), f.size(), f.module(), f.reliable(), f.section(), f.address(),
                f.file(), f.line());
    }

    /** The RIP/pc of the report. */
    public SymbolizedFrame symbolize(Location l) {
        return symbolize(l.function(), l.offset(), l.size(), l.module(), true, null, l.address(), null, null);
    }

    private SymbolizedFrame symbolize(String function, Long offset, Long size, String module, boolean reliable,
                                      String section, Long address, String logFile, Integer logLine) {
        if (function == null || offset == null) {
            return new SymbolizedFrame(function, offset, size, module, reliable, section, address, logFile, logLine, null,
                    null);
        }
        Symbolizer s;
        String source;
        if (module != null) {
            Optional<Symbolizer> m = module(module);
            if (m.isEmpty()) {
                return new SymbolizedFrame(function, offset, size, module, reliable, section, address, logFile, logLine,
                        null, modules == null ? null : "no " + module + ".ko in --modules");
            }
            s = m.get();
            source = m.get().dwarf().name();
        } else {
            s = vmlinuxSymbolizer();
            if (s == null) {
                return new SymbolizedFrame(function, offset, size, module, reliable, section, address, logFile, logLine,
                        null, null);
            }
            source = "vmlinux";
        }
        Symbolizer.Resolution r = s.resolve(function, offset, size == null ? 0 : size);
        if (r.mismatch() != null) {
            return new SymbolizedFrame(function, offset, size, module, reliable, section, address, logFile, logLine, null,
                    r.mismatch());
        }
        if (r.location() == null) {
            return new SymbolizedFrame(function, offset, size, module, reliable, section, address, logFile, logLine, null,
                    "no line information in " + source);
        }
        var frames = r.location().frames();
        var outer = r.location().outermost();
        List<SymbolizedFrame.Inlined> inl = frames.size() > 1
                ? frames.subList(0, frames.size() - 1).stream().map(x -> new SymbolizedFrame.Inlined(x.function(), x.file(), x.line())).toList()
                : List.of();
        return new SymbolizedFrame(function, offset, size, module, reliable, section, address, outer.file(),
                outer.line(), inl, source);
    }

    @Override
    public void close() {
        if (vmlinux != null) {
            vmlinux.close();
        }
        synchronized (opened) {
            opened.forEach(ElfFile::close);
        }
    }
}
