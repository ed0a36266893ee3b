package org.coroner.kernel.stack;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.arch.x86_64.unwind.OrcFormat;
import org.coroner.arch.x86_64.unwind.OrcTable;
import org.coroner.kernel.Kernel;
import org.coroner.memory.FaultException;
import org.coroner.types.CType;
import org.coroner.types.Value;

/**
 * The loaded modules on the kernel's {@code modules} list, with what backtraces need from each:
 * its address ranges, ORC table ({@code mod->arch}) and kallsyms symbols ({@code mod->kallsyms}).
 * Handles both {@code core_layout}/{@code init_layout} (up to 6.3) and {@code mem[]} (6.4 on).
 */
public final class KernelModules {
    /** {@code enum mod_mem_type} (6.4 on): the code regions among {@code mod->mem[]}. */
    private static final int MOD_TEXT = 0;
    private static final int MOD_INIT_TEXT = 4;

    private final Kernel k;
    private final OrcFormat format;
    private List<LoadedModule> modules;
    private volatile java.util.function.Function<String, Optional<java.nio.file.Path>> moduleFiles = name -> Optional.empty();

    public KernelModules(Kernel k, OrcFormat format) {
        this.k = k;
        this.format = format;
    }

    /**
     * Where to find a module's {@code .ko} by name ({@code --modules DIR}): used for its ORC when
     * the dump lacks the module's own table.
     */
    public void moduleFiles(java.util.function.Function<String, Optional<java.nio.file.Path>> finder) {
        this.moduleFiles = finder;
    }

    public synchronized List<LoadedModule> all() {
        if (modules == null) {
            modules = read();
        }
        return modules;
    }

