package org.coroner.kernel.symbols;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.coroner.elf.ElfFile;
import org.coroner.elf.SymbolTable;
import org.coroner.kernel.Kernel;
import org.coroner.kernel.stack.KernelModules;
import org.coroner.kernel.stack.LoadedModule;
import org.coroner.kernel.stack.ModuleSymbols;

/**
 * Every symbol of the crashed kernel at its run-time address: the vmlinux symbol table relocated for
 * KASLR (per-cpu symbols stay zero-based offsets), as crash keeps it (sorted by address then name,
 * from {@code _text} on, per-cpu symbols before it), with nm's type letters; and each loaded module's
 * kallsyms symbols from the dump. Built on first use.
 */
public final class KernelSymbols {
    /** One symbol; {@code module} is null for vmlinux. */
    public record Symbol(String name, long address, long size, char type, String module) {
        public boolean isText() {
            char t = Character.toLowerCase(type);
            return t == 't' || t == 'w' && module == null;
        }
    }

    /** A symbol and an address's offset from it. */
    public record At(Symbol symbol, long offset) {
        /** {@code name} or {@code name+offset} (decimal, as gdb and crash print by default). */
        public String text() {
            return offset == 0 ? symbol.name() : symbol.name() + "+" + offset;
        }
    }

    private final Kernel kernel;
    private final KernelModules modules;
    private volatile Symbol[] vmlinux;
    private volatile Map<String, List<Symbol>> byName;
    private volatile long firstKernelSymbol;

    public KernelSymbols(Kernel kernel, KernelModules modules) {
        this.kernel = kernel;
        this.modules = modules;
    }

    public Kernel kernel() {
        return kernel;
    }

    public KernelModules modules() {
        return modules;
    }

    /** The vmlinux symbols in crash's order. */
    public List<Symbol> vmlinux() {
        return Arrays.asList(table());
    }

    /** A module's symbols inside its memory, by address (aliases in kallsyms order). */
    public List<Symbol> module(LoadedModule m) {
        return module(m, false);
    }

    /** As {@link #module(LoadedModule)}; {@code byName}: aliases by name, as crash sorts a module whose .ko it loaded. */
    public List<Symbol> module(LoadedModule m, boolean byName) {
        List<Symbol> out = new ArrayList<>();
        for (ModuleSymbols.Entry e : m.symbols().entries()) {
            if (m.contains(e.address())) {
                out.add(new Symbol(e.name(), e.address(), e.size(), e.type(), m.name()));
            }
        }
        if (byName) {
            out.sort(Comparator.comparing(Symbol::address, Long::compareUnsigned).thenComparing(Symbol::name));
        }
        return out;
    }

    /** Every symbol of this name: vmlinux's first, then the modules' (crash's symbol_search order). */
    public List<Symbol> byName(String name) {
        List<Symbol> out = new ArrayList<>(names().getOrDefault(name, List.of()));
        for (LoadedModule m : modules.all()) {
            for (ModuleSymbols.Entry e : m.symbols().entries()) {
                if (e.name().equals(name)) {
                    out.add(new Symbol(e.name(), e.address(), e.size(), e.type(), m.name()));
                }
            }
        }
        return out;
    }

    public Optional<Symbol> lookup(String name) {
        List<Symbol> l = names().get(name);
        if (l != null && !l.isEmpty()) {
            return Optional.of(l.get(0));
        }
        for (LoadedModule m : modules.all()) {
            for (ModuleSymbols.Entry e : m.symbols().entries()) {
                if (e.name().equals(name)) {
                    return Optional.of(new Symbol(e.name(), e.address(), e.size(), e.type(), m.name()));
                }
            }
        }
        return Optional.empty();
    }

