package org.coroner.arch.arm64.unwind;

/**
 * One frame of an arm64 backtrace.
 *
 * @param pc        the code address: an exact instruction for the first frame and for the
 *                  interrupted context after an exception frame, else a return address (the lr
 *                  saved in a frame record, PAC bits stripped), which the kernel prints as it is
 * @param fp        the frame record this frame's caller is found through (x29 in this frame);
 *                  for an exception frame the address of {@code pt_regs->stackframe}
 * @param stack     the stack {@code fp} lies on, or null
 * @param regs      for an exception frame or the user-mode registers at the bottom: the saved
 *                  pt_regs; for the first frame of a running task the CPU's registers; else null
 * @param regsAddress where the pt_regs are (0 for CPU registers)
 */
public record Arm64Frame(long pc, long fp, Arm64Stack stack, Arm64Registers regs, long regsAddress, boolean exact) {
    /** Registers saved by the exception entry code (a pt_regs on the stack) of a kernel-mode context. */
    public boolean isException() {
        return regs != null && regsAddress != 0 && !regs.userMode();
    }

    /** The user-mode registers at the bottom of the task's stack. */
    public boolean isUserRegs() {
        return regs != null && regsAddress != 0 && regs.userMode();
    }

    /** An ordinary frame line (not a register block). */
    public boolean isCall() {
        return regsAddress == 0;
    }
}
