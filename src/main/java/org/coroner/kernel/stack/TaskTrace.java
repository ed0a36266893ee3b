package org.coroner.kernel.stack;

import java.util.ArrayList;
import java.util.List;

import org.coroner.arch.SavedRegisters;
import org.coroner.arch.arm64.unwind.Arm64Frame;
import org.coroner.arch.x86_64.unwind.Frame;
import org.coroner.kernel.Tasks;

/**
 * A task's backtrace as the analyzer reads it on any architecture: the frames innermost first, each
 * a code address with, where an exception (or the CPU note) saved them, the registers of that
 * context. Made from the unwinder of record of the kernel's architecture (ORC on x86_64, frame
 * records on arm64), which stays available for what only it knows ({@link #orc()},
 * {@link #frameRecords()}).
 *
 * @param complete the unwind reached the task's last frame
 */
public record TaskTrace(Tasks.Task task, int cpu, Backtracer.Start start, List<TaskTrace.TraceFrame> frames, boolean complete,
                        String detail, Backtracer.Backtrace orc, Arm64Backtraces.Backtrace frameRecords) {

    /**
     * One frame.
     *
     * @param pc            an exact instruction (the first frame, an interrupted context) or a return address
     * @param returnAddress {@code pc} is a return address: its call is just before it
     * @param sp            the lowest address of the stack this frame's function may use (the inner
     *                      frame's CFA, as close as the unwinder knows it)
     * @param regs          the registers of an interrupted context (exception frame, user entry) or
     *                      of the CPU for the first frame of a running task; else null
     * @param regsAddress   where {@code regs} were saved (0 for a CPU note)
     * @param partialRegs   only part of {@code regs} was saved (x86_64's IRET frame)
     * @param stack         the kind of stack the frame is on ({@code TASK}, {@code IRQ}, ...), or null
     * @param lookupPc      the address to look up in symbols and debug info: {@code pc}, or for a return
     *                      address its call (arm64: the {@code bl} at {@code pc - 4}; x86_64, whose
     *                      calls vary in length: {@code pc - 1}, inside the call)
     */
    public record TraceFrame(long pc, boolean returnAddress, long sp, SavedRegisters regs, long regsAddress,
                             boolean partialRegs, String stack, long lookupPc) {
        /** An interrupted kernel-mode context whose registers were saved on a stack. */
        public boolean isException() {
            return regs != null && regsAddress != 0 && !regs.userMode();
        }

        /** The user-mode registers at the bottom of the task's stack. */
        public boolean isUserRegs() {
            return regs != null && regs.userMode();
        }
    }

    static TaskTrace of(Backtracer.Backtrace b) {
        List<TraceFrame> out = new ArrayList<>(b.frames().size());
        for (Frame f : b.frames()) {
            out.add(new TraceFrame(f.pc(), f.isReturnAddress(), f.sp(), f.regs(), f.regsAddress(), f.partialRegs(),
                    f.stack() == null ? null : f.stack().kind().label(), f.isReturnAddress() ? f.pc() - 1 : f.pc()));
        }
        return new TaskTrace(b.task(), b.cpu(), b.start(), List.copyOf(out),
                b.outcome() != org.coroner.arch.x86_64.unwind.OrcUnwinder.Outcome.ERROR, b.detail(), b, null);
    }

    /**
     * An arm64 backtrace's frames: a pt_regs block the el1 vectors saved becomes the registers of
     * the frame it interrupted (the next, exact one), as x86_64's exception frames are; the user
     * registers at the bottom stay a frame of their own.
     */
    static TaskTrace of(Arm64Backtraces.Backtrace b) {
        List<TraceFrame> out = new ArrayList<>(b.frames().size());
        Arm64Frame pending = null;
        Long innerRecord = null; // kernel addresses are negative as longs: null is none
        for (Arm64Frame f : b.frames()) {
            String stack = f.stack() == null ? null : f.stack().kind().name();
            if (f.isException()) {
                pending = f;
                continue;
            }
            if (f.isUserRegs()) {
                out.add(new TraceFrame(f.regs().pc(), false, f.regs().sp(), f.regs(), f.regsAddress(), false, stack, f.regs().pc()));
                continue;
            }
            boolean ret = !f.exact();
            long sp;
            if (pending != null) {
                out.add(new TraceFrame(f.pc(), false, pending.regs().sp(), pending.regs(), pending.regsAddress(), false,
                        pending.stack() == null ? stack : pending.stack().kind().name(), f.pc()));
                pending = null;
                innerRecord = f.fp();
                continue;
            }
            // the caller's sp is above the inner frame's record {x29, x30}
            sp = f.regs() != null ? f.regs().sp() : innerRecord != null ? innerRecord + 16 : f.fp();
            out.add(new TraceFrame(f.pc(), ret, sp, f.regs(), f.regsAddress(), false, stack, ret ? f.pc() - 4 : f.pc()));
            innerRecord = f.fp();
        }
        return new TaskTrace(b.task(), b.cpu(), b.start(), List.copyOf(out), b.complete(), b.detail(), null, b);
    }
}
