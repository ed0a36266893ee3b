package org.coroner.arch.x86_64.unwind;

/**
 * One frame of a backtrace.
 *
 * @param pc           the frame's code address: a return address for call frames, the exact
 *                     interrupted instruction for the first frame and for exception frames
 * @param slot         where {@code pc} was found: the stack slot of the return address, the address
 *                     of {@code pt_regs.ip} for an exception frame, or the SP of the first frame
 * @param sp           the stack pointer in this frame (the value of SP just after the call returned
 *                     to {@code pc}'s function, or the interrupted SP)
 * @param stack        the stack {@code slot} lies on, or null when it lies on none known
 * @param regs         for an exception frame (and the first frame when it starts from CPU registers):
 *                     the saved registers; null for a call frame
 * @param regsAddress  where {@code regs} are in memory (0 for registers from a CPU note)
 * @param partialRegs  only the IRET frame of {@code regs} is valid (ORC REGS_PARTIAL)
 */
public record Frame(long pc, long slot, long sp, StackArea stack, Registers regs, long regsAddress, boolean partialRegs) {
    /** An interrupted context whose registers were saved on a stack (an exception frame). */
    public boolean isException() {
        return regs != null && regsAddress != 0;
    }

    /** {@code pc} is a return address (symbolize it at {@code pc - 1}), not an exact instruction. */
    public boolean isReturnAddress() {
        return regs == null;
    }

    /** The saved registers are user-mode ones: the bottom of the kernel stack. */
    public boolean isUserRegs() {
        return regs != null && regs.userMode();
    }
}
