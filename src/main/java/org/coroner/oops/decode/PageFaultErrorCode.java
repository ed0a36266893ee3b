package org.coroner.oops.decode;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.ArrayList;
import java.util.List;

/**
 * The x86 page-fault error code (arch/x86/include/asm/trap_pf.h), bit by bit, with the two
 * sentences {@code show_fault_oops()} prints for it. {@code source} says where it was read:
 * {@code "#PF"} for the {@code #PF: error_code(0x0002)} line, {@code "Oops"} for the bare
 * {@code Oops: 0002} die line, which carries the same value (only the low 16 bits).
 * {@code printedAccess}/{@code printedCause} are the {@code #PF:} lines as the kernel wrote them, kept
 * to cross-check against what the bits say; {@code consistent} is false when they disagree.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PageFaultErrorCode(
        long value,
        String source,
        boolean present,
        boolean write,
        boolean user,
        boolean reservedBit,
        boolean instructionFetch,
        boolean protectionKey,
        boolean shadowStack,
        boolean sgx,
        List<String> bits,
        String access,
        String cause,
        String printedAccess,
        String printedCause,
        Boolean consistent) {

    static final int PROT = 1, WRITE = 1 << 1, USER = 1 << 2, RSVD = 1 << 3, INSTR = 1 << 4, PK = 1 << 5,
            SHSTK = 1 << 6, SGX = 1 << 15;

    /**
     * Decodes {@code code}. A kernel Oops is by definition a fault taken in kernel mode (user-mode
     * faults become signals), hence "in kernel mode" unless {@code userMode} says otherwise.
     */
    public static PageFaultErrorCode decode(long code, String source, boolean userMode, String printedAccess, String printedCause) {
        List<String> bits = new ArrayList<>();
        if ((code & PROT) != 0) bits.add("PROT: protection violation on a present page");
        else bits.add("!PROT: the page was not present");
        if ((code & WRITE) != 0) bits.add("WRITE: write access");
        else bits.add("!WRITE: read access");
        if ((code & USER) != 0) bits.add("USER: access from user mode (CPL 3)");
        else bits.add("!USER: access from supervisor mode");
        if ((code & RSVD) != 0) bits.add("RSVD: a reserved bit was set in a page-table entry");
        if ((code & INSTR) != 0) bits.add("INSTR: instruction fetch");
        if ((code & PK) != 0) bits.add("PK: protection-key violation");
        if ((code & SHSTK) != 0) bits.add("SHSTK: shadow-stack access");
        if ((code & SGX) != 0) bits.add("SGX: SGX EPCM violation");
        String access = ((code & USER) != 0 ? "user" : "supervisor") + " "
                + ((code & INSTR) != 0 ? "instruction fetch" : (code & WRITE) != 0 ? "write access" : "read access")
                + " in " + (userMode ? "user" : "kernel") + " mode";
        String cause = (code & PROT) == 0 ? "not-present page"
                : (code & RSVD) != 0 ? "reserved bit violation"
                : (code & PK) != 0 ? "protection keys violation"
                : "permissions violation";
        Boolean consistent = null;
        if (printedAccess != null || printedCause != null) {
            consistent = (printedAccess == null || printedAccess.equals(access)) && (printedCause == null || printedCause.equals(cause));
        }
        return new PageFaultErrorCode(code, source, (code & PROT) != 0, (code & WRITE) != 0, (code & USER) != 0,
                (code & RSVD) != 0, (code & INSTR) != 0, (code & PK) != 0, (code & SHSTK) != 0, (code & SGX) != 0,
                List.copyOf(bits), access, cause, printedAccess, printedCause, consistent);
    }
}
