package org.coroner.kernel.stack;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.coroner.elf.ElfFile;
import org.coroner.kernel.Kernel;
import org.coroner.kernel.Tasks;
import org.coroner.testing.Fixtures;

/**
 * A fixture dump opened as a kernel with its backtracer, once per scenario per test JVM. The one
 * place that opens dumps for these tests (on the stopgap reader until the dump layer lands).
 */
public final class FixtureKernels {
    private static final Map<String, Backtracer> OPEN = new ConcurrentHashMap<>();

    private FixtureKernels() {
    }

    public static Backtracer backtracer(String scenario) {
        return OPEN.computeIfAbsent(scenario, s -> {
            StopgapDump d = StopgapDump.open(s);
            Kernel k = new Kernel(ElfFile.open(Fixtures.vmlinux()), d.vmcoreinfo(), d);
            CpuRegisters cpus = cpu -> cpu >= 0 && cpu < d.cpuRegisters().size()
                    ? Optional.of(d.cpuRegisters().get(cpu)) : Optional.empty();
            return new Backtracer(k, new Tasks(k), cpus);
        });
    }
}
