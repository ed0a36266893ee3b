package org.coroner.dwarf.cfi;

import java.util.Map;

/**
 * One row of the CFI table: at the code address {@code pc} of the function whose FDE starts at
 * {@code functionStart}, the CFA is {@code cfaRegister + cfaOffset} (or {@code cfaExpression} when
 * not null) and each register with a rule is found by it. Registers without a rule follow the
 * architecture's convention (callee-saved keep their value, the others are lost).
 */
public record CfiRow(long pc, long functionStart, int returnAddressColumn, int cfaRegister, long cfaOffset,
                     byte[] cfaExpression, Map<Integer, RegisterRule> rules) {
    public RegisterRule rule(int register) {
        return rules.get(register);
    }
}
