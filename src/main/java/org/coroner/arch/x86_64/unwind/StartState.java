package org.coroner.arch.x86_64.unwind;

import org.coroner.memory.VirtualMemory;

/**
 * Where an unwind begins: the registers of a CPU (a running task, from the dump's CPU notes), or a
 * sleeping task's switch frame.
 *
 * @param ip     first frame's code address
 * @param sp     SP in the first frame
 * @param bp     BP in the first frame
 * @param regs   the full register set when known (CPU notes), else null
 * @param signal {@code ip} is an exact instruction, not a return address
 * @param slot   where {@code ip} was read from (0 when it came from registers)
 */
public record StartState(long ip, long sp, long bp, Registers regs, boolean signal, long slot) {
    /** A context the CPU was executing (NT_PRSTATUS or a register snapshot). */
    public static StartState ofRegisters(Registers regs) {
        return new StartState(regs.ip(), regs.sp(), regs.bp(), regs, true, 0);
    }

    /**
     * A task switched out by {@code __switch_to_asm}: {@code thread.sp} points to its
     * {@code struct inactive_task_frame} (callee-saved registers, then {@code bp}, then the return
     * address into {@code __schedule}); the frame's SP is just above it.
     *
     * @param frameSize       {@code sizeof(struct inactive_task_frame)}
     * @param bpOffset        {@code offsetof(struct inactive_task_frame, bp)}
     * @param retAddrOffset   {@code offsetof(struct inactive_task_frame, ret_addr)}
     * @param retFromFork     address of {@code ret_from_fork}: a task that never ran returns there,
     *                        into code whose ORC describes the instruction itself
     */
    public static StartState ofInactiveTask(VirtualMemory mem, long threadSp, int frameSize, int bpOffset,
                                            int retAddrOffset, long retFromFork) {
        long ip = mem.u64(threadSp + retAddrOffset);
        long bp = mem.u64(threadSp + bpOffset);
        return new StartState(ip, threadSp + frameSize, bp, null, ip == retFromFork, threadSp + retAddrOffset);
    }
}
