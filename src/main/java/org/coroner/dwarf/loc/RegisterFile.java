package org.coroner.dwarf.loc;

import java.util.Arrays;

import org.coroner.arch.DwarfRegisters;

/**
 * What one frame knows of its registers, by DWARF register number: a value with where it came from
 * (the CPU's registers, an exception frame's pt_regs, a slot where a callee saved it), or the exact
 * reason it is not known. Registers outside the architecture's numbering are never known.
 */
public final class RegisterFile {
    private final DwarfRegisters arch;
    private final long[] value;
    private final boolean[] known;
    private final String[] note;

    private RegisterFile(DwarfRegisters arch, long[] value, boolean[] known, String[] note) {
        this.arch = arch;
        this.value = value;
        this.known = known;
        this.note = note;
    }

    /** Nothing known; every register's reason is {@code reason}. */
    public static RegisterFile unknown(DwarfRegisters arch, String reason) {
        String[] n = new String[arch.count()];
        Arrays.fill(n, reason);
        return new RegisterFile(arch, new long[arch.count()], new boolean[arch.count()], n);
    }

    public RegisterFile copy() {
        return new RegisterFile(arch, value.clone(), known.clone(), note.clone());
    }

    public DwarfRegisters arch() {
        return arch;
    }

    /** Register {@code n} holds {@code v}; {@code source} says how that is known (null: plainly). */
    public RegisterFile set(int n, long v, String source) {
        if (n >= 0 && n < value.length) {
            value[n] = v;
            known[n] = true;
            note[n] = source;
        }
        return this;
    }

    public RegisterFile forget(int n, String reason) {
        if (n >= 0 && n < value.length) {
            known[n] = false;
            note[n] = reason;
        }
        return this;
    }

    public boolean known(int n) {
        return n >= 0 && n < known.length && known[n];
    }

    public long value(int n) {
        if (!known(n)) {
            throw new IllegalStateException(arch.display(n) + " is not known: " + why(n));
        }
        return value[n];
    }

    /** For a known register where its value came from (may be null); for an unknown one, why not. */
    public String why(int n) {
        return n >= 0 && n < note.length ? note[n] : "not a register of this architecture";
    }

    /** How many of the registers are known. */
    public int knownCount() {
        int c = 0;
        for (boolean b : known) {
            c += b ? 1 : 0;
        }
        return c;
    }
}
