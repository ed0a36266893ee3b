package org.coroner.disasm;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one decoded instruction does to a register, in the few shapes a backwards walk over a
 * function's code follows to name a pointer in source terms: a load from {@code disp(base)}, a
 * register copy, a constant, a constant added, an address computed, a call's clobber. x86_64 reads
 * the AT&T text ({@code mov 0x28(%rbx),%rax}: the destination last), arm64 objdump's
 * ({@code ldr x2, [x19, #40]}: the destination first). Registers are named by their 64-bit
 * register ({@code eax} is {@code rax}, {@code w2} is {@code x2}) without {@code %}.
 *
 * @param kind  what the instruction does to the register
 * @param src   the source register of {@link Kind#MOVE} and {@link Kind#ADD}
 * @param mem   the memory operand of {@link Kind#LOAD} and {@link Kind#ADDRESS}
 * @param value the constant of {@link Kind#CONSTANT}, the addend of {@link Kind#ADD}
 * @param width the bytes a {@link Kind#LOAD} reads
 */
public record RegisterEffect(Kind kind, String src, MemoryOperand mem, long value, int width) {
    public enum Kind {
        /** A call: the register is its return value or a clobber. */
        CALL,
        /** A copy of register {@code src}. */
        MOVE,
        /** A constant. */
        CONSTANT,
        /** Loaded from {@code mem}: {@code disp(base)}, no index. */
        LOAD,
        /** Loaded in a way the walk does not follow (an index, a pc-relative literal, a pair). */
        OTHER_LOAD,
        /** {@code src} plus {@code value}. */
        ADD,
        /** The address {@code mem} designates ({@code lea}). */
        ADDRESS,
        /** Written otherwise. */
        OTHER
    }

    private static final Map<String, String> X86_WIDE = Map.ofEntries(
            Map.entry("eax", "rax"), Map.entry("edx", "rdx"), Map.entry("ecx", "rcx"), Map.entry("ebx", "rbx"),
            Map.entry("esi", "rsi"), Map.entry("edi", "rdi"), Map.entry("ebp", "rbp"), Map.entry("esp", "rsp"),
            Map.entry("r8d", "r8"), Map.entry("r9d", "r9"), Map.entry("r10d", "r10"), Map.entry("r11d", "r11"),
            Map.entry("r12d", "r12"), Map.entry("r13d", "r13"), Map.entry("r14d", "r14"), Map.entry("r15d", "r15"));
    private static final Set<String> X86_CALLER_SAVED = Set.of("rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11");
    private static final Set<String> ARM64_NO_DESTINATION = Set.of("cmp", "cmn", "tst", "ccmp", "ccmn", "fcmp", "b", "br",
            "ret", "retaa", "retab", "cbz", "cbnz", "tbz", "tbnz", "nop", "hint", "prfm", "prfum", "dmb", "dsb", "isb", "msr",
            "paciasp", "autiasp", "pacibsp", "autibsp", "bti", "brk", "hlt", "svc", "hvc", "smc", "yield", "wfe", "wfi",
            "sev", "sevl", "clrex", "csdb", "esb", "psb", "sb", "stp", "stnp");

    /** The register's 64-bit name: {@code eax} is {@code rax}, {@code w2} is {@code x2}. */
    public static String wide(Arch arch, String reg) {
        if (arch.isX86()) {
            return X86_WIDE.getOrDefault(reg, reg);
        }
        return reg.matches("w([0-9]|[12][0-9]|30)") ? "x" + reg.substring(1) : reg.equals("wzr") ? "xzr" : reg;
    }

    /** How the architecture's tools write the register: {@code %rax}, {@code x2}. */
    public static String display(Arch arch, String reg) {
        return arch.isX86() ? "%" + reg : reg;
    }

    /** The register a call passes its first argument in. */
    public static String firstArgument(Arch arch) {
        return arch.isX86() ? "rdi" : "x0";
    }

    /** True for a call instruction ({@code call}, {@code bl}, {@code blr}). */
    public static boolean isCall(Arch arch, Instruction in) {
        return arch.isX86() ? in.mnemonic().startsWith("call") : in.mnemonic().equals("bl") || in.mnemonic().equals("blr");
    }

    /** The instruction's operands split at top-level commas (AT&T's {@code # address} comments dropped). */
    public static List<String> operands(Arch arch, Instruction in) {
        List<String> ops = MemoryOperand.split(in.operands());
        if (!ops.isEmpty() && arch.isX86()) {
            int last = ops.size() - 1;
            ops.set(last, ops.get(last).replaceAll("\\s+#.*$", ""));
        }
        return ops;
    }

    /** True when the instruction writes {@code reg} (its 64-bit name). */
    public static boolean writes(Arch arch, Instruction in, String reg) {
        return arch.isX86() ? writesX86(in, reg) : writesArm64(in, reg);
    }

    private static boolean writesX86(Instruction in, String reg) {
        String m = in.mnemonic();
        if (m.startsWith("call")) {
            return X86_CALLER_SAVED.contains(reg);
        }
        List<String> ops = operands(Arch.X86_64, in);
        if (ops.isEmpty() || m.startsWith("cmp") || m.startsWith("test") || m.startsWith("push") || m.startsWith("j")) {
            return false;
        }
        String dst = ops.get(ops.size() - 1);
        return dst.startsWith("%") && wide(Arch.X86_64, dst.substring(1)).equals(reg);
    }

    private static boolean writesArm64(Instruction in, String reg) {
        String m = in.mnemonic();
        if (m.equals("bl") || m.equals("blr")) {
            // AAPCS64: x0-x18 and the link register are the callee's to clobber
            int n = reg.matches("x[0-9]+") ? Integer.parseInt(reg.substring(1)) : -1;
            return n >= 0 && n <= 18 || n == 30;
        }
        List<String> ops = operands(Arch.ARM64, in);
        if (ops.isEmpty() || m.startsWith("b.")) {
            return false;
        }
        if ((m.startsWith("ld") || m.startsWith("st")) && writesBack(ops)) {
            Optional<MemoryOperand> mo = memory(ops);
            if (mo.isPresent() && wide(Arch.ARM64, mo.get().base()).equals(reg)) {
                return true;
            }
        }
        if (ARM64_NO_DESTINATION.contains(m)) {
            return false;
        }
        List<String> dst;
        if (m.startsWith("stxr") || m.startsWith("stlxr") || m.startsWith("stxp") || m.startsWith("stlxp")) {
            dst = ops.subList(0, 1); // the status register
        } else if (m.startsWith("st")) {
            return false;
        } else if (m.startsWith("ldp") || m.startsWith("ldnp") || m.startsWith("ldxp") || m.startsWith("ldaxp")) {
            dst = ops.subList(0, Math.min(2, ops.size()));
        } else if (m.startsWith("swp") || m.startsWith("ldadd") || m.startsWith("ldclr") || m.startsWith("ldeor")
                || m.startsWith("ldset") || m.startsWith("ldsmax") || m.startsWith("ldsmin") || m.startsWith("ldumax")
                || m.startsWith("ldumin")) {
            dst = ops.size() > 1 ? ops.subList(1, 2) : List.of();
        } else {
            dst = ops.subList(0, 1);
        }
        return dst.stream().anyMatch(d -> wide(Arch.ARM64, d).equals(reg));
    }

    private static boolean writesBack(List<String> ops) {
        String last = ops.get(ops.size() - 1);
        return ops.stream().anyMatch(o -> o.endsWith("]!")) || last.startsWith("#") && ops.size() >= 3
                && ops.get(ops.size() - 2).endsWith("]");
    }

    private static Optional<MemoryOperand> memory(List<String> ops) {
        for (String op : ops) {
            if (op.startsWith("[")) {
                return MemoryOperand.parseArm64(op);
            }
        }
        return Optional.empty();
    }

    /** What {@code in}, which {@link #writes} {@code reg}, wrote to it. */
    public static RegisterEffect of(Arch arch, Instruction in, String reg) {
        if (isCall(arch, in)) {
            return new RegisterEffect(Kind.CALL, null, null, 0, 0);
        }
        return arch.isX86() ? x86(in) : arm64(in);
    }

    private static RegisterEffect other() {
        return new RegisterEffect(Kind.OTHER, null, null, 0, 0);
    }

    private static RegisterEffect x86(Instruction in) {
        String m = in.mnemonic();
        List<String> ops = operands(Arch.X86_64, in);
        if (m.startsWith("mov") && !m.startsWith("movs") && !m.startsWith("movz") && ops.size() == 2) {
            String src = ops.get(0);
            if (src.startsWith("$")) {
                return new RegisterEffect(Kind.CONSTANT, null, null, parseImm(src.substring(1)), 0);
            }
            if (src.startsWith("%")) {
                return new RegisterEffect(Kind.MOVE, wide(Arch.X86_64, src.substring(1)), null, 0, 0);
            }
            Optional<MemoryOperand> mo = MemoryOperand.of(in);
            if (mo.isPresent() && mo.get().base() != null && !mo.get().ripRelative() && mo.get().index() == null) {
                String dst = ops.get(1).substring(1);
                boolean half = dst.startsWith("e") || dst.endsWith("d");
                return new RegisterEffect(Kind.LOAD, null, mo.get(), 0, half ? 4 : 8);
            }
            return new RegisterEffect(Kind.OTHER_LOAD, null, null, 0, 0);
        }
        if ((m.startsWith("add") || m.startsWith("sub")) && ops.size() == 2 && ops.get(0).startsWith("$")) {
            long c = parseImm(ops.get(0).substring(1));
            return new RegisterEffect(Kind.ADD, wide(Arch.X86_64, ops.get(1).substring(1)), null, m.startsWith("add") ? c : -c, 0);
        }
        if (m.startsWith("lea") && ops.size() == 2) {
            Optional<MemoryOperand> mo = MemoryOperand.of(in);
            if (mo.isPresent() && mo.get().base() != null && !mo.get().ripRelative() && mo.get().index() == null) {
                return new RegisterEffect(Kind.ADDRESS, null, mo.get(), 0, 0);
            }
        }
        if (m.startsWith("xor") && ops.size() == 2 && ops.get(0).equals(ops.get(1))) {
            return new RegisterEffect(Kind.CONSTANT, null, null, 0, 0);
        }
        return other();
    }

    private static RegisterEffect arm64(Instruction in) {
        String m = in.mnemonic();
        List<String> ops = operands(Arch.ARM64, in);
        if ((m.equals("adrp") || m.equals("adr")) && in.hasTarget()) {
            return new RegisterEffect(Kind.CONSTANT, null, null, in.target(), 0); // the page (adrp) or address (adr)
        }
        if (m.equals("mov") && ops.size() == 2) {
            String src = ops.get(1);
            if (src.startsWith("#")) {
                return new RegisterEffect(Kind.CONSTANT, null, null, parseImm(src.substring(1)), 0);
            }
            if (src.equals("xzr") || src.equals("wzr")) {
                return new RegisterEffect(Kind.CONSTANT, null, null, 0, 0);
            }
            if (src.matches("[xw]([0-9]|[12][0-9]|30)") || src.equals("sp")) {
                return new RegisterEffect(Kind.MOVE, wide(Arch.ARM64, src), null, 0, 0);
            }
            return other();
        }
        if (m.startsWith("ldp") || m.startsWith("ldnp") || m.startsWith("ldx") || m.startsWith("ldax")) {
            return new RegisterEffect(Kind.OTHER_LOAD, null, null, 0, 0);
        }
        if ((m.equals("ldr") || m.equals("ldur") || m.equals("ldar") || m.equals("ldapr") || m.equals("ldrb")
                || m.equals("ldrh") || m.equals("ldurb") || m.equals("ldurh")) && ops.size() == 2) {
            Optional<MemoryOperand> mo = MemoryOperand.parseArm64(ops.get(1));
            if (mo.isPresent() && mo.get().index() == null && !ops.get(1).endsWith("]!")) {
                int width = m.endsWith("b") ? 1 : m.endsWith("h") ? 2 : ops.get(0).startsWith("w") ? 4 : 8;
                return new RegisterEffect(Kind.LOAD, null, mo.get(), 0, width);
            }
            return new RegisterEffect(Kind.OTHER_LOAD, null, null, 0, 0);
        }
        if ((m.equals("add") || m.equals("sub")) && ops.size() == 3 && ops.get(2).startsWith("#")) {
            long c = parseImm(ops.get(2).substring(1));
            return new RegisterEffect(Kind.ADD, wide(Arch.ARM64, ops.get(1)), null, m.equals("add") ? c : -c, 0);
        }
        if ((m.equals("add") || m.equals("sub")) && ops.size() == 4 && ops.get(2).startsWith("#")
                && ops.get(3).equals("lsl #12")) {
            long c = parseImm(ops.get(2).substring(1)) << 12;
            return new RegisterEffect(Kind.ADD, wide(Arch.ARM64, ops.get(1)), null, m.equals("add") ? c : -c, 0);
        }
        if (m.startsWith("ld")) {
            return new RegisterEffect(Kind.OTHER_LOAD, null, null, 0, 0);
        }
        return other();
    }

    /** An immediate: {@code 0x1234}, {@code -0x8}, {@code 40}. */
    public static long parseImm(String s) {
        boolean neg = s.startsWith("-");
        String v = neg ? s.substring(1) : s;
        long x = v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v);
        return neg ? -x : x;
    }
}
