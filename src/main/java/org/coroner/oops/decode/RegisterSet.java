package org.coroner.oops.decode;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import java.util.Map;

/**
 * One register dump ({@code show_regs()}): the instruction pointer as a location, arm64's link
 * register, and every numeric register in print order. Names are upper-case on x86
 * ({@code RAX}, {@code CR2}, {@code EFLAGS}, {@code ORIG_RAX}) and as printed on arm64 ({@code x0},
 * {@code sp}, {@code pstate}). Segment selectors printed beside a value get their own entries
 * ({@code RIP: 0010:} gives {@code CS}, {@code RSP: 0018:} gives {@code SS}, {@code FS: base(sel)}
 * gives {@code FS} and {@code FS_SEL}).
 *
 * @param user      true for a user-mode context (x86 CS with RPL 3, arm64 pstate EL0), which the
 *                  kernel prints as the pt_regs saved on syscall entry
 * @param flagsText the decoded text the kernel puts after pstate / (old) EFLAGS, e.g. {@code nZCv daif -PAN ...}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RegisterSet(
        boolean user,
        Location ip,
        Location lr,
        @JsonSerialize(contentUsing = Hex.Serializer.class) Map<String, Long> values,
        String flagsText) {

    public Long get(String name) {
        return values.get(name);
    }
}
