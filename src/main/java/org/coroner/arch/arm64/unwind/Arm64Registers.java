package org.coroner.arch.arm64.unwind;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * The AArch64 general registers of one context, in {@code struct user_pt_regs} order (x0-x30, sp,
 * pc, pstate: the {@code pr_reg} of an {@code NT_PRSTATUS} note and the start of the kernel's
 * {@code struct pt_regs}), plus {@code orig_x0} and {@code syscallno} when read from a pt_regs.
 */
public final class Arm64Registers implements org.coroner.arch.SavedRegisters {
    public static final int FP = 29;
    public static final int LR = 30;
    public static final int SP = 31;
    public static final int PC = 32;
    public static final int PSTATE = 33;
    public static final int ORIG_X0 = 34;
    public static final int SYSCALLNO = 35;
    private static final int COUNT = 36;

    private static final java.util.List<String> GENERAL = java.util.stream.IntStream.rangeClosed(0, LR)
            .mapToObj(i -> "x" + i).toList();
    private static final java.util.List<String> ARGUMENTS = java.util.List.of("x0", "x1", "x2", "x3");

    private final long[] v;
    private final boolean fromPtRegs;

    private Arm64Registers(long[] v, boolean fromPtRegs) {
        this.v = v;
        this.fromPtRegs = fromPtRegs;
    }

    /**
     * Registers from a dump note decoded by name ({@code x0} .. {@code x30}, {@code sp}, {@code pc},
     * {@code pstate}); empty when it has no {@code pc} and {@code sp}.
     */
    public static Optional<Arm64Registers> fromNames(Map<String, Long> named) {
        if (!named.containsKey("pc") || !named.containsKey("sp")) {
            return Optional.empty();
        }
        long[] v = new long[COUNT];
        for (int i = 0; i <= LR; i++) {
            v[i] = named.getOrDefault("x" + i, 0L);
        }
        v[SP] = named.get("sp");
        v[PC] = named.get("pc");
        v[PSTATE] = named.getOrDefault("pstate", 0L);
        return Optional.of(new Arm64Registers(v, false));
    }

    /**
     * A {@code struct pt_regs} whose words are {@code words}: 34 user_pt_regs words, then
     * {@code orig_x0} and {@code syscallno} (a signed 64-bit word in 6.1, two 32-bit halves later: the
     * low half is read).
     */
    public static Arm64Registers ofPtRegs(long[] words) {
        long[] v = Arrays.copyOf(words, COUNT);
        v[SYSCALLNO] = (int) v[SYSCALLNO];
        return new Arm64Registers(v, true);
    }

    public long get(int index) {
        return v[index];
    }

    public long x(int n) {
        return v[n];
    }

    @Override
    public long pc() {
        return v[PC];
    }

    @Override
    public long sp() {
        return v[SP];
    }

    public long fp() {
        return v[FP];
    }

    public long lr() {
        return v[LR];
    }

    public long pstate() {
        return v[PSTATE];
    }

    @Override
    public Map<String, Long> named() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i <= LR; i++) {
            m.put("x" + i, v[i]);
        }
        m.put("sp", v[SP]);
        m.put("pc", v[PC]);
        m.put("pstate", v[PSTATE]);
        return m;
    }

    @Override
    public java.util.List<String> generalPurpose() {
        return GENERAL;
    }

    @Override
    public java.util.List<String> arguments() {
        return ARGUMENTS;
    }

    @Override
    public java.util.OptionalLong link() {
        return java.util.OptionalLong.of(lr());
    }

    @Override
    public org.coroner.arch.DwarfRegisters numbering() {
        return org.coroner.arch.arm64.Arm64DwarfRegisters.INSTANCE;
    }

    @Override
    public String display(String name) {
        return name;
    }

    @Override
    public String pcName() {
        return "pc";
    }

    /** Read from a saved pt_regs (so {@code orig_x0}/{@code syscallno} are known). */
    public boolean fromPtRegs() {
        return fromPtRegs;
    }

    /** PSTATE.M is EL0t: the context was in user mode. */
    @Override
    public boolean userMode() {
        return (v[PSTATE] & 0xf) == 0;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i <= LR; i++) {
            sb.append('x').append(i).append('=').append(Long.toHexString(v[i])).append(' ');
        }
        return sb.append("sp=").append(Long.toHexString(v[SP])).append(" pc=").append(Long.toHexString(v[PC]))
                .append(" pstate=").append(Long.toHexString(v[PSTATE])).toString();
    }
}
