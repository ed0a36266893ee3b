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

    public KernelModules(Kernel k, OrcFormat format) {
        this.k = k;
        this.format = format;
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
        return new LoadedModule(name, m.address(), List.copyOf(ranges), List.copyOf(text), () -> orc(m), () -> symbols(m));
    }

    private Optional<OrcTable> orc(Value m) {
        if (m.type().field("arch").isEmpty() || m.member("arch").type().field("orc_unwind").isEmpty()) {
            return Optional.empty();
        }
        long ip = m.member("arch.orc_unwind_ip").u64();
        long orc = m.member("arch.orc_unwind").u64();
        int n = (int) m.member("arch.num_orcs").value();
        if (ip == 0 || orc == 0 || n <= 0) {
            return Optional.empty();
        }
        return Optional.of(OrcTable.ofMemory(k.memory(), ip, orc, n, format));
    }

    private ModuleSymbols symbols(Value m) {
        try {
            long ks = m.member("kallsyms").u64();
            if (ks == 0) {
                return ModuleSymbols.empty();
            }
            Value kallsyms = k.object("struct mod_kallsyms", ks);
            return ModuleSymbols.read(k.memory(), kallsyms.member("symtab").u64(),
                    (int) kallsyms.member("num_symtab").value(), kallsyms.member("strtab").u64());
        } catch (FaultException e) {
            return ModuleSymbols.empty();
        }
    }
}
