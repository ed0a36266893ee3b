package org.coroner.oops.decode;

/** The architectures whose crash-report formats the decoder knows. */
public enum Arch {
    X86_64(64), I386(32), ARM64(64);

    private final int bits;

    Arch(int bits) {
        this.bits = bits;
    }

    /** Width of a pointer, which bounds what a printed address can be. */
    public int bits() {
        return bits;
    }
}
