package org.coroner.disasm;

final class AttFormatter implements Formatter {
    private final Arch arch;

    AttFormatter(Arch arch) {
        this.arch = arch;
    }

    @Override
    public Instruction format(CapstoneDisassembler.Raw r) {
        return new Instruction(r.address(), r.bytes(), r.mnemonic(), r.operands());
    }
}
