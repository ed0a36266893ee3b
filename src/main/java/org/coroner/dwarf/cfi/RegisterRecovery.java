package org.coroner.dwarf.cfi;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import org.coroner.arch.DwarfRegisters;
import org.coroner.dwarf.loc.DwarfExpression;
import org.coroner.dwarf.loc.RegisterFile;
import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;

/**
 * The registers of every frame of a backtrace the unwinder of record (ORC, frame records) already
 * found: from the innermost frame whose registers are known (CPU registers, an exception frame's
 * saved registers, a sleeping task's switch frame) outwards, each caller's registers by the callee's
 * CFI row at its pc: saved slots, same values, and the psABI's callee-saved convention where the CFI
 * says nothing. The unwinder's CFA is used, never CFI's; where both are known and differ, the
 * difference is recorded.
 */
public final class RegisterRecovery {
    /**
     * One frame as the unwinder found it.
     *
     * @param pc            the frame's code address (run-time)
     * @param returnAddress {@code pc} is a return address: the frame is at the call, {@code pc - 1}
     * @param known         the registers known without CFI (an exception frame, the first frame), else null
     * @param cfa           the unwinder's CFA of this frame
     * @param function      the frame's function, for reasons
     */
    public record FrameInput(long pc, boolean returnAddress, RegisterFile known, Cfa cfa, String function) {
        public long lookupPc() {
            return returnAddress ? pc - 1 : pc;
        }
    }

    /** The unwinder's CFA: a value, or a register plus offset, or the reason there is none. */
    public record Cfa(OptionalLong value, int register, long offset, String reason) {
        public static Cfa of(long value) {
            return new Cfa(OptionalLong.of(value), -1, 0, null);
        }

        public static Cfa rule(int register, long offset) {
            return new Cfa(OptionalLong.empty(), register, offset, null);
        }

        public static Cfa none(String reason) {
            return new Cfa(OptionalLong.empty(), -1, 0, reason);
        }
    }

    /** The CFI row at a run-time pc, or why there is none. */
    public interface Code {
        /** The row, or null with {@code missing[0]} set to the reason. */
        CfiRow row(long pc, String[] missing);
    }

    /** Per frame: its registers, its CFA (or why not), and where CFI's CFA differed from the unwinder's. */
    public record Recovered(List<RegisterFile> registers, List<OptionalLong> cfa, List<String> cfaUnknown,
                            List<CfaMismatch> cfaMismatches) {
    }

    /**
     * A frame where CFI's CFA is not the unwinder's. Known cause on x86_64: code that switches stacks
     * inside inline assembly ({@code call_on_irqstack}): the compiler's CFI cannot see the switch,
     * objtool's ORC can ({@code sp_indirect}). Saved-register slots stay relative to the true CFA.
     */
    public record CfaMismatch(String function, long pc, int frame, long unwinderCfa, long cfiCfa, String cfiRule) {
        @Override
        public String toString() {
            return String.format("%s at %x: unwinder CFA %x, CFI CFA %x (%s)", function, pc, unwinderCfa, cfiCfa, cfiRule);
        }
    }

    private RegisterRecovery() {
    }

    public static Recovered recover(List<FrameInput> frames, Code code, VirtualMemory mem, DwarfRegisters arch) {
        List<RegisterFile> regs = new ArrayList<>();
        List<OptionalLong> cfas = new ArrayList<>();
        List<String> why = new ArrayList<>();
        List<CfaMismatch> mismatches = new ArrayList<>();
        RegisterFile cur = null;
        for (int i = 0; i < frames.size(); i++) {
            FrameInput f = frames.get(i);
            if (f.known() != null) {
                cur = f.known().copy();
            } else if (cur == null) {
                cur = RegisterFile.unknown(arch, "no frame further in knows it");
            }
            cur.set(arch.returnAddress(), f.pc(), null);
            OptionalLong cfa = f.cfa().value();
            String cfaWhy = f.cfa().reason();
            if (cfa.isEmpty() && f.cfa().register() >= 0) {
                if (cur.known(f.cfa().register())) {
                    cfa = OptionalLong.of(cur.value(f.cfa().register()) + f.cfa().offset());
                } else {
                    cfaWhy = "it is " + arch.display(f.cfa().register()) + signed(f.cfa().offset()) + ", and "
                            + arch.display(f.cfa().register()) + " is not known";
                }
            }
            regs.add(cur);
            cfas.add(cfa);
            why.add(cfa.isPresent() ? null : cfaWhy);
            String[] missing = new String[1];
            CfiRow row = code.row(f.lookupPc(), missing);
            if (row != null && cfa.isPresent()) {
                OptionalLong cfiCfa = cfiCfa(row, cur, mem);
                if (cfiCfa.isPresent() && cfiCfa.getAsLong() != cfa.getAsLong()) {
                    mismatches.add(new CfaMismatch(f.function(), f.pc(), i, cfa.getAsLong(), cfiCfa.getAsLong(),
                            arch.display(row.cfaRegister()) + signed(row.cfaOffset())));
                }
            }
            if (i + 1 < frames.size() && frames.get(i + 1).known() == null) {
                cur = caller(cur, row, missing[0], cfa, cfaWhy, f.function(), mem, arch);
                if (cfa.isPresent()) {
                    regsSetSp(cur, arch, cfa.getAsLong(), f.function());
                } else {
                    cur.forget(arch.stackPointer(), "the CFA of " + f.function() + " is not known");
                }
            }
        }
        return new Recovered(List.copyOf(regs), List.copyOf(cfas), java.util.Collections.unmodifiableList(why),
                List.copyOf(mismatches));
    }

