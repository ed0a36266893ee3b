package org.coroner.arch.x86_64.unwind;

/**
 * What an ORC entry says about the frame at an instruction, normalized across the kernel's three
 * ORC formats (see {@link OrcFormat}): older kernels encode "end of stack" as an {@code end} bit on
 * an entry with an undefined SP, newer ones as a type of its own.
 */
public enum OrcType {
    /** No unwind information (the gap after a function, or code objtool could not follow). */
    UNDEFINED,
    /** The bottom of a kernel stack (kthread start, entry code): unwinding ends here, successfully. */
    END_OF_STACK,
    /** A normal function frame: the return address sits just below the previous SP. */
    CALL,
    /** A full {@code struct pt_regs} sits at the previous SP (interrupt, exception, syscall entry). */
    REGS,
    /** Only the hardware IRET frame ({@code pt_regs.ip} onwards) sits at the previous SP. */
    REGS_PARTIAL
}
