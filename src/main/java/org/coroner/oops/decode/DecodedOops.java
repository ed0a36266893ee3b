package org.coroner.oops.decode;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import java.util.List;

/**
 * The facts one crash report states, decoded. Every field is null (or empty) when the report does
 * not say it; nothing is guessed. Where a report repeats a block (the register dump after
 * {@code ---[ end trace}, the backtraces printed at panic), the first one counts.
 *
 * @param arch          from the report's own formats (register names, entry code in frames, release)
 * @param uid           6.11+ prints {@code UID:} on the CPU line
 * @param build         what follows the release, e.g. {@code #1  Debian 6.1.192-2} (the version string's build part)
 * @param fault         the kernel's own line saying what went wrong first ({@code BUG: ...},
 *                      {@code Unable to handle kernel ...}, {@code general protection fault, ...}, {@code Kernel panic - ...})
 * @param oops          the die line ({@code Oops: 0000 [#1] PREEMPT SMP NOPTI})
 * @param address       the faulting address; {@code addressSource} says from where ({@code BUG line}, {@code GPF hint},
 *                      {@code KASAN}, {@code CR2}, {@code arm64 abort}, {@code FAR})
 * @param errorCode     the x86 page-fault error code
 * @param esr           the arm64 exception syndrome
 * @param rip           where the kernel was executing: x86 RIP/EIP, arm64 pc (the kernel register dump's ip,
 *                      or the old {@code IP:} line)
 * @param registers     the first kernel-mode register dump
 * @param userRegisters the first user-mode register dump (pt_regs saved at syscall entry)
 * @param frames        the first non-empty Call Trace
 * @param code          the Code: line of the kernel register dump; {@code userCode} that of the user one
 * @param cr2           x86 CR2 as printed (stale unless the fault was a page fault)
 * @param pageTableWalk the page-table dump line ({@code PGD 2747067 P4D ... PMD 0}, arm64 {@code [addr] pgd=...})
 * @param endTrace      the id in {@code ---[ end trace 0000000000000000 ]---}
 * @param panic         the message of {@code Kernel panic - not syncing: MSG}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DecodedOops(
        Arch arch,
        Integer cpu,
        Integer pid,
        Integer uid,
        String comm,
        String release,
        String build,
        String hardware,
        String fault,
        OopsHeader oops,
        Taint taint,
        @JsonSerialize(using = Hex.Serializer.class) Long address,
        String addressSource,
        AddressMeaning addressMeaning,
        PageFaultErrorCode errorCode,
        Esr esr,
        Location rip,
        Location lr,
        RegisterSet registers,
        RegisterSet userRegisters,
        List<Frame> frames,
        List<LinkedModule> modules,
        String lastUnloaded,
        KernelOffset kernelOffset,
        CodeBytes code,
        CodeBytes userCode,
        @JsonSerialize(using = Hex.Serializer.class) Long cr2,
        String pageTableWalk,
        String endTrace,
        String panic,
        @com.fasterxml.jackson.annotation.JsonIgnore AddressSpace addressSpace) {

    /** Frames without the {@code ?} ones. */
    public List<Frame> reliableFrames() {
        return frames.stream().filter(Frame::reliable).toList();
    }
}
