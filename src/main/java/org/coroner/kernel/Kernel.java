package org.coroner.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.coroner.btf.Btf;
import org.coroner.btf.BtfTypes;
import org.coroner.elf.ElfFile;
import org.coroner.elf.SymbolTable;
import org.coroner.io.BadInputException;
import org.coroner.memory.VirtualMemory;
import org.coroner.types.CType;
import org.coroner.types.Types;
import org.coroner.types.Value;

/**
 * The crashed kernel as objects: its symbols relocated for KASLR, its types, its memory. Built
 * from the vmlinux, the VMCOREINFO the kernel left in the dump, and the dump's memory. Everything
 * else (tasks, per-cpu data, modules, the log) is a helper on top of this.
 */
public final class Kernel {
    private final ElfFile vmlinux;
    private final Map<String, String> vmcoreinfo;
    private final VirtualMemory mem;
    private final BtfTypes types;
    private final long kaslrOffset;

    public Kernel(ElfFile vmlinux, Map<String, String> vmcoreinfo, VirtualMemory mem) {
        this.vmlinux = vmlinux;
        this.vmcoreinfo = vmcoreinfo;
        this.mem = mem;
        Btf btf = Btf.of(vmlinux).orElseThrow(() -> new BadInputException(vmlinux.path(), "has no .BTF section"));
        this.types = new BtfTypes(btf);
        String off = vmcoreinfo.get("KERNELOFFSET");
        this.kaslrOffset = off == null ? 0 : Long.parseUnsignedLong(off, 16);
    }

    public ElfFile vmlinux() {
        return vmlinux;
    }

    public VirtualMemory memory() {
        return mem;
    }

    public Types types() {
        return types;
    }

    public Map<String, String> vmcoreinfo() {
        return vmcoreinfo;
    }

    public long kaslrOffset() {
        return kaslrOffset;
    }

    /** The VMCOREINFO value of {@code key} as a number (hex for SYMBOL and KERNELOFFSET, decimal otherwise). */
    public long info(String key) {
        String v = vmcoreinfo.get(key);
        if (v == null) {
            throw new IllegalStateException("VMCOREINFO has no " + key);
        }
        return key.startsWith("SYMBOL(") || key.equals("KERNELOFFSET") ? Long.parseUnsignedLong(v, 16) : Long.parseLong(v);
    }

    /**
     * Per-cpu symbols live in a zero-based section and are not moved by KASLR; everything in the
     * kernel image is.
     */
    private long relocate(long linkAddress) {
        return linkAddress < 0 ? linkAddress + kaslrOffset : linkAddress;
    }

    /** The run-time address of a vmlinux symbol. */
    public Optional<Long> symbol(String name) {
        return vmlinux.symbols().byName(name).map(s -> relocate(s.value()));
    }

    public long requireSymbol(String name) {
        return symbol(name).orElseThrow(() -> new IllegalArgumentException("no symbol: " + name));
    }

    /** The vmlinux symbol containing a run-time address, as {@code name+offset}, if any. */
    public Optional<SymbolAt> symbolAt(long address) {
        long link = address - kaslrOffset;
        return vmlinux.symbols().lookup(link).filter(s -> link - s.value() < Math.max(s.size(), 0x100000))
                .map(s -> new SymbolAt(s, relocate(s.value()), address - relocate(s.value())));
    }

    /** A symbol and the offset of an address from it. */
    public record SymbolAt(SymbolTable.Symbol symbol, long address, long offset) {
        public String name() {
            return symbol.name();
        }

        @Override
        public String toString() {
            return offset == 0 ? symbol.name() : symbol.name() + "+" + offset;
        }
    }

    public CType type(String cName) {
        return types.require(cName);
    }

    public Value object(String cType, long address) {
        return new Value(type(cType), address, mem, types);
    }

    /** A global of a given type: {@code global("struct task_struct", "init_task")}. */
    public Value global(String cType, String symbol) {
        return object(cType, requireSymbol(symbol));
    }

    /** {@code __per_cpu_offset[cpu]}. */
    public long perCpuOffset(int cpu) {
        return mem.u64(requireSymbol("__per_cpu_offset") + 8L * cpu);
    }

    /** A per-cpu variable of CPU {@code cpu}. */
    public Value perCpu(String cType, String symbol, int cpu) {
        return object(cType, requireSymbol(symbol) + perCpuOffset(cpu));
    }

    /** CPUs set in a cpumask symbol ({@code __cpu_online_mask}, {@code __cpu_possible_mask}). */
    public List<Integer> cpuMask(String symbol) {
        long addr = requireSymbol(symbol);
        int n = nrCpuIds();
        List<Integer> out = new ArrayList<>();
        for (int word = 0; word * 64 < n; word++) {
            long bits = mem.u64(addr + 8L * word);
            for (int b = 0; b < 64 && word * 64 + b < n; b++) {
                if ((bits & (1L << b)) != 0) {
                    out.add(word * 64 + b);
                }
            }
        }
        return out;
    }

    public int nrCpuIds() {
        return (int) mem.u32(requireSymbol("nr_cpu_ids"));
    }

    /** Release from VMCOREINFO ({@code OSRELEASE}). */
    public String release() {
        return vmcoreinfo.getOrDefault("OSRELEASE", "");
    }
}
