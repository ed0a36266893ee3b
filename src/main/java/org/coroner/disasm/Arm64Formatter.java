package org.coroner.disasm;

final class Arm64Formatter implements Formatter {
    @Override
    public Instruction format(CapstoneDisassembler.Raw r) {
        return new Instruction(r.address(), r.bytes(), r.mnemonic(), r.operands());
    }
}
