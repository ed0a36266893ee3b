package org.coroner.disasm;

/** Turns Capstone's text for one instruction into objdump's. */
interface Formatter {
    /** Capstone's mnemonic for bytes it could not decode (ours; Capstone returns nothing). */
    String BAD = Instruction.BAD;

    Instruction format(CapstoneDisassembler.Raw raw);

    /**
     * The length of an instruction at {@code off} that Capstone could not decode but this formatter
     * knows by its bytes (Capstone 4 predates a few instructions kernels use), or 0.
     */
    default int unknownLength(byte[] code, int off) {
        return 0;
    }

    /** The true length of an instruction Capstone decoded as {@code bytes} at {@code off} (Capstone 4 mis-sizes a few). */
    default int actualLength(byte[] bytes, byte[] code, int off) {
        return bytes.length;
    }
}
