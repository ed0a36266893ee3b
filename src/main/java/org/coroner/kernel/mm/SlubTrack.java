package org.coroner.kernel.mm;

import java.util.List;

/**
 * Who last allocated or freed an object of a SLAB_STORE_USER cache ({@code struct track}).
 *
 * @param caller  {@code addr}: the return address of the allocation or free call
 * @param cpu     the CPU it ran on
 * @param pid     the task's PID
 * @param when    {@code jiffies} at the time
 * @param handle  the stack depot handle (0: none recorded)
 * @param stack   the stack from the stack depot, innermost first (empty without a handle or when the
 *                depot's record is not in the dump; {@code stackProblem} then says why)
 */
public record SlubTrack(boolean alloc, long caller, int cpu, int pid, long when, int handle, List<Long> stack,
                        String stackProblem) {
    /** A track that was never written ({@code addr == 0}). */
    public boolean empty() {
        return caller == 0;
    }
}
