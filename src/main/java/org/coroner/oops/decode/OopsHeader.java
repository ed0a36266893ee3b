package org.coroner.oops.decode;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * The die line: {@code Oops: 0000 [#1] PREEMPT SMP NOPTI}, {@code general protection fault, probably
 * for non-canonical address 0x...: 0000 [#1] ...}, arm64 {@code Internal error: Oops: 0000000096000006 [#1] SMP}.
 *
 * @param reason what died, before the code ({@code Oops}, {@code invalid opcode}, ...)
 * @param code   the hex number as printed (an x86 error code, or arm64's ESR)
 * @param count  the die counter {@code [#N]}: how many Oopses this boot has had
 * @param flags  the build/config words after it ({@code PREEMPT}, {@code SMP}, {@code KASAN}, {@code PTI}, {@code NOPTI}, ...)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OopsHeader(String reason, String code, Integer count, List<String> flags) {

    public Long codeValue() {
        return Hex.parse(code);
    }
}
