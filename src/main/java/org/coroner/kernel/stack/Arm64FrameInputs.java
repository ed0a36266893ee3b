package org.coroner.kernel.stack;

import java.util.ArrayList;
import java.util.List;

import org.coroner.arch.arm64.Arm64DwarfRegisters;
import org.coroner.arch.arm64.unwind.Arm64Frame;
import org.coroner.arch.arm64.unwind.Arm64Registers;
import org.coroner.dwarf.cfi.CfiRow;
import org.coroner.dwarf.cfi.RegisterRecovery;
import org.coroner.dwarf.cfi.RegisterRule;
import org.coroner.dwarf.loc.RegisterFile;
import org.coroner.kernel.Kernel;
import org.coroner.memory.FaultException;

/**
 * What each call frame of an arm64 frame-record backtrace knows of its registers before CFI is asked:
 * the first frame of a running task the CPU's registers; of a sleeping task the registers
 * {@code cpu_switch_to} saved in {@code thread.cpu_context} (x19-x28, fp, sp) for {@code __switch_to};
 * the frame an exception interrupted the registers of its pt_regs. A frame's CFA follows from its frame
 * record: CFI says at which CFA offset the function saved the caller's x29, and that slot is the record
 * the unwinder followed; frames with known registers use their CFI row's rule (sp plus an offset).
 * In DWARF register numbers, for {@link RegisterRecovery}; one input per call frame, in order.
 */
public final class Arm64FrameInputs {
    private static final Arm64DwarfRegisters ARM64 = Arm64DwarfRegisters.INSTANCE;
    private static final String[] SWITCHED = {"x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28"};

    private final Kernel k;
    private final Symbolizer names;
    private final RegisterRecovery.Code cfi;

    public Arm64FrameInputs(Kernel k, Symbolizer names, RegisterRecovery.Code cfi) {
        this.k = k;
        this.names = names;
        this.cfi = cfi;
    }

    public List<RegisterRecovery.FrameInput> of(Arm64Backtraces.Backtrace b) {
        List<RegisterRecovery.FrameInput> out = new ArrayList<>();
        List<Arm64Frame> frames = b.frames();
        Arm64Registers pending = null;
        String pendingSource = null;
        for (int i = 0; i < frames.size(); i++) {
            Arm64Frame f = frames.get(i);
            if (!f.isCall()) {
                pending = f.regs();
                pendingSource = String.format("saved in the exception frame at %x", f.regsAddress());
                continue;
            }
            RegisterFile known = null;
            if (pending != null) {
                known = registers(pending, pendingSource);
                pending = null;
            } else if (i == 0 && f.regs() != null) {
                known = registers(f.regs(), "from the CPU's registers in the dump");
            } else if (i == 0) {
                known = switchFrame(b);
            }
            boolean returnAddress = !f.exact();
            long lookup = returnAddress ? f.pc() - 1 : f.pc();
            String[] missing = new String[1];
            CfiRow row = cfi.row(lookup, missing);
            RegisterRecovery.Cfa cfa;
            if (row == null) {
                cfa = RegisterRecovery.Cfa.none(missing[0]);
            } else if (known == null && row.rules().get(Arm64DwarfRegisters.FP) instanceof RegisterRule.Offset o) {
                // the function saved the caller's x29 at CFA+o, and that slot is its frame record, the
                // very record the unwinder followed: CFA = record - o, with no need of sp
                cfa = RegisterRecovery.Cfa.of(f.fp() - o.offset());
            } else if (row.cfaExpression() != null) {
                cfa = RegisterRecovery.Cfa.none("CFI computes it by an expression");
            } else {
                cfa = RegisterRecovery.Cfa.rule(row.cfaRegister(), row.cfaOffset());
            }
            out.add(new RegisterRecovery.FrameInput(f.pc(), returnAddress, known, cfa,
                    names.lookup(f.pc()).map(Symbolizer.Name::symbol).orElse(String.format("%x", f.pc()))));
        }
        return out;
    }

    private static RegisterFile registers(Arm64Registers r, String source) {
        RegisterFile rf = RegisterFile.unknown(ARM64, "");
        for (int n = 0; n <= Arm64Registers.LR; n++) {
            rf.set(n, r.x(n), source);
        }
        rf.set(Arm64DwarfRegisters.SP, r.sp(), source);
        rf.set(Arm64DwarfRegisters.PC, r.pc(), source);
        return rf;
    }

    /** {@code __switch_to} right after {@code cpu_switch_to} returns into it. */
    private RegisterFile switchFrame(Arm64Backtraces.Backtrace b) {
        RegisterFile rf = RegisterFile.unknown(ARM64, "call-clobbered: not kept when the task switched out");
        if (b.start() == Backtracer.Start.CPU_REGISTERS) {
            return rf;
        }
        var ctx = b.task().task().member("thread.cpu_context");
        for (int n = 0; n < SWITCHED.length; n++) {
            read(rf, 19 + n, ctx, SWITCHED[n]);
        }
        read(rf, Arm64DwarfRegisters.FP, ctx, "fp");
        read(rf, Arm64DwarfRegisters.SP, ctx, "sp");
        return rf;
    }

    private static void read(RegisterFile rf, int reg, org.coroner.types.Value ctx, String field) {
        long at = ctx.member(field).address();
        try {
            rf.set(reg, ctx.member(field).u64(), String.format("saved by cpu_switch_to at %x", at));
        } catch (FaultException e) {
            rf.forget(reg, String.format("saved by cpu_switch_to at %x, which is not in the dump", at));
        }
    }
}
