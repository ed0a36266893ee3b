package org.coroner.oops.decode;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import java.util.List;
import java.util.Map;

/**
 * An arm64 Exception Syndrome Register value decoded (Arm ARM D24.2.40 ESR_EL1; the kernel's
 * arch/arm64/include/asm/esr.h and esr_class_str()). For data and instruction aborts {@code abort}
 * holds the ISS fields; for BRK the comment immediate and what the kernel uses it for.
 * {@code mismatches} lists the "Mem abort info:"/"Data abort info:" lines whose printed value
 * disagrees with what the ESR itself says (empty when they agree, null when none were printed).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Esr(
        @JsonSerialize(using = Hex.Serializer.class) Long value,
        int ec,
        String ecName,
        int il,
        long iss,
        Long iss2,
        Abort abort,
        Brk brk,
        List<String> mismatches) {

    /** ISS of a data abort (EC 0x24/0x25) or instruction abort (EC 0x20/0x21). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Abort(
            boolean data,
            int fsc,
            String fscName,
            Integer level,
            Boolean isv,
            Boolean wnr,
            Boolean cm,
            boolean s1ptw,
            boolean ea,
            boolean fnv,
            int set,
            String access) {
    }

    /** BRK's 16-bit comment: the kernel encodes what trapped there (asm/brk-imm.h). */
    public record Brk(int comment, String meaning) {
    }

    private static final Map<Integer, String> EC_NAMES = Map.ofEntries(
            Map.entry(0x00, "Unknown/Uncategorized"),
            Map.entry(0x01, "WFI/WFE"),
            Map.entry(0x03, "CP15 MCR/MRC"),
            Map.entry(0x04, "CP15 MCRR/MRRC"),
            Map.entry(0x05, "CP14 MCR/MRC"),
            Map.entry(0x06, "CP14 LDC/STC"),
            Map.entry(0x07, "ASIMD"),
            Map.entry(0x08, "CP10 MRC/VMRS"),
            Map.entry(0x09, "PAC"),
            Map.entry(0x0A, "LS64/LD64B/ST64B"),
            Map.entry(0x0C, "CP14 MCRR/MRRC"),
            Map.entry(0x0D, "BTI"),
            Map.entry(0x0E, "PSTATE.IL"),
            Map.entry(0x11, "SVC (AArch32)"),
            Map.entry(0x12, "HVC (AArch32)"),
            Map.entry(0x13, "SMC (AArch32)"),
            Map.entry(0x15, "SVC (AArch64)"),
            Map.entry(0x16, "HVC (AArch64)"),
            Map.entry(0x17, "SMC (AArch64)"),
            Map.entry(0x18, "MSR/MRS (AArch64)"),
            Map.entry(0x19, "SVE"),
            Map.entry(0x1A, "ERET/ERETAA/ERETAB"),
            Map.entry(0x1C, "FPAC"),
            Map.entry(0x1D, "SME"),
            Map.entry(0x1F, "EL3 IMP DEF"),
            Map.entry(0x20, "IABT (lower EL)"),
            Map.entry(0x21, "IABT (current EL)"),
            Map.entry(0x22, "PC Alignment"),
            Map.entry(0x24, "DABT (lower EL)"),
            Map.entry(0x25, "DABT (current EL)"),
            Map.entry(0x26, "SP Alignment"),
            Map.entry(0x27, "MOPS"),
            Map.entry(0x28, "FP (AArch32)"),
            Map.entry(0x2C, "FP (AArch64)"),
            Map.entry(0x2D, "GCS"),
            Map.entry(0x2F, "SError"),
            Map.entry(0x30, "Breakpoint (lower EL)"),
            Map.entry(0x31, "Breakpoint (current EL)"),
            Map.entry(0x32, "Software Step (lower EL)"),
            Map.entry(0x33, "Software Step (current EL)"),
            Map.entry(0x34, "Watchpoint (lower EL)"),
            Map.entry(0x35, "Watchpoint (current EL)"),
            Map.entry(0x38, "BKPT (AArch32)"),
            Map.entry(0x3A, "Vector catch (AArch32)"),
            Map.entry(0x3C, "BRK (AArch64)"));

    public static String ecName(int ec) {
        return EC_NAMES.getOrDefault(ec, "UNRECOGNIZED EC");
    }

    /** The fault status code's meaning, worded as arch/arm64/mm/fault.c's fault_info[] does. */
    public static String fscName(int fsc) {
        return switch (fsc) {
            case 0x00 -> "level 0 address size fault";
            case 0x01, 0x02, 0x03 -> "level " + (fsc & 3) + " address size fault";
            case 0x04, 0x05, 0x06, 0x07 -> "level " + (fsc & 3) + " translation fault";
            case 0x08, 0x09, 0x0A, 0x0B -> "level " + (fsc & 3) + " access flag fault";
            case 0x0C, 0x0D, 0x0E, 0x0F -> "level " + (fsc & 3) + " permission fault";
            case 0x10 -> "synchronous external abort";
            case 0x11 -> "synchronous tag check fault";
            case 0x13 -> "level -1 (translation table walk)";
            case 0x14, 0x15, 0x16, 0x17 -> "level " + (fsc - 0x14) + " (translation table walk)";
            case 0x18 -> "synchronous parity or ECC error";
            case 0x1B -> "level -1 synchronous parity error (translation table walk)";
            case 0x1C, 0x1D, 0x1E, 0x1F -> "level " + (fsc - 0x1C) + " synchronous parity error (translation table walk)";
            case 0x21 -> "alignment fault";
            case 0x29 -> "level -1 address size fault";
            case 0x2B -> "level -1 translation fault";
            case 0x30 -> "TLB conflict abort";
            case 0x31 -> "Unsupported atomic hardware update fault";
            case 0x34 -> "implementation fault (lockdown abort)";
            case 0x35 -> "implementation fault (unsupported exclusive)";
            case 0x3D -> "section domain fault";
            case 0x3E -> "page domain fault";
            default -> "unknown " + fsc;
        };
    }

    /** The translation-table level a fault status code names, or null when it names none. */
    static Integer fscLevel(int fsc) {
        if (fsc <= 0x0F) return fsc & 3;
        if (fsc >= 0x14 && fsc <= 0x17) return fsc - 0x14;
        if (fsc >= 0x1C && fsc <= 0x1F) return fsc - 0x1C;
        if (fsc == 0x13 || fsc == 0x1B || fsc == 0x29 || fsc == 0x2B) return -1;
        return null;
    }

    static String brkMeaning(int imm) {
        if (imm == 0x004) return "kprobes (KPROBES_BRK_IMM)";
        if (imm == 0x005) return "uprobes (UPROBES_BRK_IMM)";
        if (imm == 0x006) return "kprobes single-step (KPROBES_BRK_SS_IMM)";
        if (imm == 0x100) return "exception-table fixup fault (FAULT_BRK_IMM)";
        if (imm == 0x400) return "kgdb (KGDB_DYN_DBG_BRK_IMM)";
        if (imm == 0x401) return "kgdb compiled breakpoint (KGDB_COMPILED_DBG_BRK_IMM)";
        if (imm == 0x800) return "BUG()/WARN() (BUG_BRK_IMM)";
        if (imm == 0x3e8) return "__builtin_trap() in kernel code, e.g. an UBSAN trap or unreachable()";
        if ((imm & ~0xff) == 0x900) return "KASAN software tag check (KASAN_BRK_IMM)";
        if ((imm & ~0xff) == 0x5500) return "UBSAN check (UBSAN_BRK_IMM)";
        if ((imm & ~0x3ff) == 0x8000) return "CFI check failure (CFI_BRK_IMM)";
        return null;
    }

    /** Decodes a raw ESR value; never throws. */
    public static Esr decode(long esr) {
        int ec = (int) ((esr >>> 26) & 0x3f);
        int il = (esr & (1L << 25)) != 0 ? 32 : 16;
        long iss = esr & 0x1ffffffL;
        long iss2 = (esr >>> 32) & 0xffffffL;
        Abort abort = null;
        Brk brk = null;
        boolean dabt = ec == 0x24 || ec == 0x25;
        boolean iabt = ec == 0x20 || ec == 0x21;
        if (dabt || iabt) {
            int fsc = (int) (iss & 0x3f);
            Boolean isv = dabt ? (iss & (1L << 24)) != 0 : null;
            Boolean wnr = dabt ? (iss & (1L << 6)) != 0 : null;
            Boolean cm = dabt ? (iss & (1L << 8)) != 0 : null;
            String access = iabt ? "instruction fetch"
                    : Boolean.TRUE.equals(cm) ? "cache maintenance"
                    : Boolean.TRUE.equals(wnr) ? "write" : "read";
            abort = new Abort(dabt, fsc, fscName(fsc), fscLevel(fsc), isv, wnr, cm,
                    (iss & (1L << 7)) != 0, (iss & (1L << 9)) != 0, (iss & (1L << 10)) != 0,
                    (int) ((iss >>> 11) & 3), access);
        } else if (ec == 0x3C) {
            int imm = (int) (iss & 0xffff);
            brk = new Brk(imm, brkMeaning(imm));
        }
        return new Esr(esr, ec, ecName(ec), il, iss, iss2 != 0 ? iss2 : null, abort, brk, null);
    }

    Esr withMismatches(List<String> m) {
        return new Esr(value, ec, ecName, il, iss, iss2, abort, brk, m);
    }
}