    private static void regsSetSp(RegisterFile r, DwarfRegisters arch, long cfa, String callee) {
        r.set(arch.stackPointer(), cfa, "the CFA of " + callee);
    }

    private static OptionalLong cfiCfa(CfiRow row, RegisterFile cur, VirtualMemory mem) {
        if (row.cfaExpression() != null || !cur.known(row.cfaRegister())) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(cur.value(row.cfaRegister()) + row.cfaOffset());
    }

    /** The caller's registers from the callee's {@code cur} and its CFI row (null: no CFI, {@code missing} says why). */
    static RegisterFile caller(RegisterFile cur, CfiRow row, String missing, OptionalLong cfa, String cfaWhy, String callee,
                               VirtualMemory mem, DwarfRegisters arch) {
        RegisterFile out = RegisterFile.unknown(arch, "");
        for (int r = 0; r < arch.count(); r++) {
            if (r == arch.stackPointer() || r == arch.returnAddress()) {
                continue;
            }
            if (row == null) {
                out.forget(r, "not known: " + missing);
                continue;
            }
            RegisterRule rule = row.rule(r);
            if (rule == null) {
                rule = arch.calleeSaved(r) ? new RegisterRule.SameValue() : null;
            }
            switch (rule) {
                case null -> out.forget(r, "call-clobbered: " + callee + " need not preserve it");
                case RegisterRule.SameValue s -> copy(cur, out, r, r);
                case RegisterRule.Undefined u -> out.forget(r, callee + "'s CFI says it is not preserved");
                case RegisterRule.InRegister ir -> copy(cur, out, ir.register(), r);
                case RegisterRule.Offset o -> {
                    if (cfa.isEmpty()) {
                        out.forget(r, "saved by " + callee + " at CFA" + signed(o.offset()) + ", but that CFA is not known: " + cfaWhy);
                    } else {
                        long at = cfa.getAsLong() + o.offset();
                        try {
                            out.set(r, mem.u64(at), String.format("saved by %s at %x", callee, at));
                        } catch (FaultException e) {
                            out.forget(r, String.format("saved by %s at %x, which is not in the dump", callee, at));
                        }
                    }
                }
                case RegisterRule.ValOffset v -> {
                    if (cfa.isEmpty()) {
                        out.forget(r, "CFA" + signed(v.offset()) + " in " + callee + ", but that CFA is not known");
                    } else {
                        out.set(r, cfa.getAsLong() + v.offset(), "CFA" + signed(v.offset()) + " of " + callee);
                    }
                }
                case RegisterRule.Expression e -> expression(cur, out, r, e.expression(), false, cfa, callee, mem);
                case RegisterRule.ValExpression e -> expression(cur, out, r, e.expression(), true, cfa, callee, mem);
            }
        }
        return out;
    }

    private static void copy(RegisterFile from, RegisterFile to, int src, int dst) {
        if (from.known(src)) {
            to.set(dst, from.value(src), from.why(src));
        } else {
            to.forget(dst, from.why(src));
        }
    }

    private static void expression(RegisterFile cur, RegisterFile out, int r, byte[] expr, boolean isValue, OptionalLong cfa,
                                   String callee, VirtualMemory mem) {
        if (cfa.isEmpty()) {
            out.forget(r, "found by a CFI expression of " + callee + " from its CFA, which is not known");
            return;
        }
        DwarfExpression.Frame f = new DwarfExpression.Frame(cur, cfa, null, mem, DwarfExpression.EntryValues.NONE,
                DwarfExpression.Relocation.NONE);
        DwarfExpression.Result res = DwarfExpression.evaluate(expr, f, cfa.getAsLong());
        long v;
        switch (res) {
            case DwarfExpression.InMemory m -> v = m.address();
            case DwarfExpression.Computed c -> v = c.value();
            default -> {
                out.forget(r, "a CFI expression of " + callee + " that is not a plain address: " + res.where());
                return;
            }
        }
        if (isValue) {
            out.set(r, v, "computed by " + callee + "'s CFI");
            return;
        }
        try {
            out.set(r, mem.u64(v), String.format("saved by %s at %x", callee, v));
        } catch (FaultException e) {
            out.forget(r, String.format("saved by %s at %x, which is not in the dump", callee, v));
        }
    }

    static String signed(long off) {
        return off < 0 ? "-0x" + Long.toHexString(-off) : "+0x" + Long.toHexString(off);
    }
}
