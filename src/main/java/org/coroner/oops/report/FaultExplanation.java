package org.coroner.oops.report;

import java.util.List;

/**
 * The faulting access in source terms, derived from the faulting instruction, the registers of the
 * report and the function's DWARF.
 *
 * @param instruction the faulting instruction as objdump prints it
 * @param register    the base register of its memory operand ({@code rax})
 * @param value       that register's value in the report
 * @param heldBy      the source expression the register held ({@code d->ops}), or null
 * @param heldType    its C type ({@code struct lab_ops *})
 * @param loadedFrom  how it got there: the member loaded by an earlier instruction
 *                    ({@code struct lab_dev} member {@code ops} at +0x28), or null
 * @param access      the expression the faulting instruction evaluated ({@code ops->counter}), or null
 * @param accessType  the struct and member it touched ({@code struct lab_ops} member {@code counter} at +0x8)
 * @param evidence    each step and where it came from
 */
public record FaultExplanation(
        String instruction,
        String register,
        Long value,
        String heldBy,
        String heldType,
        String loadedFrom,
        String access,
        String accessType,
        List<String> evidence) {
}
