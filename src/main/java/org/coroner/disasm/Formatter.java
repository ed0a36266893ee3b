package org.coroner.disasm;

/** Turns Capstone's text for one instruction into objdump's. */
interface Formatter {
    /** Capstone's mnemonic for bytes it could not decode (ours; Capstone returns nothing). */
    String BAD = Instruction.BAD;

    Instruction format(CapstoneDisassembler.Raw raw);
}
