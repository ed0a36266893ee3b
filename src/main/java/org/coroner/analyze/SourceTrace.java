package org.coroner.analyze;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.coroner.disasm.Instruction;
import org.coroner.disasm.MemoryOperand;
import org.coroner.dwarf.Die;
import org.coroner.dwarf.Symbolizer;
import org.coroner.dwarf.loc.TypeNames;
import org.coroner.dwarf.loc.Variables;
import org.coroner.oops.decode.Hex;

/**
 * Names the value a register held at an instruction in source terms, by walking the function's
 * code backwards: a register that is a variable's DWARF home is that variable; a register loaded
 * with {@code mov D(%base),%reg} is the member at offset D of the struct {@code base} points to;
 * {@code lea}/{@code add}/{@code sub} of a constant and register moves are followed; a constant is
 * named for what it is. Each step adds its evidence. The walk is over the straight-line code before
 * the instruction (the last write in address order), which the evidence says.
 */
final class SourceTrace {
    private static final Map<String, String> WIDE = Map.ofEntries(
            Map.entry("eax", "rax"), Map.entry("edx", "rdx"), Map.entry("ecx", "rcx"), Map.entry("ebx", "rbx"),
            Map.entry("esi", "rsi"), Map.entry("edi", "rdi"), Map.entry("ebp", "rbp"), Map.entry("esp", "rsp"),
            Map.entry("r8d", "r8"), Map.entry("r9d", "r9"), Map.entry("r10d", "r10"), Map.entry("r11d", "r11"),
            Map.entry("r12d", "r12"), Map.entry("r13d", "r13"), Map.entry("r14d", "r14"), Map.entry("r15d", "r15"));

    /**
     * A source expression.
     *
     * @param text     {@code d->ops}, or null when not known
     * @param type     its DWARF type (null when not known)
     * @param constant its value when the code made it from constants
     * @param struct   for a member load: the struct type it was loaded from
     * @param member   for a member load: the member's path and offset
     */
    record Expr(String text, Die type, Long constant, Die struct, TypeNames.Member member) {
    }

    private final FunctionCode code;
    private final List<Evidence> evidence;
    /** Registers the trace read as a base of a load, each with the index of that load. */
    final java.util.Map<String, Integer> bases = new java.util.LinkedHashMap<>();

    SourceTrace(FunctionCode code, List<Evidence> evidence) {
        this.code = code;
        this.evidence = evidence;
    }

    static String wide(String r) {
        return WIDE.getOrDefault(r, r);
    }

