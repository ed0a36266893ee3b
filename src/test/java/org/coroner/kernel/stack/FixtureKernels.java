package org.coroner.kernel.stack;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.coroner.arch.x86_64.X86_64AddressSpace;
import org.coroner.arch.x86_64.unwind.Registers;
import org.coroner.dump.CpuState;
import org.coroner.dump.Dump;
import org.coroner.dump.DumpFile;
import org.coroner.dump.VmcoreInfo;
import org.coroner.elf.ElfFile;
import org.coroner.kernel.Kernel;
import org.coroner.kernel.Tasks;
import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;
import org.coroner.testing.Fixtures;

/**
 * A fixture dump opened as a kernel with its backtracer, once per scenario per test JVM: the dump
 * layer's {@link DumpFile}, its x86_64 kernel address space, the vmlinux and the CPU notes. (The
 * session wiring of the shell will do the same; until it exists, the tests do it here.)
 */
public final class FixtureKernels {
    private static final Map<String, Backtracer> OPEN = new ConcurrentHashMap<>();

    private FixtureKernels() {
    }

    public static Backtracer backtracer(String scenario) {
        return OPEN.computeIfAbsent(scenario, FixtureKernels::open);
    }

    private static Backtracer open(String scenario) {
        Dump dump = DumpFile.open(Fixtures.vmcoreDir(scenario).resolve("vmcore"));
        VmcoreInfo info = dump.vmcoreInfo().orElseThrow();
        X86_64AddressSpace space = X86_64AddressSpace.kernel(dump.memory(), info, dump.maxPfn() * dump.pageSize());
        VirtualMemory mem = (vaddr, dst, off, len) -> {
            try {
                space.read(vaddr, dst, off, len);
            } catch (org.coroner.dump.FaultException e) {
                throw new FaultException(vaddr, e.getMessage());
            }
        };
        Kernel k = new Kernel(ElfFile.open(Fixtures.vmlinux()), info.entries(), mem);
        List<CpuState> cpus = dump.cpus();
        CpuRegisters regs = cpu -> cpu >= 0 && cpu < cpus.size() ? Registers.fromNames(cpus.get(cpu).registers()) : Optional.empty();
        return new Backtracer(k, new Tasks(k), regs);
    }
}
