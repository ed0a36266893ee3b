package org.coroner.disasm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.coroner.disasm.CapstoneDisassembler.Raw;

/**
 * Rewrites Capstone 4's AArch64 text into binutils 2.40's ({@code aarch64-linux-gnu-objdump}):
 * branch targets without '#', memory offsets in decimal and other immediates in hex as objdump
 * chooses per operand kind, the {@code mov} aliases of movz/movn/orr with their {@code // #-1}
 * comments, {@code cs}/{@code cc} condition names with objdump's alias comments
 * ({@code b.eq ... // b.none}), and the hint-space instructions by name ({@code hint #0x19} is
 * {@code paciasp}).
 */
final class Arm64Formatter implements Formatter {
    private static final Set<String> BRANCHES = Set.of("b", "bl", "cbz", "cbnz", "tbz", "tbnz", "adr", "adrp");
    /** Instructions whose plain immediates objdump prints in decimal (shift amounts, bit positions, fields). */
    private static final Set<String> DECIMAL_IMM = Set.of("lsl", "lsr", "asr", "ror", "ubfx", "sbfx", "ubfiz", "sbfiz",
            "bfi", "bfxil", "bfc", "extr", "tbz", "tbnz", "ubfm", "sbfm", "bfm", "shl", "ushr", "sshr", "shrn", "ushll",
            "sshll", "sli", "sri", "usra", "ssra", "rshrn", "sqshrn", "uqshrn", "ext", "cmeq", "cmge", "cmgt", "cmle", "cmlt",
            "sxtl", "uxtl", "srshr", "urshr", "udf", "fcvtzs", "fcvtzu", "scvtf", "ucvtf");
    private static final Map<String, String> CONDITION_ALIAS = Map.ofEntries(Map.entry("eq", "none"),
            Map.entry("ne", "any"), Map.entry("cs", "hs, nlast"), Map.entry("cc", "lo, ul, last"),
            Map.entry("mi", "first"), Map.entry("pl", "nfrst"), Map.entry("hi", "pmore"), Map.entry("ls", "plast"),
            Map.entry("ge", "tcont"), Map.entry("lt", "tstop"));
    private static final Map<Integer, String> HINTS = Map.ofEntries(Map.entry(0, "nop"), Map.entry(1, "yield"),
            Map.entry(2, "wfe"), Map.entry(3, "wfi"), Map.entry(4, "sev"), Map.entry(5, "sevl"), Map.entry(6, "dgh"),
            Map.entry(7, "xpaclri"), Map.entry(8, "pacia1716"), Map.entry(10, "pacib1716"), Map.entry(12, "autia1716"),
            Map.entry(14, "autib1716"), Map.entry(16, "esb"), Map.entry(17, "psb csync"), Map.entry(18, "tsb csync"),
            Map.entry(20, "csdb"), Map.entry(24, "paciaz"), Map.entry(25, "paciasp"), Map.entry(26, "pacibz"),
            Map.entry(27, "pacibsp"), Map.entry(28, "autiaz"), Map.entry(29, "autiasp"), Map.entry(30, "autibz"),
            Map.entry(31, "autibsp"), Map.entry(32, "bti"), Map.entry(34, "bti c"), Map.entry(36, "bti j"),
            Map.entry(38, "bti jc"));
    private static final Pattern IMM = Pattern.compile("#(-?)(0x[0-9a-f]+|[0-9]+)");

    @Override
    public Instruction format(Raw r) {
        try {
            return formatObjdumpStyle(r);
        } catch (RuntimeException e) {
            // an operand form we do not know: Capstone's own text is still the right instruction
            return new Instruction(r.address(), r.bytes(), r.mnemonic(), r.operands());
        }
    }