    /** Names containing {@code part} (crash's "possible alternatives"), vmlinux first. */
    public List<Symbol> containing(String part) {
        List<Symbol> out = new ArrayList<>();
        for (Symbol s : table()) {
            if (s.name().contains(part)) {
                out.add(s);
            }
        }
        for (LoadedModule m : modules.all()) {
            for (Symbol s : module(m)) {
                if (s.name().contains(part)) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    /** The module an address belongs to, if any. */
    public Optional<LoadedModule> moduleOf(long address) {
        return modules.containing(address);
    }

    /**
     * The symbol crash names for an address ({@code sym ADDR}, {@code rd -s}): the nearest at or below it
     * in the kernel's range, or in the module that holds it. Empty outside both.
     */
    public Optional<At> nearest(long address) {
        Optional<LoadedModule> m = modules.containing(address);
        if (m.isPresent()) {
            return m.get().symbols().lookup(address).map(h -> new At(
                    moduleSymbol(m.get(), h.name(), h.address()), h.offset()));
        }
        Symbol[] t = table();
        if (t.length == 0 || Long.compareUnsigned(address, t[0].address()) < 0
                || Long.compareUnsigned(address, t[t.length - 1].address()) > 0
                || Long.compareUnsigned(address, firstKernelSymbol) < 0) {
            return Optional.empty();
        }
        int lo = 0;
        int hi = t.length - 1;
        int best = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(t[mid].address(), address) <= 0) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (best < 0) {
            return Optional.empty();
        }
        if (t[best].address() == address) {
            // an exact hit is the first symbol at the address, as crash's value_search takes it
            int first = best;
            while (first > 0 && t[first - 1].address() == address) {
                first--;
            }
            int pick = first;
            if (t[pick].name().startsWith(".text.") && pick + 1 < t.length && t[pick + 1].address() == address) {
                pick++;
            }
            if ((t[pick].name().startsWith("SyS_") || t[pick].name().startsWith("compat_SyS_") || t[pick].name().endsWith("_text_start"))
                    && pick + 1 < t.length && t[pick + 1].address() == address) {
                pick++;
            }
            return Optional.of(new At(t[pick], 0));
        }
        return Optional.of(new At(t[best], address - t[best].address()));
    }

    private Symbol moduleSymbol(LoadedModule m, String name, long address) {
        for (ModuleSymbols.Entry e : m.symbols().entries()) {
            if (e.address() == address && e.name().equals(name)) {
                return new Symbol(e.name(), e.address(), e.size(), e.type(), m.name());
            }
        }
        return new Symbol(name, address, 0, '?', m.name());
    }

    /**
     * The symbol gdb prints after a pointer ({@code <init_task+2192>}): one whose extent contains the
     * address; a data symbol without a size never matches, a text symbol without one does.
     */
    public Optional<At> containingSymbol(long address) {
        Optional<LoadedModule> m = modules.containing(address);
        if (m.isPresent()) {
            List<ModuleSymbols.Entry> es = m.get().symbols().entries();
            ModuleSymbols.Entry best = null;
            for (ModuleSymbols.Entry e : es) {
                if (Long.compareUnsigned(e.address(), address) <= 0) {
                    if (best == null || e.address() != best.address() || e.size() > best.size()) {
                        best = e;
                    }
                }
            }
            if (best == null) {
                return Optional.empty();
            }
            boolean text = Character.toLowerCase(best.type()) == 't';
            long off = address - best.address();
            if (best.size() > 0 ? Long.compareUnsigned(off, best.size()) >= 0 : !text) {
                return Optional.empty();
            }
            return Optional.of(new At(new Symbol(best.name(), best.address(), best.size(), best.type(), m.get().name()), off));
        }
        long link = address - kernel.kaslrOffset();
        if (address >= 0) {
            return Optional.empty(); // user addresses and per-cpu offsets are no symbol's
        }
        SymbolTable st = kernel.vmlinux().symbols();
        return st.lookup(link).flatMap(s -> {
            long off = link - s.value();
            boolean text = s.type() == SymbolTable.STT_FUNC || isExecSection(s.shndx());
            if (s.size() > 0 ? Long.compareUnsigned(off, s.size()) >= 0 : !text) {
                return Optional.empty();
            }
            return Optional.of(new At(new Symbol(s.name(), s.value() + kernel.kaslrOffset(), s.size(),
                    letter(kernel.vmlinux(), st, s.index()), null), off));
        });
    }

    private boolean isExecSection(int shndx) {
        var secs = kernel.vmlinux().sections();
        return shndx > 0 && shndx < secs.size() && secs.get(shndx).isExec();
    }

    private Map<String, List<Symbol>> names() {
        Map<String, List<Symbol>> m = byName;
        if (m == null) {
            synchronized (this) {
                if (byName == null) {
                    Map<String, List<Symbol>> x = new HashMap<>();
                    for (Symbol s : table()) {
                        x.computeIfAbsent(s.name(), k -> new ArrayList<>(1)).add(s);
                    }
                    byName = x;
                }
                m = byName;
            }
        }
        return m;
    }

    private Symbol[] table() {
        Symbol[] t = vmlinux;
        if (t == null) {
            synchronized (this) {
                if (vmlinux == null) {
                    vmlinux = build();
                }
                t = vmlinux;
            }
        }
        return t;
    }

    private Symbol[] build() {
        ElfFile elf = kernel.vmlinux();
        SymbolTable st = elf.symbols();
        long kaslr = kernel.kaslrOffset();
        long sectionsStart = -1;
        long sectionsEnd = 0;
        for (ElfFile.Section s : elf.sections()) {
            if (s.isAlloc() && s.addr() != 0) {
                if (Long.compareUnsigned(s.addr(), sectionsStart) < 0) {
                    sectionsStart = s.addr();
                }
                if (Long.compareUnsigned(s.addr() + s.size(), sectionsEnd) > 0) {
                    sectionsEnd = s.addr() + s.size();
                }
            }
        }
        List<Symbol> all = new ArrayList<>(st.count());
        for (int i = 1; i < st.count(); i++) {
            String name = st.name(i);
            if (name.isEmpty() && st.type(i) == SymbolTable.STT_SECTION && st.shndx(i) > 0 && st.shndx(i) < elf.sections().size()) {
                name = elf.sections().get(st.shndx(i)).name(); // section symbols are named after their section, as bfd names them
            }
            if (name.isEmpty()) {
                continue;
            }
            long v = st.value(i);
            boolean inSections = Long.compareUnsigned(v, sectionsStart) >= 0 && Long.compareUnsigned(v, sectionsEnd) <= 0;
            long addr = inSections ? v + kaslr : v;
            all.add(new Symbol(name, addr, st.size(i), letter(elf, st, i), null));
        }
        all.sort(Comparator.comparing(Symbol::address, Long::compareUnsigned).thenComparing(Symbol::name));
        // crash shows the compiler's clones under their function's name: foo.isra.0, foo.part.1 are foo
        for (int i = 0; i < all.size(); i++) {
            Symbol s = all.get(i);
            String n = stripped(s.name());
            if (!n.equals(s.name())) {
                all.set(i, new Symbol(n, s.address(), s.size(), s.type(), null));
            }
        }
        // crash keeps what starts at _text (or _stext), and before it only the per-cpu symbols
        List<Symbol> kept = new ArrayList<>(all.size());
        boolean started = false;
        boolean percpu = false;
        long firstKernel = 0;
        for (Symbol s : all) {
            if (!started) {
                if (s.name().equals("_text") || s.name().equals("_stext")) {
                    started = true;
                    firstKernel = s.address();
                    kept.add(s);
                } else if (s.name().equals("__per_cpu_start")) {
                    percpu = true;
                    kept.add(s);
                } else if (percpu && (s.name().startsWith("per_cpu") || s.name().equals("__per_cpu_end")
                        || s.type() == 'V' || s.type() == 'd' || s.type() == 'D')) {
                    kept.add(s);
                }
                continue;
            }
            kept.add(s);
        }
        firstKernelSymbol = firstKernel;
        return kept.toArray(Symbol[]::new);
    }

    /** A vmlinux symbol's name without the clone suffixes crash strips ({@code .isra.}, {@code .part.}, {@code .llvm.}). */
    static String stripped(String name) {
        for (String sfx : new String[] {".isra.", ".part.", ".llvm."}) {
            int i = name.indexOf(sfx);
            if (i > 0) {
                return name.substring(0, i);
            }
        }
        return name;
    }

    /**
     * nm's letter for a symbol (binutils' bfd_decode_symclass over ELF): from the binding and the
     * section's flags; lower case for local symbols.
     */
    static char letter(ElfFile elf, SymbolTable st, int i) {
        int bind = st.bind(i);
        int type = st.type(i);
        int shndx = st.shndx(i);
        if (shndx == 0) {
            return bind == 2 ? (type == SymbolTable.STT_OBJECT ? 'v' : 'w') : 'U';
        }
        if (type == 10) {
            return 'i'; // STT_GNU_IFUNC
        }
        if (bind == 2) {
            return type == SymbolTable.STT_OBJECT ? 'V' : 'W';
        }
        if (bind == 10) {
            return 'u'; // STB_GNU_UNIQUE
        }
        char c;
        if (shndx == 0xfff1) {
            c = 'a';
        } else if (shndx == 0xfff2) {
            return 'C';
        } else if (shndx >= elf.sections().size()) {
            return '?';
        } else {
            ElfFile.Section s = elf.sections().get(shndx);
            boolean alloc = s.isAlloc();
            boolean contents = s.type() != ElfFile.SHT_NOBITS;
            boolean write = (s.flags() & 0x1) != 0;
            if (alloc && s.isExec()) {
                c = 't';
            } else if (alloc && contents) {
                c = write ? 'd' : 'r';
            } else if (alloc) {
                c = 'b';
            } else if (s.name().startsWith(".debug")) {
                c = 'N';
            } else if (contents && !write) {
                c = 'n';
            } else {
                c = '?';
            }
        }
        return bind == 1 ? Character.toUpperCase(c) : c;
    }
}
