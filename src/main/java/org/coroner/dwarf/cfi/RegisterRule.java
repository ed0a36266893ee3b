package org.coroner.dwarf.cfi;

/**
 * How to find a register's value in the caller, from a row of the CFI table (DWARF 5 §6.4.1).
 * Offsets are in bytes, already multiplied by the CIE's data alignment factor.
 */
public sealed interface RegisterRule {
    /** The caller's value is lost: the callee did not preserve it. */
    record Undefined() implements RegisterRule {
    }

    /** The callee did not change it. */
    record SameValue() implements RegisterRule {
    }

    /** Saved at CFA + offset. */
    record Offset(long offset) implements RegisterRule {
    }

    /** The value is CFA + offset. */
    record ValOffset(long offset) implements RegisterRule {
    }

    /** Held in another register of the callee. */
    record InRegister(int register) implements RegisterRule {
    }

    /** Saved at the address the expression computes (the CFA pushed first). */
    record Expression(byte[] expression) implements RegisterRule {
    }

    /** The value is what the expression computes (the CFA pushed first). */
    record ValExpression(byte[] expression) implements RegisterRule {
    }
}
