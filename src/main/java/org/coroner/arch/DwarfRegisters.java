package org.coroner.arch;

import java.util.OptionalLong;

import org.coroner.memory.VirtualMemory;

/**
 * An architecture's DWARF register numbering (its psABI) and the two facts register recovery needs
 * beyond CFI: which registers a callee must preserve, and where a call instruction ending at a
 * return address went. Everything that reads DWARF locations or CFI speaks these numbers, so that
 * x86_64 (ORC) and arm64 (frame records) unwinders feed the same recovery and variable code.
 */
public interface DwarfRegisters {
    /** Register numbers tracked: 0 .. count()-1. */
    int count();

    /** The register's assembler name without sigil: {@code rbx}, {@code x19}. */
    String name(int number);

    /** The number of a register by its {@link #name}, or -1. */
    default int number(String name) {
        for (int n = 0; n < count(); n++) {
            if (name(n).equals(name)) {
                return n;
            }
        }
        return -1;
    }

    /** The stack pointer's number; its value in a caller is the callee's CFA. */
    int stackPointer();

    /** The CFI return-address column (x86_64: 16, the pseudo-register rip; arm64: 30, x30/lr). */
    int returnAddress();

    /** The psABI makes the callee preserve this register: without a CFI rule it keeps its value. */
    boolean calleeSaved(int number);

    /** {@code %rbx} style as the tools of the architecture print it. */
    default String display(int number) {
        return number >= 0 && number < count() ? "%" + name(number) : "DWARF register " + number;
    }

    /**
     * The target of the call instruction that ends just before {@code returnAddress}, when it is a
     * direct call (read from the code in memory, so run-time patching is seen); empty when the call
     * is indirect or the bytes cannot be read.
     */
    OptionalLong directCallTarget(VirtualMemory code, long returnAddress);

    /**
     * When {@code symbol} is a thunk that jumps to the address in a register (x86_64 retpolines,
     * {@code __x86_indirect_thunk_r15}), that register's number; else -1. A call to it is an
     * indirect call through that register.
     */
    default int indirectThunkRegister(String symbol) {
        return -1;
    }
}
