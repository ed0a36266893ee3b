package org.coroner.kernel.stack;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.arch.x86_64.X86_64DwarfRegisters;
import org.coroner.arch.x86_64.unwind.Frame;
import org.coroner.arch.x86_64.unwind.OrcEntry;
import org.coroner.arch.x86_64.unwind.OrcType;
import org.coroner.arch.x86_64.unwind.Registers;
import org.coroner.dwarf.cfi.RegisterRecovery;
import org.coroner.dwarf.loc.RegisterFile;
import org.coroner.kernel.Kernel;
import org.coroner.memory.FaultException;
import org.coroner.types.CType;

/**
 * What each frame of an x86_64 ORC backtrace knows of its registers before CFI is asked: the first
 * frame the CPU's registers (a running task) or the callee-saved registers {@code __switch_to_asm}
 * pushed into the {@code inactive_task_frame} (a sleeping task); an exception frame the registers of
 * its {@code pt_regs} (only the IRET frame for a partial one); and each frame's CFA as ORC computes
 * it. In DWARF register numbers, for {@link RegisterRecovery}.
 */
public final class X86_64FrameInputs {
    private static final X86_64DwarfRegisters X86 = X86_64DwarfRegisters.INSTANCE;
    /** pt_regs index of each DWARF register 0-16. */
    private static final int[] PT_REGS = {Registers.AX, Registers.DX, Registers.CX, Registers.BX, Registers.SI, Registers.DI,
        Registers.BP, Registers.SP, Registers.R8, Registers.R9, Registers.R10, Registers.R11, Registers.R12, Registers.R13,
        Registers.R14, Registers.R15, Registers.IP};
    private static final String[][] SWITCH_FRAME = {{"bx", "3"}, {"bp", "6"}, {"r12", "12"}, {"r13", "13"}, {"r14", "14"},
        {"r15", "15"}};

    private final Kernel k;
    private final KernelOrc orc;
    private final Symbolizer names;

    public X86_64FrameInputs(Kernel k, KernelOrc orc, Symbolizer names) {
        this.k = k;
        this.orc = orc;
        this.names = names;
    }

    public List<RegisterRecovery.FrameInput> of(Backtracer.Backtrace b) {
        List<Frame> frames = b.frames();
        List<RegisterRecovery.FrameInput> out = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            Frame f = frames.get(i);
            RegisterFile known = null;
            if (f.regs() != null) {
                String src = f.regsAddress() == 0 ? "from the CPU's registers in the dump"
                        : String.format("saved in the exception frame at %x", f.regsAddress());
                known = f.partialRegs() ? partial(f) : ptRegs(f.regs(), src);
            } else if (i == 0) {
                known = switchFrame(b, f);
            }
            Frame next = i + 1 < frames.size() ? frames.get(i + 1) : null;
            out.add(new RegisterRecovery.FrameInput(f.pc(), f.isReturnAddress(), known, cfa(f, next),
                    names.frame(f.pc(), f.isReturnAddress()).map(Symbolizer.Name::symbol).orElse(String.format("%x", f.pc()))));
        }
        return out;
    }

    private static RegisterFile ptRegs(Registers r, String source) {
        RegisterFile rf = RegisterFile.unknown(X86, "");
        for (int n = 0; n < PT_REGS.length; n++) {
            rf.set(n, r.get(PT_REGS[n]), source);
        }
        return rf;
    }

    private static RegisterFile partial(Frame f) {
        RegisterFile rf = RegisterFile.unknown(X86, String.format(
                "not saved: the exception frame at %x holds only the IRET registers (rip, rsp, rflags)", f.regsAddress()));
        String src = String.format("saved in the IRET frame at %x", f.regsAddress() + Registers.IRET_FRAME_OFFSET);
        rf.set(X86_64DwarfRegisters.RIP, f.regs().ip(), src);
        rf.set(X86_64DwarfRegisters.RSP, f.regs().sp(), src);
        return rf;
    }

    /** A sleeping task's first frame: {@code __schedule} right after {@code __switch_to_asm} returns into it. */
    private RegisterFile switchFrame(Backtracer.Backtrace b, Frame f) {
        RegisterFile rf = RegisterFile.unknown(X86, "call-clobbered: not kept when the task switched out");
        rf.set(X86_64DwarfRegisters.RSP, f.sp(), null);
        if (b.start() == Backtracer.Start.CPU_REGISTERS) {
            return rf;
        }
        CType frame = k.type("struct inactive_task_frame");
        long base = f.slot() - frame.field("ret_addr").orElseThrow().offset();
        for (String[] reg : SWITCH_FRAME) {
            int n = Integer.parseInt(reg[1]);
            Optional<CType.Field> field = frame.field(reg[0]);
            if (field.isEmpty()) {
                rf.forget(n, "this kernel's inactive_task_frame has no " + reg[0]);
                continue;
            }
            long at = base + field.get().offset();
            try {
                rf.set(n, k.memory().u64(at), String.format("saved by __switch_to_asm at %x", at));
            } catch (FaultException e) {
                rf.forget(n, String.format("saved by __switch_to_asm at %x, which is not in the dump", at));
            }
        }
        return rf;
    }

    /** ORC's CFA: the SP after return to the caller (the next frame's SP when it is a call frame). */
    private RegisterRecovery.Cfa cfa(Frame f, Frame next) {
        if (next != null && next.isReturnAddress()) {
            return RegisterRecovery.Cfa.of(next.sp());
        }
        long lookup = f.isReturnAddress() ? f.pc() - 1 : f.pc();
        Optional<OrcEntry> e = orc.find(lookup);
        if (e.isEmpty()) {
            return RegisterRecovery.Cfa.none("ORC has no entry for this code");
        }
        if (e.get().type() != OrcType.CALL) {
            return RegisterRecovery.Cfa.none("ORC describes this code as " + e.get().type() + ", not a function's call frame");
        }
        return switch (e.get().spReg()) {
            case OrcEntry.REG_SP -> RegisterRecovery.Cfa.rule(X86_64DwarfRegisters.RSP, e.get().spOffset());
            case OrcEntry.REG_BP -> RegisterRecovery.Cfa.rule(X86_64DwarfRegisters.RBP, e.get().spOffset());
            default -> RegisterRecovery.Cfa.none("ORC computes it from a register stack-realigned code keeps (" + e.get().describe() + ")");
        };
    }
}
