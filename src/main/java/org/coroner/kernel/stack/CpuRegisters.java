package org.coroner.kernel.stack;

import java.util.Optional;

import org.coroner.arch.x86_64.unwind.Registers;

/**
 * The registers each CPU held when the dump was taken (NT_PRSTATUS notes, QEMU CPU state), or
 * that the kernel saved for it at the crash ({@code crash_setup_regs}, the NMI that stopped it).
 */
@FunctionalInterface
public interface CpuRegisters {
    Optional<Registers> of(int cpu);

    static CpuRegisters none() {
        return cpu -> Optional.empty();
    }
}
