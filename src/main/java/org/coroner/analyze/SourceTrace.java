package org.coroner.analyze;

import java.util.List;
import java.util.Optional;

import org.coroner.disasm.Instruction;
import org.coroner.disasm.RegisterEffect;
import org.coroner.dwarf.Die;
import org.coroner.dwarf.Symbolizer;
import org.coroner.dwarf.loc.TypeNames;
import org.coroner.dwarf.loc.Variables;
import org.coroner.oops.decode.Hex;

/**
 * Names the value a register held at an instruction in source terms, by walking the function's
 * code backwards: a register that is a variable's DWARF home is that variable; a register loaded
 * from {@code D(base)} ({@code mov D(%base),%reg}, {@code ldr reg, [base, #D]}) is the member at
 * offset D of the struct {@code base} points to; a constant added, an address computed and
 * register moves are followed; a constant is named for what it is. The instructions are read
 * through {@link RegisterEffect}, so the walk is the same on x86_64 and arm64. Each step adds its
 * evidence. The walk is over the straight-line code before the instruction (the last write in
 * address order), which the evidence says.
 */
final class SourceTrace {
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

    /** The register's 64-bit name in the code's architecture. */
    String wide(String r) {
        return RegisterEffect.wide(code.arch(), r);
    }

    private static Expr unknown() {
        return new Expr(null, null, null, null, null);
    }

    /** What {@code reg} held when instruction {@code index} ran. */
    Expr value(String reg, int index, int depth) {
        reg = wide(reg);
        String r = code.reg(reg);
        Symbolizer s = code.dwarf();
        Instruction at = code.instructions().get(index);
        if (s != null) {
            Optional<Variables.Variable> v = variableIn(s, code.filePc(at), reg);
            if (v.isPresent()) {
                String type = TypeNames.cName(s, v.get().typeDie());
                evidence.add(Evidence.of("dwarf", (v.get().parameter() ? "Parameter '" : "Variable '") + v.get().name()
                        + "' (" + type + ") of " + v.get().scope() + "() lives in " + r + " at " + code.at(at) + ".",
                        "DWARF location list of '" + v.get().name() + "' at that pc"));
                return new Expr(v.get().name(), v.get().typeDie(), null, null, null);
            }
        }
        if (depth > 6) {
            return unknown();
        }
        for (int i = index - 1; i >= 0; i--) {
            Instruction in = code.instructions().get(i);
            if (!RegisterEffect.writes(code.arch(), in, reg)) {
                continue;
            }
            RegisterEffect e = RegisterEffect.of(code.arch(), in, reg);
            switch (e.kind()) {
                case CALL -> {
                    evidence.add(Evidence.of("code", r + " was last set by the call at " + code.at(in) + " ("
                            + in.text() + "): its return value or a clobber.", "disassembly of " + code.symbol()));
                    return unknown();
                }
                case CONSTANT -> {
                    evidence.add(Evidence.of("code", r + " was " + (e.value() == 0 && in.mnemonic().startsWith("xor")
                            ? "zeroed by " + in.text() : "set to the constant " + Hex.format(e.value()) + " by " + in.text())
                            + " at " + code.at(in) + ".", "disassembly of " + code.symbol()));
                    return new Expr(null, null, e.value(), null, null);
                }
                case MOVE -> {
                    return value(e.src(), i, depth + 1);
                }
                case LOAD -> {
                    String base = wide(e.mem().base());
                    long disp = e.mem().displacement();
                    bases.putIfAbsent(base, i);
                    evidence.add(Evidence.of("code", r + " was loaded by " + in.text() + " at " + code.at(in)
                            + ": the " + e.width() + " bytes at " + memoryText(disp, base) + ".",
                            "disassembly of " + code.symbol() + " from its first instruction"));
                    Expr b = value(base, i, depth + 1);
                    return member(b, disp, reg);
                }
                case OTHER_LOAD -> {
                    evidence.add(Evidence.of("code", r + " was last written by " + in.text() + " at " + code.at(in)
                            + ", a load this trace does not follow.", "disassembly of " + code.symbol()));
                    return unknown();
                }
                case ADD -> {
                    long delta = e.value();
                    Expr b = value(e.src(), i, depth + 1);
                    evidence.add(Evidence.of("code", in.text() + " at " + code.at(in) + " " + (delta >= 0 ? "adds " : "subtracts ")
                            + Hex.format(Math.abs(delta)) + (b.constant() != null ? ", giving " + Hex.format(b.constant() + delta) : "")
                            + ".", "disassembly of " + code.symbol()));
                    return new Expr(b.text() == null ? null : "(" + b.text() + (delta >= 0 ? " + " : " - ") + Hex.format(Math.abs(delta)) + ")",
                            null, b.constant() == null ? null : b.constant() + delta, null, null);
                }
                case ADDRESS -> {
                    long disp = e.mem().displacement();
                    String base = wide(e.mem().base());
                    Expr b = value(base, i, depth + 1);
                    evidence.add(Evidence.of("code", r + " = " + code.reg(base) + (disp >= 0 ? " + " : " - ")
                            + Hex.format(Math.abs(disp)) + " by " + in.text() + " at " + code.at(in) + ".",
                            "disassembly of " + code.symbol()));
                    return new Expr(b.text() == null ? null : "(" + b.text() + (disp >= 0 ? " + " : " - ") + Hex.format(Math.abs(disp)) + ")",
                            null, b.constant() == null ? null : b.constant() + disp, null, null);
                }
                default -> {
                    evidence.add(Evidence.of("code", r + " was last written by " + in.text() + " at " + code.at(in)
                            + ", which this trace does not follow.", "disassembly of " + code.symbol()));
                    return unknown();
                }
            }
        }
        evidence.add(Evidence.of("code", r + " is not written in " + code.symbol() + " before " + code.at(at)
                + ": it came from the caller.", "disassembly of " + code.symbol() + " from its first instruction"));
        return unknown();
    }

    /** {@code 0x28(%rbx)}, {@code [x19, #0x28]}. */
    String memoryText(long disp, String base) {
        if (code.arch().isX86()) {
            return (disp == 0 ? "" : Hex.format(disp)) + "(%" + base + ")";
        }
        return "[" + base + (disp == 0 ? "" : ", #" + Hex.format(disp)) + "]";
    }

    /** Whether {@code reg} still holds, at the last instruction, the value it had at instruction {@code index}. */
    boolean unchangedSince(String reg, int index) {
        for (int i = index; i < code.lastIndex(); i++) {
            if (RegisterEffect.writes(code.arch(), code.instructions().get(i), reg)) {
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
                + Hex.format(m.get().offset()) + " (type " + TypeNames.cName(s, m.get().type()) + "), so " + code.reg(reg) + " held "
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

    Optional<Variables.Variable> variableIn(Symbolizer s, long pc, String reg) {
        return variableIn(code.arch(), s, pc, reg);
    }

    /** The variable whose DWARF location at {@code pc} is register {@code reg}. */
    static Optional<Variables.Variable> variableIn(org.coroner.disasm.Arch arch, Symbolizer s, long pc, String reg) {
        return Variables.inRegister(s, pc, arch.isX86() ? org.coroner.arch.x86_64.X86_64DwarfRegisters.INSTANCE
                : org.coroner.arch.arm64.Arm64DwarfRegisters.INSTANCE, reg);
    }

    static long parseImm(String s) {
        return RegisterEffect.parseImm(s);
    }
}
