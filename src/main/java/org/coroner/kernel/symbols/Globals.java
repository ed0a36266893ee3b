package org.coroner.kernel.symbols;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.coroner.btf.Btf;
import org.coroner.btf.BtfTypes;
import org.coroner.dwarf.DwarfFile;
import org.coroner.dwarf.types.DwarfNames;
import org.coroner.dwarf.types.DwarfTypes;
import org.coroner.elf.ElfFile;
import org.coroner.io.BadInputException;
import org.coroner.kernel.Kernel;
import org.coroner.types.BaseTypes;
import org.coroner.types.CType;
import org.coroner.types.DerivedTypes;
import org.coroner.types.Types;

/**
 * The kernel's named things with their types, as a debugger resolves them: types by C name (the
 * vmlinux BTF first, then the DWARF of the module .ko files found, then vmlinux DWARF), and global
 * variables and functions of vmlinux and of modules (address from the symbols, type from DWARF:
 * BTF describes no ordinary global). Everything is opened on first use: vmlinux DWARF's name index
 * is read from the cache directory, or built once and written there.
 */
public final class Globals implements Types {
    /** A named object: where it is and what type it has ({@code typed} false: no debug info describes it). */
    public record Global(KernelSymbols.Symbol symbol, CType type, boolean typed) {
        public long address() {
            return symbol.address();
        }
    }

    private final Kernel kernel;
    private final KernelSymbols symbols;
    private final Function<String, Optional<Path>> moduleFiles;
    private final Path cacheDir;
    private volatile DwarfTypes vmlinuxTypes;
    private volatile boolean vmlinuxHasNoDwarf;
    private final Map<Path, Optional<DwarfTypes>> moduleTypes = new ConcurrentHashMap<>();

    /**
     * @param moduleFiles a module's {@code .ko} by module name ({@code --modules})
     * @param cacheDir    where the vmlinux name index is kept (null: not kept)
     */
    public Globals(Kernel kernel, KernelSymbols symbols, Function<String, Optional<Path>> moduleFiles, Path cacheDir) {
        this.kernel = kernel;
        this.symbols = symbols;
        this.moduleFiles = moduleFiles;
        this.cacheDir = cacheDir;
    }

    public KernelSymbols symbols() {
        return symbols;
    }

    public Kernel kernel() {
        return kernel;
    }

    private BtfTypes btf() {
        return (BtfTypes) kernel.types();
    }

    /** vmlinux's DWARF types, or empty for a vmlinux without DWARF. */
    public Optional<DwarfTypes> vmlinuxTypes() {
        DwarfTypes t = vmlinuxTypes;
        if (t == null && !vmlinuxHasNoDwarf) {
            synchronized (this) {
                if (vmlinuxTypes == null && !vmlinuxHasNoDwarf) {
                    try {
                        DwarfFile dw = new DwarfFile(kernel.vmlinux());
                        Path cache = kernel.vmlinux().buildId().filter(x -> cacheDir != null)
                                .map(id -> cacheDir.resolve("dwarf-names").resolve(id + ".idx")).orElse(null);
                        DwarfNames[] names = new DwarfNames[1];
                        vmlinuxTypes = new DwarfTypes(dw, () -> {
                            synchronized (names) {
                                if (names[0] == null) {
                                    names[0] = DwarfNames.cached(dw, cache);
                                }
                                return names[0];
                            }
                        }, btf()::lookup, true);
                    } catch (BadInputException e) {
                        vmlinuxHasNoDwarf = true;
                    }
                }
                t = vmlinuxTypes;
            }
        }
        return Optional.ofNullable(t);
    }

    /** A module's DWARF types from its .ko, if the file is found (asked each time: {@code mod -s} and {@code -d} change it). */
    public Optional<DwarfTypes> moduleTypes(String module) {
        return moduleFiles.apply(module).flatMap(path -> moduleTypes.computeIfAbsent(path, p -> {
            try {
                ElfFile elf = ElfFile.open(p);
                DwarfFile dw = new DwarfFile(elf);
                DwarfNames[] names = new DwarfNames[1];
                return Optional.of(new DwarfTypes(dw, () -> {
                    synchronized (names) {
                        if (names[0] == null) {
                            names[0] = DwarfNames.scan(dw);
                        }
                        return names[0];
                    }
                }, btf()::lookup, false));
            } catch (BadInputException e) {
                return Optional.empty();
            }
        }));
    }

