package org.coroner.arch.x86_64;

import java.util.OptionalLong;

import org.coroner.arch.DwarfRegisters;
import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;

/**
 * The x86_64 psABI's DWARF register numbers (0-15 the general registers in the psABI's odd order,
 * 16 the return address), its callee-saved set (rbx, rbp, r12-r15; rsp by definition) and the
 * direct {@code call rel32} instruction.
 */
public final class X86_64DwarfRegisters implements DwarfRegisters {
    public static final X86_64DwarfRegisters INSTANCE = new X86_64DwarfRegisters();
    public static final int RAX = 0, RDX = 1, RCX = 2, RBX = 3, RSI = 4, RDI = 5, RBP = 6, RSP = 7, R8 = 8, R9 = 9, R10 = 10,
            R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15, RIP = 16;
    private static final String[] NAMES = {"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10",
        "r11", "r12", "r13", "r14", "r15", "rip"};

    private X86_64DwarfRegisters() {
    }

    @Override
    public int count() {
        return NAMES.length;
    }

    @Override
    public String name(int number) {
        return number >= 0 && number < NAMES.length ? NAMES[number] : "r" + number;
    }

    @Override
    public int stackPointer() {
        return RSP;
    }

    @Override
    public int returnAddress() {
        return RIP;
    }

    @Override
    public boolean calleeSaved(int n) {
        return n == RBX || n == RBP || n == RSP || n >= R12 && n <= R15;
    }

    @Override
    public int indirectThunkRegister(String symbol) {
        if (symbol == null || !symbol.startsWith("__x86_indirect_")) {
            return -1;
        }
        String reg = symbol.replaceFirst("^__x86_indirect_(call_|jump_)?thunk_", "");
        for (int n = 0; n < R15 + 1; n++) {
            if (NAMES[n].equals(reg)) {
                return n;
            }
        }
        return -1;
    }

    @Override
    public OptionalLong directCallTarget(VirtualMemory code, long returnAddress) {
        try {
            byte[] b = code.read(returnAddress - 5, 5);
            if ((b[0] & 0xff) != 0xe8) {
                return OptionalLong.empty(); // call *%reg, call *mem, or patched code: not direct
            }
            int rel = (b[1] & 0xff) | (b[2] & 0xff) << 8 | (b[3] & 0xff) << 16 | (b[4] & 0xff) << 24;
            return OptionalLong.of(returnAddress + rel);
        } catch (FaultException e) {
            return OptionalLong.empty();
        }
    }
}
