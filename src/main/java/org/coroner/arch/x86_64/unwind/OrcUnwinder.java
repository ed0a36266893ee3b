package org.coroner.arch.x86_64.unwind;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;

/**
 * The x86_64 ORC unwinder, following the kernel's own rules ({@code arch/x86/kernel/unwind_orc.c}
 * of the dumped kernel) so that its frames are exactly those the kernel prints without {@code ?}:
 * <ul>
 * <li>a return address is looked up at {@code ip - 1} (the call instruction), an interrupted IP at
 *     {@code ip} itself;</li>
 * <li>CALL frames read the return address below the previous SP; REGS frames read a full
 *     {@code pt_regs}, REGS_PARTIAL ones its IRET frame only, and continue at the interrupted
 *     context;</li>
 * <li>registers other than SP/BP (R10, R13, DI, DX) are known only from the last full pt_regs;</li>
 * <li>every read must lie on a stack the task may use, each stack is entered at most once, and SP
 *     must grow on one stack: otherwise the unwind stops as unreliable;</li>
 * <li>the unwind ends at an END_OF_STACK entry (kthread and entry code) or at user-mode registers.</li>
 * </ul>
 */
public final class OrcUnwinder {
    /** A guard against corrupted stacks; real kernel stacks hold far fewer frames. */
    private static final int MAX_FRAMES = 512;

    private final VirtualMemory mem;
    private final OrcLookup orc;

    public OrcUnwinder(VirtualMemory mem, OrcLookup orc) {
        this.mem = mem;
        this.orc = orc;
    }

    /** The result: the frames, and why the unwind stopped. */
    public record Unwind(List<Frame> frames, Outcome outcome, String detail) {
    }

    public enum Outcome {
        /** Reached the end of a kernel thread's stack or the user-mode registers. */
        COMPLETE,
        /** Stopped on bad or missing data; {@code detail} says what. */
        ERROR
    }

    public Unwind unwind(StartState start, StackMap stacks) {
        return new Walk(start, stacks).run();
    }

    /** The mutable state of one unwind, like the kernel's {@code struct unwind_state}. */
    private final class Walk {
        private final StackMap stacks;
        private final List<Frame> frames = new ArrayList<>();
        private final EnumSet<StackArea.Kind> visited = EnumSet.noneOf(StackArea.Kind.class);
        private long ip;
        private long sp;
        private long bp;
        private boolean signal;
        private Registers regs;
        private long regsAddress;
        private boolean fullRegs;
        private Registers prevRegs;
        private StackArea stack;
        private String error;

        Walk(StartState s, StackMap stacks) {
            this.stacks = stacks;
            this.ip = s.ip();
            this.sp = s.sp();
            this.bp = s.bp();
            this.signal = s.signal();
            this.regs = s.regs();
            this.fullRegs = s.regs() != null;
            this.stack = enter(s.sp()).orElse(null);
            if (stack == null && s.sp() != 0) {
                // Possibly overflowed into a guard page: the kernel tries the next page up.
                stack = enter((s.sp() + 4096) & ~4095L).orElse(null);
            }
            long slot = s.slot() != 0 ? s.slot() : s.sp();
            frames.add(new Frame(ip, slot, sp, areaOf(slot), regs, 0, false));
        }

        Unwind run() {
            try {
                while (next()) {
                    if (frames.size() >= MAX_FRAMES) {
                        return new Unwind(List.copyOf(frames), Outcome.ERROR, "more than " + MAX_FRAMES + " frames");
                    }
                }
            } catch (FaultException e) {
                error = "cannot read " + e.getMessage();
            }
            return new Unwind(List.copyOf(frames), error == null ? Outcome.COMPLETE : Outcome.ERROR, error);
        }

        private StackArea areaOf(long address) {
            if (stack != null && stack.contains(address, 8)) {
                return stack;
            }
            return stacks.find(address).orElse(null);
        }

        /** The kernel's get_stack_info with its visit mask: a stack may be entered only once. */
        private Optional<StackArea> enter(long address) {
            Optional<StackArea> a = stacks.find(address);
            if (a.isEmpty() || !visited.add(a.get().kind())) {
                return Optional.empty();
            }
            return a;
        }

        /** The kernel's stack_access_ok: on the current stack, or on one not yet visited. */
        private boolean accessible(long address, int length) {
            if (stack != null && stack.contains(address, length)) {
                return true;
            }
            Optional<StackArea> a = enter(address);
            if (a.isPresent() && a.get().contains(address, length)) {
                stack = a.get();
                return true;
            }
            return false;
        }

        private long derefStack(long address) {
            if (!accessible(address, 8)) {
                throw new Stop("stack read outside the task's stacks at " + Long.toHexString(address));
            }
            return mem.u64(address);
        }

        /** A register other than SP/BP: known only from the last full pt_regs (or the CPU's). */
        private Optional<Long> reg(int index) {
            if (regs == null) {
                return Optional.empty();
            }
            if (fullRegs) {
                return Optional.of(regs.get(index));
            }
            return prevRegs == null ? Optional.empty() : Optional.of(prevRegs.get(index));
        }

