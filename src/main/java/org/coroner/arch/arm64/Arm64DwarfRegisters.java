package org.coroner.arch.arm64;

import java.util.OptionalLong;

import org.coroner.arch.DwarfRegisters;
import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;

/**
 * The AArch64 DWARF register numbers (x0-x30 are 0-30, sp 31, pc 32), the AAPCS64 callee-saved set
 * (x19-x29, sp) and the direct {@code bl} instruction; x30 (lr) is the CFI return-address column.
 * What a frame-record unwinder needs to reuse the CFI register recovery and entry values.
 */
public final class Arm64DwarfRegisters implements DwarfRegisters {
    public static final Arm64DwarfRegisters INSTANCE = new Arm64DwarfRegisters();
    public static final int FP = 29, LR = 30, SP = 31, PC = 32;

    private Arm64DwarfRegisters() {
    }

    @Override
    public int count() {
        return 33;
    }

    @Override
    public String name(int n) {
        return switch (n) {
            case SP -> "sp";
            case PC -> "pc";
            default -> n >= 0 && n <= LR ? "x" + n : "r" + n;
        };
    }

    @Override
    public String display(int number) {
        return name(number);
    }

    @Override
    public int stackPointer() {
        return SP;
    }

    @Override
    public int returnAddress() {
        return LR;
    }

    @Override
    public boolean calleeSaved(int n) {
        return n >= 19 && n <= FP || n == SP;
    }

    @Override
    public OptionalLong directCallTarget(VirtualMemory code, long returnAddress) {
        try {
            long insn = code.u32(returnAddress - 4);
            if ((insn & 0xfc000000L) != 0x94000000L) { // BL imm26
                return OptionalLong.empty();
            }
            long imm = (insn & 0x03ffffffL) << 38 >> 36; // sign-extend imm26, times 4
            return OptionalLong.of(returnAddress - 4 + imm);
        } catch (FaultException e) {
            return OptionalLong.empty();
        }
    }
}
