package org.coroner.disasm;

/** The instruction sets Coroner disassembles, with how objdump names them. */
public enum Arch {
    /** x86-64, AT&T syntax (objdump's default). */
    X86_64(Capstone.CS_ARCH_X86, Capstone.CS_MODE_64, true),
    /** 32-bit x86 (i386), AT&T syntax. */
    I386(Capstone.CS_ARCH_X86, Capstone.CS_MODE_32, true),
    /** AArch64, little endian. */
    ARM64(Capstone.CS_ARCH_ARM64, Capstone.CS_MODE_LITTLE_ENDIAN, false);

    final int csArch;
    final int csMode;
    final boolean x86;

    Arch(int csArch, int csMode, boolean x86) {
        this.csArch = csArch;
        this.csMode = csMode;
        this.x86 = x86;
    }

    public boolean isX86() {
        return x86;
    }

    /** Fixed instruction width in bytes, or 0 for variable-length encodings. */
    public int fixedWidth() {
        return x86 ? 0 : 4;
    }

    /** The architecture of an ELF {@code e_machine}, or null. */
    public static Arch ofElfMachine(int machine) {
        return switch (machine) {
            case 62 -> X86_64;
            case 3 -> I386;
            case 183 -> ARM64;
            default -> null;
        };
    }
}