    @Override
    public Optional<CType> lookup(String cName) {
        String n = cName.trim().replaceAll("\\s+", " ");
        Optional<CType> base = BaseTypes.lookup(n);
        if (base.isPresent()) {
            return base;
        }
        Optional<CType> t = btf().lookup(n);
        if (t.isPresent()) {
            return t;
        }
        for (var m : symbols.modules().all()) {
            Optional<CType> mt = moduleTypes(m.name()).flatMap(dt -> dt.lookup(n));
            if (mt.isPresent()) {
                return mt;
            }
        }
        return vmlinuxTypes().flatMap(dt -> dt.lookup(n));
    }

    /**
     * A type as a debugger sees it: from DWARF, which is what gdb reads, when vmlinux has it (BTF
     * cannot tell {@code data[]} from {@code data[0]} and writes {@code tags[3][1]} as
     * {@code tags[3]}); else as {@link #lookup}. Costs the vmlinux name index on first use.
     */
    public Optional<CType> debugType(String cName) {
        String n = cName.trim().replaceAll("\\s+", " ");
        Optional<CType> base = BaseTypes.lookup(n);
        if (base.isPresent()) {
            return base;
        }
        Optional<CType> t = vmlinuxTypes().flatMap(dt -> dt.lookup(n));
        if (t.isPresent()) {
            return t;
        }
        return lookup(n);
    }

    @Override
    public CType pointerTo(CType t) {
        return DerivedTypes.pointer(t);
    }

    /** A global variable or function by name, with its type when debug info has one. */
    public Optional<Global> global(String name) {
        List<KernelSymbols.Symbol> syms = symbols.byName(name);
        if (syms.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(typed(syms.get(0)));
    }

    /** The type of a symbol: DWARF of its file, else BTF (functions, per-cpu variables). */
    public Global typed(KernelSymbols.Symbol s) {
        Optional<CType> t;
        if (s.module() != null) {
            t = moduleTypes(s.module()).flatMap(dt -> dwarfType(dt, s, s.address()));
        } else {
            long link = s.address() < 0 ? s.address() - kernel.kaslrOffset() : s.address();
            t = vmlinuxTypes().flatMap(dt -> dwarfType(dt, s, link));
            if (t.isEmpty()) {
                t = btfType(s.name());
            }
        }
        return t.map(ct -> new Global(s, sized(ct, s), true)).orElseGet(() -> new Global(s, s.isText()
                ? DerivedTypes.function(BaseTypes.INT, List.of(), false) : BaseTypes.INT, false));
    }

    /**
     * A variable declared as an array of unknown length ({@code extern const char linux_banner[];},
     * its definition without debug info) gets its length from the symbol's size, as gdb does.
     */
    private static CType sized(CType t, KernelSymbols.Symbol s) {
        boolean isConst = false;
        boolean isVolatile = false;
        CType a = t;
        while (a.kind() == CType.Kind.CONST || a.kind() == CType.Kind.VOLATILE) {
            isConst |= a.kind() == CType.Kind.CONST;
            isVolatile |= a.kind() == CType.Kind.VOLATILE;
            a = a.target();
        }
        if (a.kind() != CType.Kind.ARRAY || a.length() != 0 || s.size() <= 0 || a.target().size() <= 0) {
            return t;
        }
        CType r = DerivedTypes.array(a.target(), s.size() / a.target().size());
        if (isVolatile) {
            r = DerivedTypes.qualified(r, CType.Kind.VOLATILE);
        }
        return isConst ? DerivedTypes.qualified(r, CType.Kind.CONST) : r;
    }

    private Optional<CType> dwarfType(DwarfTypes dt, KernelSymbols.Symbol s, long linkAddress) {
        DwarfNames names = dt.names();
        List<DwarfNames.Variable> vars = names.variables(s.name());
        if (!vars.isEmpty()) {
            DwarfNames.Variable pick = vars.get(0);
            for (DwarfNames.Variable v : vars) {
                if (v.address() == linkAddress) {
                    pick = v;
                    break;
                }
            }
            return Optional.of(dt.typeOf(pick.die()));
        }
        String fn = s.name();
        Optional<Long> f = names.function(fn);
        if (f.isEmpty() && fn.indexOf('.') > 0) {
            f = names.function(fn.substring(0, fn.indexOf('.'))); // create_oops.constprop.0 is create_oops
        }
        return f.map(dt::typeOf);
    }

    private Optional<CType> btfType(String name) {
        Btf b = btf().btf();
        Optional<Integer> fn = b.find(Btf.FUNC, name);
        if (fn.isPresent()) {
            return Optional.of(btf().type(fn.get()));
        }
        return b.find(Btf.VAR, name).map(id -> btf().type(b.target(id)));
    }
}