    public Optional<LoadedModule> containing(long address) {
        for (LoadedModule m : all()) {
            if (m.contains(address)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    private List<LoadedModule> read() {
        List<LoadedModule> out = new ArrayList<>();
        Optional<Long> head = k.symbol("modules");
        if (head.isEmpty()) {
            return out;
        }
        CType modType = k.type("struct module");
        long listOff = modType.field("list").orElseThrow().offset();
        long h = head.get();
        try {
            long p = k.memory().u64(h);
            int guard = 0;
            while (p != h && p != 0 && guard++ < 10_000) {
                out.add(module(k.object("struct module", p - listOff)));
                p = k.memory().u64(p);
            }
        } catch (FaultException e) {
            // a broken list: keep the modules read so far
        }
        return List.copyOf(out);
    }

    private LoadedModule module(Value m) {
        CType t = m.type();
        List<LoadedModule.Range> ranges = new ArrayList<>();
        List<LoadedModule.Range> text = new ArrayList<>();
        if (t.field("core_layout").isPresent()) {
            for (String layout : List.of("core_layout", "init_layout")) {
                long base = m.member(layout + ".base").u64();
                long size = m.member(layout + ".size").value();
                if (base != 0 && size != 0) {
                    ranges.add(new LoadedModule.Range(base, size));
                    text.add(new LoadedModule.Range(base, m.member(layout + ".text_size").value()));
                }
            }
        } else if (t.field("mem").isPresent()) {
            Value mem = m.member("mem");
            long n = mem.type().resolve().length();
            for (long i = 0; i < n; i++) {
                long base = mem.index(i).member("base").u64();
                long size = mem.index(i).member("size").value();
                if (base != 0 && size != 0) {
                    ranges.add(new LoadedModule.Range(base, size));
                    if (i == MOD_TEXT || i == MOD_INIT_TEXT) {
                        text.add(new LoadedModule.Range(base, size));
                    }
                }
            }
        }
        String name = m.member("name").string();
        LoadedModule[] self = new LoadedModule[1];
        self[0] = new LoadedModule(name, m.address(), List.copyOf(ranges), List.copyOf(text),
                () -> orcFromDump(m).or(() -> orcFromModuleFile(self[0])), () -> symbols(m));
        return self[0];
    }

    /**
     * Where each section of a module was loaded ({@code mod->sect_attrs}, what
     * {@code /sys/module/NAME/sections/} shows): section name to address.
     */
    public java.util.Map<String, Long> sectionAddresses(LoadedModule lm) {
        java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
        Value m = k.object("struct module", lm.address());
        if (m.type().field("sect_attrs").isEmpty()) {
            return out;
        }
        try {
            long attrs = m.member("sect_attrs").u64();
            if (attrs == 0) {
                return out;
            }
            Value sa = k.object("struct module_sect_attrs", attrs);
            long n = sa.member("nsections").value();
            for (long i = 0; i < n && i < 1000; i++) {
                Value a = sa.member("attrs").index(i);
                long namePtr = a.member("battr.attr.name").u64();
                String name = k.object("char", namePtr).string(64);
                out.put(name, a.member("address").u64());
            }
        } catch (FaultException | IllegalArgumentException e) {
            // keep what was read
        }
        return out;
    }

    /**
     * A module's ORC table from its {@code .ko}, placed at the section addresses the dump records:
     * for a dump whose module ORC pages are missing.
     */
    public OrcTable orcFromFile(LoadedModule lm, org.coroner.elf.ElfFile ko) {
        java.util.Map<String, Long> where = sectionAddresses(lm);
        return OrcTable.ofModuleFile(ko, shndx -> where.getOrDefault(ko.section((int) shndx).name(), 0L), format);
    }

    private Optional<OrcTable> orcFromModuleFile(LoadedModule lm) {
        return moduleFiles.apply(lm.name()).map(p -> {
            try (org.coroner.elf.ElfFile ko = org.coroner.elf.ElfFile.open(p)) {
                return orcFromFile(lm, ko);
            }
        });
    }

    private Optional<OrcTable> orcFromDump(Value m) {
        if (m.type().field("arch").isEmpty() || m.member("arch").type().field("orc_unwind").isEmpty()) {
            return Optional.empty();
        }
        long ip = m.member("arch.orc_unwind_ip").u64();
        long orc = m.member("arch.orc_unwind").u64();
        int n = (int) m.member("arch.num_orcs").value();
        if (ip == 0 || orc == 0 || n <= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(OrcTable.ofMemory(k.memory(), ip, orc, n, format));
        } catch (FaultException e) {
            return Optional.empty(); // the table's pages are not in the dump
        }
    }

    private ModuleSymbols symbols(Value m) {
        try {
            long ks = m.member("kallsyms").u64();
            if (ks == 0) {
                return ModuleSymbols.empty();
            }
            Value kallsyms = k.object("struct mod_kallsyms", ks);
            long typetab = kallsyms.type().field("typetab").isPresent() ? kallsyms.member("typetab").u64() : 0;
            return ModuleSymbols.read(k.memory(), kallsyms.member("symtab").u64(),
                    (int) kallsyms.member("num_symtab").value(), kallsyms.member("strtab").u64(), typetab);
        } catch (FaultException e) {
            return ModuleSymbols.empty();
        }
    }

    /**
     * Why a {@code .ko} is not the file of a loaded module, or empty when it is: every function
     * of the file that the module's kallsyms also name must sit at the address the dump's
     * section addresses give it ({@code sect_attrs} + the symbol's value), and at least one must.
     */
    public Optional<String> mismatch(LoadedModule lm, org.coroner.elf.ElfFile ko) {
        Optional<String> name = modinfo(ko, "name");
        if (name.isPresent() && !name.get().replace('-', '_').equals(lm.name())) {
            return Optional.of("it is the " + name.get() + " module");
        }
        java.util.Map<String, Long> where = sectionAddresses(lm);
        ModuleSymbols kallsyms = lm.symbols();
        if (where.isEmpty() || kallsyms.size() == 0) {
            return Optional.empty(); // nothing in the dump to check against
        }
        var symtab = ko.symbols();
        int matched = 0;
        for (int i = 0; i < symtab.count(); i++) {
            var sym = symtab.get(i);
            if (!sym.isFunction() || sym.shndx() <= 0 || sym.shndx() >= ko.sections().size()
                    || sym.name().equals("init_module") || sym.name().equals("cleanup_module")) {
                continue; // every module has these two at the start of its init and exit text
            }
            Long base = where.get(ko.section(sym.shndx()).name());
            Optional<Long> actual = kallsyms.address(sym.name());
            if (base == null || actual.isEmpty()) {
                continue;
            }
            if (actual.get() != base + sym.value()) {
                return Optional.of(String.format("%s is at %x in the dump but at %x by this file", sym.name(),
                        actual.get(), base + sym.value()));
            }
            matched++;
        }
        return matched > 0 ? Optional.empty() : Optional.of("none of its functions is among the module's symbols");
    }

    /** A {@code key=value} of a {@code .ko}'s {@code .modinfo} section. */
    static Optional<String> modinfo(org.coroner.elf.ElfFile ko, String key) {
        Optional<org.coroner.elf.ElfFile.Section> sec = ko.section(".modinfo");
        if (sec.isEmpty()) {
            return Optional.empty();
        }
        org.coroner.io.Bytes b = ko.data(sec.get());
        long off = 0;
        while (off < b.size()) {
            String entry = b.cstring(off);
            if (entry.startsWith(key + "=")) {
                return Optional.of(entry.substring(key.length() + 1));
            }
            off += Math.max(1, b.cstringLength(off) + 1);
        }
        return Optional.empty();
    }
}
