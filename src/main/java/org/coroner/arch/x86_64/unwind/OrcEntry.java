package org.coroner.arch.x86_64.unwind;

/**
 * One decoded {@code struct orc_entry}: how to find the previous frame's SP (the CFA) and BP from
 * the registers at an instruction, and what kind of frame it is.
 *
 * @param spOffset offset added to the SP base register to get the previous SP
 * @param bpOffset offset of the saved BP from its base
 * @param spReg    base of the previous SP: one of the {@code REG_*} constants
 * @param bpReg    base of the saved BP: {@link #REG_UNDEFINED} (BP unchanged), {@link #REG_PREV_SP} or {@link #REG_BP}
 * @param type     the frame type
 * @param signal   the IP of the frame this entry leads to is an exact instruction (an interrupted
 *                 context), not a return address, so it is looked up as is rather than as {@code ip - 1}
 */
public record OrcEntry(int spOffset, int bpOffset, int spReg, int bpReg, OrcType type, boolean signal) {
    public static final int REG_UNDEFINED = 0;
    public static final int REG_PREV_SP = 1;
    public static final int REG_DX = 2;
    public static final int REG_DI = 3;
    public static final int REG_BP = 4;
    public static final int REG_SP = 5;
    public static final int REG_R10 = 6;
    public static final int REG_R13 = 7;
    public static final int REG_BP_INDIRECT = 8;
    public static final int REG_SP_INDIRECT = 9;

    /** The kernel's guess for code without ORC data (BPF, generated code): a frame-pointer frame. */
    public static final OrcEntry FRAME_POINTER = new OrcEntry(16, -16, REG_BP, REG_PREV_SP, OrcType.CALL, false);

    /** The kernel's entry for IP 0 (a call through a NULL function pointer): the return address is at SP. */
    public static final OrcEntry NULL_IP = new OrcEntry(8, 0, REG_SP, REG_UNDEFINED, OrcType.CALL, false);

    /** objtool's notation ({@code objtool --dump}): {@code sp:sp+8 bp:prevsp-16 type:call}. */
    public String describe() {
        return "sp:" + reg(spReg, spOffset) + " bp:" + reg(bpReg, bpOffset) + " type:" + switch (type) {
            case CALL -> "call";
            case REGS -> "regs";
            case REGS_PARTIAL -> "regs (partial)";
            case END_OF_STACK -> "end";
            case UNDEFINED -> "undef";
        };
    }

    static String regName(int reg) {
        return switch (reg) {
            case REG_PREV_SP -> "prevsp";
            case REG_DX -> "dx";
            case REG_DI -> "di";
            case REG_BP -> "bp";
            case REG_SP -> "sp";
            case REG_R10 -> "r10";
            case REG_R13 -> "r13";
            case REG_BP_INDIRECT -> "bp(ind)";
            case REG_SP_INDIRECT -> "sp(ind)";
            default -> "?";
        };
    }

    private static String reg(int reg, int offset) {
        if (reg == REG_UNDEFINED) {
            return "(und)";
        }
        if (reg == REG_SP_INDIRECT) {
            return "(sp)" + signed(offset);
        }
        if (reg == REG_BP_INDIRECT) {
            return "(bp" + signed(offset) + ")";
        }
        return regName(reg) + signed(offset);
    }

    private static String signed(int v) {
        return v < 0 ? Integer.toString(v) : "+" + v;
    }
}