        private boolean next() {
            try {
                return step();
            } catch (Stop s) {
                error = s.getMessage();
                return false;
            }
        }

        private boolean step() {
            if (regs != null && regs.userMode()) {
                return false;
            }
            long origIp = ip;
            long prevSp = sp;
            StackArea.Kind prevKind = stack == null ? null : stack.kind();
            long lookupIp = signal ? ip : ip - 1;
            OrcEntry e = ip == 0 && signal ? OrcEntry.NULL_IP : orc.find(lookupIp).orElse(null);
            if (e == null) {
                // No ORC data (BPF or generated code): guess a frame-pointer frame, as the kernel does.
                e = OrcEntry.FRAME_POINTER;
            }
            switch (e.type()) {
                case END_OF_STACK:
                    return false;
                case UNDEFINED:
                    throw new Stop("no unwind information at " + Long.toHexString(origIp));
                default:
                    break;
            }

            long newSp;
            boolean indirect = false;
            switch (e.spReg()) {
                case OrcEntry.REG_SP -> newSp = sp + e.spOffset();
                case OrcEntry.REG_BP -> newSp = bp + e.spOffset();
                case OrcEntry.REG_SP_INDIRECT -> {
                    newSp = sp;
                    indirect = true;
                }
                case OrcEntry.REG_BP_INDIRECT -> {
                    newSp = bp + e.spOffset();
                    indirect = true;
                }
                case OrcEntry.REG_R10 -> newSp = reg(Registers.R10).orElseThrow(() -> missing("R10", origIp));
                case OrcEntry.REG_R13 -> newSp = reg(Registers.R13).orElseThrow(() -> missing("R13", origIp));
                case OrcEntry.REG_DI -> newSp = reg(Registers.DI).orElseThrow(() -> missing("DI", origIp));
                case OrcEntry.REG_DX -> newSp = reg(Registers.DX).orElseThrow(() -> missing("DX", origIp));
                default -> throw new Stop("unknown ORC SP base register " + e.spReg() + " at " + Long.toHexString(origIp));
            }
            if (indirect) {
                newSp = derefStack(newSp);
                if (e.spReg() == OrcEntry.REG_SP_INDIRECT) {
                    newSp += e.spOffset();
                }
            }

            long newIp;
            long slot;
            switch (e.type()) {
                case CALL -> {
                    slot = newSp - 8;
                    newIp = derefStack(slot);
                    sp = newSp;
                    regs = null;
                    regsAddress = 0;
                    prevRegs = null;
                    signal = false;
                }
                case REGS -> {
                    if (!accessible(newSp, Registers.SIZE)) {
                        throw new Stop("cannot access registers at " + Long.toHexString(newSp));
                    }
                    Registers r = Registers.read(mem, newSp);
                    newIp = r.ip();
                    slot = newSp + Registers.IRET_FRAME_OFFSET;
                    sp = r.sp();
                    regs = r;
                    regsAddress = newSp;
                    fullRegs = true;
                    prevRegs = null;
                    signal = true;
                }
                case REGS_PARTIAL -> {
                    if (!accessible(newSp, Registers.IRET_FRAME_SIZE)) {
                        throw new Stop("cannot access IRET registers at " + Long.toHexString(newSp));
                    }
                    Registers r = Registers.readIret(mem, newSp);
                    newIp = r.ip();
                    slot = newSp;
                    sp = r.sp();
                    if (fullRegs) {
                        prevRegs = regs;
                    }
                    regs = r;
                    regsAddress = newSp - Registers.IRET_FRAME_OFFSET;
                    fullRegs = false;
                    signal = true;
                }
                default -> throw new Stop("unknown ORC entry type at " + Long.toHexString(origIp));
            }

            switch (e.bpReg()) {
                case OrcEntry.REG_UNDEFINED -> reg(Registers.BP).ifPresent(v -> bp = v);
                case OrcEntry.REG_PREV_SP -> bp = derefStack(newSp + e.bpOffset());
                case OrcEntry.REG_BP -> bp = derefStack(bp + e.bpOffset());
                default -> throw new Stop("unknown ORC BP base register " + e.bpReg() + " at " + Long.toHexString(origIp));
            }
            ip = newIp;

            if (stack != null && stack.kind() == prevKind && stack.contains(sp, 8)
                    && Long.compareUnsigned(sp, prevSp) <= 0) {
                throw new Stop("stack going in the wrong direction at " + Long.toHexString(origIp));
            }
            boolean isRegs = e.type() != OrcType.CALL;
            frames.add(new Frame(ip, slot, sp, areaOf(slot), isRegs ? regs : null,
                    isRegs ? regsAddress : 0, e.type() == OrcType.REGS_PARTIAL));
            return true;
        }

        private Stop missing(String reg, long at) {
            return new Stop("missing " + reg + " value at " + Long.toHexString(at));
        }
    }

    /** Ends an unwind as unreliable, with the kernel's reason. */
    private static final class Stop extends RuntimeException {
        Stop(String message) {
            super(message, null, false, false);
        }
    }
}