    private Instruction formatObjdumpStyle(Raw r) {
        byte[] b = r.bytes();
        if (r.mnemonic().equals(BAD) && b.length == 4) {
            Instruction own = Arm64Extras.decode(r.address(), b, word(b));
            if (own != null) {
                return own;
            }
        }
        if (r.mnemonic().equals(BAD) || b.length < 4) {
            long word = b.length < 4 ? 0 : word(b);
            return new Instruction(r.address(), b, ".inst", String.format("0x%08x ; undefined", word));
        }
        long word = word(b);
        if (word == 0xd50330ffL) {
            return Arm64Extras.decode(r.address(), b, word); // sb: Capstone 4 prints it as an msr
        }
        String mn = r.mnemonic();
        List<String> ops = split(r.operands());

        if ((mn.equals("ushll") || mn.equals("sshll") || mn.equals("ushll2") || mn.equals("sshll2")) && ops.size() == 3
                && ops.get(2).matches("#0(x0)?")) {
            mn = (mn.charAt(0) == 'u' ? "uxtl" : "sxtl") + (mn.endsWith("2") ? "2" : "");
            ops.remove(2);
        }
        if (mn.equals("ins")) {
            mn = "mov"; // objdump always prints the element-insert alias
        }
        if (mn.equals("hint") || ((word & 0xfffff01fL) == 0xd503201fL)) {
            int imm = (int) ((word >> 5) & 0x7f);
            String name = HINTS.get(imm);
            if (name != null) {
                return new Instruction(r.address(), b, name, "");
            }
            return new Instruction(r.address(), b, "hint", "#0x" + Integer.toHexString(imm));
        }

        String comment = "";
        long target = 0;
        Instruction.Kind kind = Instruction.Kind.NONE;

        // condition names: objdump says cs/cc where Capstone says hs/lo, and comments the aliases
        if (mn.startsWith("b.")) {
            String c = canonicalCondition(mn.substring(2));
            mn = "b." + c;
            String alias = CONDITION_ALIAS.get(c);
            if (alias != null) {
                comment = "b." + alias.replace(", ", ", b.");
            }
        } else if (!ops.isEmpty()) {
            String last = ops.get(ops.size() - 1);
            if (last.matches("eq|ne|hs|cs|lo|cc|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al|nv")) {
                String c = canonicalCondition(last);
                ops.set(ops.size() - 1, c);
                String alias = CONDITION_ALIAS.get(c);
                if (alias != null) {
                    comment = c + " = " + alias;
                }
            }
        }

        boolean branch = BRANCHES.contains(mn) || mn.startsWith("b.") || (mn.startsWith("ldr") || mn.equals("prfm"))
                && !ops.isEmpty() && ops.get(ops.size() - 1).startsWith("#") && ops.size() == 2
                && isLiteralLoad(word);
        List<String> out = new ArrayList<>(ops.size());
        boolean afterMemory = false;
        for (int k = 0; k < ops.size(); k++) {
            String o = ops.get(k);
            if (branch && k == ops.size() - 1 && o.startsWith("#")) {
                target = parseImm(o.substring(1));
                kind = Instruction.Kind.BRANCH;
                out.add("0x" + Long.toHexString(target));
                continue;
            }
            if (o.startsWith("[")) {
                out.add(decimalImmediates(o));
                afterMemory = true;
                continue;
            }
            if (afterMemory && o.startsWith("#")) {
                out.add(decimalImmediates(o)); // post-index offset
                continue;
            }
            if (o.startsWith("#") && isFloatOp(mn)) {
                out.add(floatImmediate(word, o));
                continue;
            }
            if (o.startsWith("#")) {
                out.add(DECIMAL_IMM.contains(mn) ? decimalImmediates(o) : hexImmediate(o));
                continue;
            }
            out.add(o);
        }

        // mov aliases of the move-wide instructions, with objdump's decimal comment
        if ((mn.equals("movz") || mn.equals("movn") || mn.equals("mov")) && out.size() >= 2 && out.get(1).startsWith("#")
                && isMoveWide(word)) {
            boolean is64 = (word >>> 31) == 1;
            int hw = (int) ((word >> 21) & 3);
            long imm16 = (word >> 5) & 0xffff;
            boolean movn = ((word >> 29) & 3) == 0;
            long v = imm16 << (16 * hw);
            if (movn) {
                v = ~v;
            }
            if (!is64) {
                v &= 0xffffffffL;
            }
            boolean alias = !(imm16 == 0 && hw != 0) && !(movn && !is64 && imm16 == 0xffff);
            if (alias) {
                mn = "mov";
                out = new ArrayList<>(List.of(out.get(0), "#0x" + Long.toHexString(v)));
                comment = "#" + (is64 ? Long.toString(v) : Integer.toString((int) v));
            }
        } else if (mn.equals("orr") && out.size() == 3 && out.get(1).matches("[wx]zr") && isOrrImmediate(word)) {
            // orr with the zero register is objdump's "mov" unless movz/movn could make the value
            boolean is64 = (word >>> 31) == 1;
            long v = parseImm(out.get(2).substring(1));
            if (!is64) {
                v &= 0xffffffffL;
            }
            if (!wideConstant(v, is64)) {
                mn = "mov";
                out = new ArrayList<>(List.of(out.get(0), "#0x" + Long.toHexString(v)));
                comment = "#" + (is64 ? Long.toString(v) : Integer.toString((int) v));
            }
        } else if (mn.equals("mov") && out.size() == 2 && out.get(1).startsWith("#") && isOrrImmediate(word)) {
            // orr with the zero register: objdump's "mov" prints the value in hex with a decimal comment
            boolean is64 = (word >>> 31) == 1;
            long v = parseImm(out.get(1).substring(1));
            if (!is64) {
                v &= 0xffffffffL;
            }
            out.set(1, "#0x" + Long.toHexString(v));
            comment = "#" + (is64 ? Long.toString(v) : Integer.toString((int) v));
        }
        return new Instruction(r.address(), b, mn, String.join(", ", out), target, kind, comment);
    }

