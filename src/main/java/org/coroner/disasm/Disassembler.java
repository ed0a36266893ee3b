package org.coroner.disasm;

import java.util.List;

/**
 * Disassembles machine code into instructions printed as binutils 2.40's {@code objdump -d} prints
 * them. Implementations are thread-safe.
 */
public interface Disassembler {
    /**
     * Decodes up to {@code max} instructions (all when {@code max <= 0}) from the start of {@code code},
     * which is loaded at {@code address}. Decoding stops at the first byte sequence that is not a
     * valid instruction; callers see that as a result shorter than the code ({@link Instruction#end()}).
     */
    List<Instruction> disassemble(byte[] code, long address, int max);

    Arch arch();

    /** The disassembler for an architecture (backed by Capstone 4; fails with the install hint when missing). */
    static Disassembler of(Arch arch) {
        return CapstoneDisassembler.get(arch);
    }
}