    /** What {@code reg} held when instruction {@code index} ran. */
    Expr value(String reg, int index, int depth) {
        reg = wide(reg);
        Symbolizer s = code.dwarf();
        Instruction at = code.instructions().get(index);
        if (s != null) {
            Optional<Variables.Variable> v = variableIn(s, code.filePc(at), reg);
            if (v.isPresent()) {
                String type = TypeNames.cName(s, v.get().typeDie());
                evidence.add(Evidence.of("dwarf", (v.get().parameter() ? "Parameter '" : "Variable '") + v.get().name()
                        + "' (" + type + ") of " + v.get().scope() + "() lives in %" + reg + " at " + code.at(at) + ".",
                        "DWARF location list of '" + v.get().name() + "' at that pc"));
                return new Expr(v.get().name(), v.get().typeDie(), null, null, null);
            }
        }
        if (depth > 6) {
            return new Expr(null, null, null, null, null);
        }
        for (int i = index - 1; i >= 0; i--) {
            Instruction in = code.instructions().get(i);
            if (!writes(in, reg)) {
                continue;
            }
            String m = in.mnemonic();
            List<String> ops = operands(in);
            if (m.startsWith("call")) {
                evidence.add(Evidence.of("code", "%" + reg + " was last set by the call at " + code.at(in) + " ("
                        + in.text() + "): its return value or a clobber.", "disassembly of " + code.symbol()));
                return new Expr(null, null, null, null, null);
            }
            if ((m.startsWith("mov") && !m.startsWith("movs") && !m.startsWith("movz")) && ops.size() == 2) {
                String src = ops.get(0);
                if (src.startsWith("$")) {
                    long c = parseImm(src.substring(1));
                    evidence.add(Evidence.of("code", "%" + reg + " was set to the constant " + Hex.format(c) + " by "
                            + in.text() + " at " + code.at(in) + ".", "disassembly of " + code.symbol()));
                    return new Expr(null, null, c, null, null);
                }
                if (src.startsWith("%")) {
                    return value(src.substring(1), i, depth + 1);
                }
                Optional<MemoryOperand> mo = MemoryOperand.of(in);
                if (mo.isPresent() && mo.get().base() != null && !mo.get().ripRelative() && mo.get().index() == null) {
                    String base = wide(mo.get().base());
                    long disp = mo.get().displacement();
                    bases.putIfAbsent(base, i);
                    evidence.add(Evidence.of("code", "%" + reg + " was loaded by " + in.text() + " at " + code.at(in)
                            + ": the " + (reg.startsWith("e") ? "4" : "8") + " bytes at " + (disp == 0 ? "" : Hex.format(disp))
                            + "(%" + base + ").", "disassembly of " + code.symbol() + " from its first instruction"));
                    Expr b = value(base, i, depth + 1);
                    return member(b, disp, reg);
                }
                evidence.add(Evidence.of("code", "%" + reg + " was last written by " + in.text() + " at " + code.at(in)
                        + ", a load this trace does not follow.", "disassembly of " + code.symbol()));
                return new Expr(null, null, null, null, null);
            }
            if ((m.startsWith("add") || m.startsWith("sub")) && ops.size() == 2 && ops.get(0).startsWith("$")) {
                long c = parseImm(ops.get(0).substring(1));
                Expr b = value(reg, i, depth + 1);
                long delta = m.startsWith("add") ? c : -c;
                evidence.add(Evidence.of("code", in.text() + " at " + code.at(in) + " " + (delta >= 0 ? "adds " : "subtracts ")
                        + Hex.format(Math.abs(delta)) + (b.constant() != null ? ", giving " + Hex.format(b.constant() + delta) : "")
                        + ".", "disassembly of " + code.symbol()));
                return new Expr(b.text() == null ? null : "(" + b.text() + (delta >= 0 ? " + " : " - ") + Hex.format(Math.abs(delta)) + ")",
                        null, b.constant() == null ? null : b.constant() + delta, null, null);
            }
            if (m.startsWith("lea") && ops.size() == 2) {
                Optional<MemoryOperand> mo = MemoryOperand.of(in);
                if (mo.isPresent() && mo.get().base() != null && !mo.get().ripRelative() && mo.get().index() == null) {
                    long disp = mo.get().displacement();
                    Expr b = value(wide(mo.get().base()), i, depth + 1);
                    evidence.add(Evidence.of("code", "%" + reg + " = %" + wide(mo.get().base()) + (disp >= 0 ? " + " : " - ")
                            + Hex.format(Math.abs(disp)) + " by " + in.text() + " at " + code.at(in) + ".",
                            "disassembly of " + code.symbol()));
                    return new Expr(b.text() == null ? null : "(" + b.text() + (disp >= 0 ? " + " : " - ") + Hex.format(Math.abs(disp)) + ")",
                            null, b.constant() == null ? null : b.constant() + disp, null, null);
                }
            }
            if (m.startsWith("xor") && ops.size() == 2 && ops.get(0).equals(ops.get(1))) {
                evidence.add(Evidence.of("code", "%" + reg + " was zeroed by " + in.text() + " at " + code.at(in) + ".",
                        "disassembly of " + code.symbol()));
                return new Expr(null, null, 0L, null, null);
            }
            evidence.add(Evidence.of("code", "%" + reg + " was last written by " + in.text() + " at " + code.at(in)
                    + ", which this trace does not follow.", "disassembly of " + code.symbol()));
            return new Expr(null, null, null, null, null);
        }
        evidence.add(Evidence.of("code", "%" + reg + " is not written in " + code.symbol() + " before " + code.at(at)
                + ": it came from the caller.", "disassembly of " + code.symbol() + " from its first instruction"));
        return new Expr(null, null, null, null, null);
    }

    /** Whether {@code reg} still holds, at the last instruction, the value it had at instruction {@code index}. */
    boolean unchangedSince(String reg, int index) {
        for (int i = index; i < code.lastIndex(); i++) {
            if (writes(code.instructions().get(i), reg) || code.instructions().get(i).mnemonic().startsWith("pop")
                    && operands(code.instructions().get(i)).contains("%" + reg)) {
                return false;
            }
        }
        return true;
    }

