package org.coroner.disasm;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A memory operand taken apart, so that the analyzer can tell which register held the bad pointer:
 * {@code 0x8(%rax)} is base {@code rax} + 8. Registers are named without {@code %}.
 * <ul>
 * <li>AT&T ({@link #parseAtt}): {@code %seg:disp(base,index,scale)}, any part optional,
 * {@code *} of indirect branches allowed; {@code rip} as base for RIP-relative operands.</li>
 * <li>arm64 ({@link #parseArm64}): {@code [xN]}, {@code [xN, #imm]}, {@code [xN, #imm]!} (pre-index),
 * {@code [xN], #imm} (post-index: the access itself is at {@code xN}), {@code [xN, xM, lsl #3]},
 * {@code [xN, wM, sxtw #2]} (scale 1 &lt;&lt; shift).</li>
 * </ul>
 *
 * @param segment      {@code fs}/{@code gs}/... of an x86 override, or null
 * @param displacement the constant part (for arm64 post-index forms, 0: the offset applies after)
 * @param base         base register or null
 * @param index        index register or null
 * @param scale        index multiplier (1 when there is no index)
 */
public record MemoryOperand(String segment, long displacement, String base, String index, int scale) {
    private static final Pattern ATT = Pattern.compile(
            "^\\*?(?:%([a-z]s):)?(-?0x[0-9a-f]+|-?[0-9]+)?(?:\\((?:%([a-z0-9]+))?(?:,%([a-z0-9]+)(?:,([1248]))?)?\\))?$");
    private static final Pattern ARM = Pattern.compile(
            "^\\[([a-z0-9]+)(?:,\\s*#(-?(?:0x[0-9a-f]+|[0-9]+)))?(?:,\\s*([wx][0-9]+|[wx]zr)(?:,\\s*(lsl|uxtw|sxtw|sxtx|uxtx)(?:\\s*#([0-9]+))?)?)?(?:,\\s*mul vl)?\\]!?(?:,\\s*#-?(?:0x[0-9a-f]+|[0-9]+))?$");

    public boolean ripRelative() {
        return "rip".equals(base) || "eip".equals(base);
    }

    /** Parses one AT&T memory operand; empty when the text is not one (a register, an immediate). */
    public static Optional<MemoryOperand> parseAtt(String text) {
        String t = text.strip().replace(", ", ",");
        if (t.isEmpty() || t.startsWith("$") || (t.startsWith("%") && !t.contains(":") && !t.contains("("))
                || (t.startsWith("*%") && !t.contains("("))) {
            return Optional.empty();
        }
        Matcher m = ATT.matcher(t);
        if (!m.matches() || (m.group(2) == null && m.group(3) == null && m.group(4) == null)) {
            return Optional.empty();
        }
        long disp = m.group(2) == null ? 0 : parseNumber(m.group(2));
        String index = m.group(4);
        int scale = m.group(5) == null ? 1 : Integer.parseInt(m.group(5));
        if ("riz".equals(index) || "eiz".equals(index)) {
            index = null; // objdump's spelling of "no index" in a SIB byte
            scale = 1;
        }
        return Optional.of(new MemoryOperand(m.group(1), disp, m.group(3), index, scale));
    }

    /** Parses one arm64 memory operand ({@code [x2, #8]}); empty when the text is not one. */
    public static Optional<MemoryOperand> parseArm64(String text) {
        Matcher m = ARM.matcher(text.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        long disp = m.group(2) == null ? 0 : parseNumber(m.group(2));
        int scale = m.group(5) == null ? 1 : 1 << Integer.parseInt(m.group(5));
        return Optional.of(new MemoryOperand(null, disp, m.group(1), m.group(3), m.group(3) == null ? 1 : scale));
    }

    /** The memory operand of a decoded instruction, if it has one (the first, for string instructions). */
    public static Optional<MemoryOperand> of(Instruction insn) {
        if (insn.kind() == Instruction.Kind.BRANCH) {
            return Optional.empty();
        }
        boolean arm = !insn.operands().contains("%");
        for (String op : split(insn.operands())) {
            Optional<MemoryOperand> m = arm ? parseArm64(op) : parseAtt(op);
            if (m.isPresent()) {
                return m;
            }
        }
        return Optional.empty();
    }

    /**
     * The address accessed, given register values (null for unknown registers); empty when a
     * register it needs is unknown. For a RIP-relative operand pass {@code rip} = the address of
     * the next instruction. The x86 segment base ({@code %gs} per-cpu offset) is not added.
     */
    public OptionalLong address(Function<String, Long> registers) {
        long a = displacement;
        if (base != null) {
            Long b = registers.apply(base);
            if (b == null) {
                return OptionalLong.empty();
            }
            a += b;
        }
        if (index != null) {
            Long x = registers.apply(index);
            if (x == null) {
                return OptionalLong.empty();
            }
            if (index.startsWith("w")) {
                x = (long) x.intValue(); // arm64 32-bit index registers are extended (sxtw; uxtw is rare in kernels)
            }
            a += x * scale;
        }
        return OptionalLong.of(a);
    }

    /** Operands split at top-level commas (commas inside parentheses or brackets belong to one operand). */
    static List<String> split(String ops) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int k = 0; k < ops.length(); k++) {
            char c = ops.charAt(k);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(ops.substring(start, k).strip());
                start = k + 1;
            }
        }
        if (start < ops.length()) {
            out.add(ops.substring(start).strip());
        }
        return out;
    }

    private static long parseNumber(String n) {
        boolean neg = n.startsWith("-");
        String v = neg ? n.substring(1) : n;
        long x = v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v);
        return neg ? -x : x;
    }
}