    /** True when MOVZ or MOVN can build {@code v} (one non-zero, or one non-0xffff, 16-bit half). */
    private static boolean wideConstant(long v, boolean is64) {
        int halves = is64 ? 4 : 2;
        long mask = is64 ? -1L : 0xffffffffL;
        for (long x : new long[] {v & mask, ~v & mask}) {
            int nonZero = 0;
            for (int h = 0; h < halves; h++) {
                if (((x >>> (16 * h)) & 0xffff) != 0) {
                    nonZero++;
                }
            }
            if (nonZero <= 1) {
                return true;
            }
        }
        return false;
    }

    private static boolean isFloatOp(String mn) {
        return mn.equals("fmov") || mn.startsWith("fcmp") || mn.startsWith("fcmeq") || mn.startsWith("fcmge")
                || mn.startsWith("fcmgt") || mn.startsWith("fcmle") || mn.startsWith("fcmlt");
    }

    /** objdump prints floating immediates with {@code %.18e} (fmov) or as {@code #0.0} (compares with zero). */
    private static String floatImmediate(long w, String o) {
        if (o.startsWith("#0x0.0") || o.equals("#0.0") || o.equals("#0")) {
            return "#0.0";
        }
        if (((w >> 10) & 7) == 4 && ((w >> 24) & 0xff) == 0x1e) {
            // FMOV (scalar, immediate): imm8 = a:bcd:efgh -> (-1)^a * 2^((bcd ^ 4) - 3) * (16 + efgh) / 16
            int imm8 = (int) ((w >> 13) & 0xff);
            int n = (((imm8 >> 4) & 7) ^ 4) - 3;
            double v = Math.scalb((16 + (imm8 & 0xf)) / 16.0, n) * ((imm8 & 0x80) != 0 ? -1 : 1);
            return "#" + String.format(java.util.Locale.ROOT, "%.18e", v);
        }
        return o;
    }

    private static long word(byte[] b) {
        return (b[0] & 0xffL) | (b[1] & 0xffL) << 8 | (b[2] & 0xffL) << 16 | (b[3] & 0xffL) << 24;
    }

    private static String canonicalCondition(String c) {
        return switch (c) {
            case "hs" -> "cs";
            case "lo" -> "cc";
            default -> c;
        };
    }

    // MOVN/MOVZ/MOVK: sf opc 100101 hw imm16 Rd
    private static boolean isMoveWide(long w) {
        return ((w >> 23) & 0x3f) == 0x25 && ((w >> 29) & 3) != 1;
    }

    // ORR (immediate): sf 01 100100 N immr imms Rn Rd
    private static boolean isOrrImmediate(long w) {
        return ((w >> 23) & 0xff) == 0x64 && ((w >> 29) & 3) == 1;
    }

    // LDR (literal) and PRFM (literal): opc 011 V 00 imm19 Rt
    private static boolean isLiteralLoad(long w) {
        return ((w >> 27) & 7) == 3 && ((w >> 24) & 3) == 0;
    }

    /** Splits at top-level ", " (not inside [...] or {...}). */
    static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        if (s.isEmpty()) {
            return out;
        }
        int depth = 0;
        int start = 0;
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c == '[' || c == '{') {
                depth++;
            } else if (c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(start, k).strip());
                start = k + 1;
            }
        }
        out.add(s.substring(start).strip());
        return out;
    }

    static long parseImm(String t) {
        boolean neg = t.startsWith("-");
        String v = neg ? t.substring(1) : t;
        long x = v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v);
        return neg ? -x : x;
    }

    private static String decimalImmediates(String o) {
        Matcher m = IMM.matcher(o);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            long v = parseImm(m.group(2));
            m.appendReplacement(sb, "#" + m.group(1) + v);
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String hexImmediate(String o) {
        // "#imm" or "#imm, lsl #n" style pieces: the first number in hex, shift amounts stay decimal
        Matcher m = IMM.matcher(o);
        if (!m.find() || m.start() != 0) {
            return o;
        }
        long v = parseImm(m.group(2));
        return "#" + m.group(1) + "0x" + Long.toHexString(v) + o.substring(m.end());
    }
}