    /** The member at {@code disp} of what {@code base} points to. */
    Expr member(Expr base, long disp, String reg) {
        Symbolizer s = code.dwarf();
        if (s == null || base.type() == null) {
            return new Expr(null, null, null, null, null);
        }
        Optional<Die> struct = TypeNames.pointee(s, base.type());
        if (struct.isEmpty()) {
            return new Expr(null, null, null, null, null);
        }
        Optional<TypeNames.Member> m = TypeNames.memberAt(s, struct.get(), disp);
        if (m.isEmpty()) {
            evidence.add(Evidence.of("dwarf", TypeNames.cName(s, struct.get()) + " has no member at +" + Hex.format(disp) + ".",
                    "DWARF type of " + base.text()));
            return new Expr(null, null, null, struct.get(), null);
        }
        String text = base.text() + "->" + m.get().path();
        evidence.add(Evidence.of("dwarf", TypeNames.cName(s, struct.get()) + " has member '" + m.get().path() + "' at +"
                + Hex.format(m.get().offset()) + " (type " + TypeNames.cName(s, m.get().type()) + "), so %" + reg + " held "
                + text + ".", "DWARF type of " + base.text()));
        return new Expr(text, m.get().type(), null, struct.get(), m.get());
    }

    /** An access through a pointer: {@code ops->counter}, member {@code counter} of {@code struct lab_ops}. */
    record Access(String text, String struct, String member, long offset) {
    }

    /** The expression an access at {@code disp} through a pointer expression evaluates ({@code ops->counter}). */
    Optional<Access> access(Expr pointer, long disp) {
        Symbolizer s = code.dwarf();
        if (s == null || pointer.type() == null || pointer.text() == null) {
            return Optional.empty();
        }
        Optional<Die> struct = TypeNames.pointee(s, pointer.type());
        if (struct.isEmpty()) {
            return Optional.empty();
        }
        Optional<TypeNames.Member> m = TypeNames.memberAt(s, struct.get(), disp);
        if (m.isEmpty()) {
            return Optional.empty();
        }
        String name = pointer.text().contains("->") ? pointer.text().substring(pointer.text().lastIndexOf("->") + 2) : pointer.text();
        String acc = name + "->" + m.get().path();
        evidence.add(Evidence.of("dwarf", TypeNames.cName(s, struct.get()) + " has member '" + m.get().path() + "' at +"
                + Hex.format(m.get().offset()) + " (type " + TypeNames.cName(s, m.get().type()) + "), so the faulting access is "
                + acc + ".", "DWARF type of " + pointer.text()));
        return Optional.of(new Access(acc, TypeNames.cName(s, struct.get()), m.get().path(), m.get().offset()));
    }

    static Optional<Variables.Variable> variableIn(Symbolizer s, long pc, String reg) {
        int n = org.coroner.dwarf.loc.X86DwarfRegisters.number(reg);
        if (n < 0 || n > 15) {
            return Optional.empty();
        }
        return Variables.at(s, pc).stream().filter(v -> v.register() == n).findFirst();
    }

    static List<String> operands(Instruction in) {
        List<String> out = new java.util.ArrayList<>();
        int depth = 0;
        int start = 0;
        String ops = in.operands();
        for (int k = 0; k < ops.length(); k++) {
            char c = ops.charAt(k);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(ops.substring(start, k).strip());
                start = k + 1;
            }
        }
        if (start < ops.length()) {
            out.add(ops.substring(start).strip().replaceAll("\\s+#.*$", ""));
        }
        return out;
    }

    /** True when the instruction's destination (AT&T: the last operand) is the register or its 32-bit half. */
    static boolean writes(Instruction in, String reg) {
        if (in.mnemonic().startsWith("call")) {
            return Set.CALLER_SAVED.contains(reg);
        }
        List<String> ops = operands(in);
        if (ops.isEmpty()) {
            return false;
        }
        if (in.mnemonic().startsWith("cmp") || in.mnemonic().startsWith("test") || in.mnemonic().startsWith("push")
                || in.mnemonic().startsWith("j")) {
            return false;
        }
        String dst = ops.get(ops.size() - 1);
        return dst.startsWith("%") && wide(dst.substring(1)).equals(reg);
    }

    private static final class Set {
        static final java.util.Set<String> CALLER_SAVED = java.util.Set.of("rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9",
                "r10", "r11");
    }

    static long parseImm(String s) {
        boolean neg = s.startsWith("-");
        String v = neg ? s.substring(1) : s;
        long x = v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v);
        return neg ? -x : x;
    }
}
