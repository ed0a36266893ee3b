package org.coroner.arch.arm64.unwind;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongPredicate;

import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;

/**
 * The arm64 frame-record unwinder, following the rules of the dumped kernel's own
 * ({@code arch/arm64/kernel/stacktrace.c}, 6.1) so that its frames are the ones the kernel prints:
 * <ul>
 * <li>each frame record is {@code {fp, lr}} at x29; the next frame's pc is the saved lr with PAC bits
 *     stripped, printed as it is (no {@code - 4});</li>
 * <li>the unwind ends at the task's final frame record, {@code task_pt_regs(task)->stackframe}
 *     (entry from user mode and {@code ret_from_fork} leave it there);</li>
 * <li>a record must be 8-aligned and lie on a stack the task may use; on one stack records must
 *     climb, and a stack left once is never entered again;</li>
 * <li>the exception entry code stores a record in {@code pt_regs->stackframe}: when a frame's pc is
 *     in the entry text and its record is not the final one, the frame is followed by the saved
 *     registers (crash's exception frame) and the interrupted pc.</li>
 * </ul>
 */
public final class FrameRecordUnwinder {
    private static final int MAX_FRAMES = 512;

    private final VirtualMemory mem;
    private final LongPredicate entryText;
    private final PtRegsLayout ptRegs;
    private final int vaBits;

    /**
     * @param entryText  true for addresses in the exception entry text ({@code __entry_text_start ..
     *                   __entry_text_end}), whose frame records live in pt_regs
     * @param vaBits     virtual address bits: PAC bits lie above them
     */
    public FrameRecordUnwinder(VirtualMemory mem, LongPredicate entryText, PtRegsLayout ptRegs, int vaBits) {
        this.mem = mem;
        this.entryText = entryText;
        this.ptRegs = ptRegs;
        this.vaBits = vaBits;
    }

    /** {@code sizeof(struct pt_regs)} and {@code offsetof(struct pt_regs, stackframe)}, from the kernel's types. */
    public record PtRegsLayout(int size, int stackframeOffset) {
        public Arm64Registers read(VirtualMemory mem, long address) {
            long[] w = new long[36];
            for (int i = 0; i < w.length; i++) {
                w[i] = mem.u64(address + 8L * i);
            }
            return Arm64Registers.ofPtRegs(w);
        }
    }

    /** Where a walk starts: a frame record and the first pc (exact or a return address). */
    public record Start(long pc, long fp, Arm64Registers regs, boolean exact) {
    }

    /**
     * The result.
     *
     * @param complete reached the final frame record (the regular end of a task's stack)
     * @param detail   why the walk stopped when not complete
     */
    public record Unwind(List<Arm64Frame> frames, boolean complete, String detail) {
    }

    /** The kernel's {@code ptrauth_strip_insn_pac}: PAC bits above the VA bits made canonical again. */
    public long stripPac(long lr) {
        long pacMask = -1L << vaBits;
        return (lr & (1L << 55)) != 0 ? lr | pacMask : lr & ~(pacMask & ~(-1L << 55));
    }

    /**
     * @param stacks     the stacks the task may use, by address
     * @param finalFrame {@code task_pt_regs(task)->stackframe}
     */
    public Unwind unwind(Start start, Function<Long, Optional<Arm64Stack>> stacks, long finalFrame) {
        List<Arm64Frame> frames = new ArrayList<>();
        EnumSet<Arm64Stack.Kind> done = EnumSet.noneOf(Arm64Stack.Kind.class);
        long pc = start.pc();
        long fp = start.fp();
        boolean exact = start.exact();
        Arm64Registers regs = start.regs();
        Arm64Stack prev = null;
        long prevFp = 0;
        while (frames.size() < MAX_FRAMES) {
            Optional<Arm64Stack> on = stacks.apply(fp);
            frames.add(new Arm64Frame(pc, fp, on.orElse(null), regs, 0, exact));
            regs = null;
            if (fp == finalFrame) {
                long ptRegsAt = finalFrame - ptRegs.stackframeOffset();
                try {
                    Arm64Registers user = ptRegs.read(mem, ptRegsAt);
                    if (user.userMode()) {
                        frames.add(new Arm64Frame(user.pc(), fp, on.orElse(null), user, ptRegsAt, true));
                    }
                } catch (FaultException e) {
                    return new Unwind(frames, false, "cannot read the final pt_regs: " + e.getMessage());
                }
                return new Unwind(frames, true, "");
            }
            if (fp == 0) {
                return new Unwind(frames, false, "frame pointer is 0 before the task's final frame");
            }
            if ((fp & 7) != 0) {
                return new Unwind(frames, false, String.format("misaligned frame record at %x", fp));
            }
            long at = fp;
            Optional<Arm64Stack> stack = stacks.apply(fp).filter(x -> x.contains(at, 16));
            if (stack.isEmpty()) {
                return new Unwind(frames, false, String.format("frame record at %x is on none of the task's stacks", fp));
            }
            Arm64Stack s = stack.get();
            if (prev != null) {
                if (s.kind() == prev.kind()) {
                    if (Long.compareUnsigned(fp, prevFp) <= 0) {
                        return new Unwind(frames, false, String.format("frame record at %x is not above the previous one at %x",
                                fp, prevFp));
                    }
                } else {
                    if (done.contains(s.kind())) {
                        return new Unwind(frames, false, "the unwind returned to the " + s.kind().crashName() + " it had left");
                    }
                    done.add(prev.kind());
                }
            }
            long nextFp;
            long nextPc;
            try {
                nextFp = mem.u64(fp);
                nextPc = stripPac(mem.u64(fp + 8));
            } catch (FaultException e) {
                return new Unwind(frames, false, "cannot read the frame record: " + e.getMessage());
            }
            if (entryText.test(pc) && !exact) {
                // an exception vector's record is pt_regs->stackframe: the interrupted context follows
                long regsAt = fp - ptRegs.stackframeOffset();
                try {
                    Arm64Registers saved = ptRegs.read(mem, regsAt);
                    if (!saved.userMode()) {
                        frames.add(new Arm64Frame(saved.pc(), fp, s, saved, regsAt, true));
                    }
                } catch (FaultException e) {
                    return new Unwind(frames, false, "cannot read the exception frame's pt_regs: " + e.getMessage());
                }
                exact = true;
            } else {
                exact = false;
            }
            prev = s;
            prevFp = fp;
            pc = nextPc;
            fp = nextFp;
        }
        return new Unwind(frames, false, "more than " + MAX_FRAMES + " frames");
    }
}
