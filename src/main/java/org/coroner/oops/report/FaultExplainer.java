package org.coroner.oops.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.coroner.disasm.CodeLine;
import org.coroner.disasm.Instruction;
import org.coroner.disasm.MemoryOperand;
import org.coroner.dwarf.Die;
import org.coroner.dwarf.Symbolizer;
import org.coroner.dwarf.loc.TypeNames;
import org.coroner.dwarf.loc.Variables;
import org.coroner.oops.decode.DecodedOops;
import org.coroner.oops.decode.Hex;

/**
 * Says in source terms what the faulting instruction accessed (x86_64): the base register of its
 * memory operand is matched against the DWARF locations of the variables live at the faulting pc;
 * when the register was loaded just before from a member of a struct a variable points to, that
 * load is followed. Every step is stated as evidence; nothing is guessed: when a step cannot be
 * proven the explanation stops there.
 */
final class FaultExplainer {
    private static final Map<String, String> WIDE = Map.ofEntries(
            Map.entry("eax", "rax"), Map.entry("edx", "rdx"), Map.entry("ecx", "rcx"), Map.entry("ebx", "rbx"),
            Map.entry("esi", "rsi"), Map.entry("edi", "rdi"), Map.entry("ebp", "rbp"), Map.entry("esp", "rsp"));

    private FaultExplainer() {
    }

    static Optional<FaultExplanation> explain(DecodedOops d, SymbolizedFrame rip, CodeLine.Decoded code, DebugFiles debug) {
        if (d.arch() != org.coroner.oops.decode.Arch.X86_64 || rip == null || rip.function() == null || rip.offset() == null) {
            return Optional.empty();
        }
        Optional<CodeLine.Line> fl = code.faulting();
        if (fl.isEmpty()) {
            return Optional.empty();
        }
        Instruction fi = fl.get().instruction();
        Optional<MemoryOperand> mo = MemoryOperand.of(fi);
        if (mo.isEmpty() || mo.get().base() == null || mo.get().ripRelative() || mo.get().index() != null) {
            return Optional.empty();
        }
        String reg = wide(mo.get().base());
        long disp = mo.get().displacement();
        Long value = d.registers() == null ? null : d.registers().get(reg.toUpperCase());
        Optional<Symbolizer> sym = rip.module() != null ? debug.module(rip.module()) : Optional.ofNullable(vmlinux(debug));
        if (sym.isEmpty()) {
            return Optional.empty();
        }
        Symbolizer s = sym.get();
        Symbolizer.Resolution res = s.resolve(rip.function(), rip.offset(), rip.size() == null ? 0 : rip.size());
        if (res.mismatch() != null || res.address() < 0) {
            return Optional.empty();
        }
        long pc = res.address();
        List<String> ev = new ArrayList<>();
        ev.add("The faulting instruction " + fi.text() + " (" + rip.kernelSpelling() + ") accesses memory at "
                + (disp == 0 ? "" : Hex.format(disp)) + "(%" + reg + ")" + (value == null ? "" : "; %" + reg + " = "
                + Hex.format(value) + " in the report's registers") + ".");

        // 1. the register is a variable's home at the faulting pc
        Optional<Variables.Variable> direct = variableIn(s, pc, reg);
        if (direct.isPresent()) {
            Variables.Variable v = direct.get();
            ev.add("DWARF: at " + rip.kernelSpelling() + " " + kind(v) + " '" + v.name() + "' of " + v.scope() + "() lives in %"
                    + reg + " (type " + TypeNames.cName(s, v.typeDie()) + ").");
            String[] access = access(s, v.typeDie(), disp, v.name(), ev);
            return Optional.of(new FaultExplanation(fi.text(), reg, value, v.name(), TypeNames.cName(s, v.typeDie()), null,
                    access[0], access[1], ev));
        }
        // 2. the register was loaded from memory by an earlier instruction of the same code
        List<CodeLine.Line> lines = code.lines();
        for (int i = code.fault() - 1; i >= 0; i--) {
            Instruction in = lines.get(i).instruction();
            if (!writes(in, reg)) {
                continue;
            }
            Optional<MemoryOperand> src = in.mnemonic().startsWith("mov") ? MemoryOperand.of(in) : Optional.empty();
            if (src.isEmpty() || src.get().base() == null || src.get().index() != null || src.get().ripRelative()
                    || !in.operands().endsWith(",%" + reg)) {
                ev.add("%" + reg + " was last written by " + in.text() + ", which is not a load this explanation can follow.");
                return Optional.of(new FaultExplanation(fi.text(), reg, value, null, null, null, null, null, ev));
            }
            long loadPc = pc - (fi.address() - in.address());
            String base = wide(src.get().base());
            long d2 = src.get().displacement();
            ev.add("%" + reg + " was loaded by " + in.text() + " at " + rip.function() + "+" + Hex.format(rip.offset()
                    - (fi.address() - in.address())) + ": the 8 bytes at " + Hex.format(d2) + "(%" + base + ").");
            Optional<Variables.Variable> holder = variableIn(s, loadPc, base);
            if (holder.isEmpty()) {
                ev.add("No variable's DWARF location is %" + base + " there: the source expression is not known.");
                return Optional.of(new FaultExplanation(fi.text(), reg, value, null, null, null, null, null, ev));
            }
            Variables.Variable v = holder.get();
            ev.add("DWARF: at that instruction " + kind(v) + " '" + v.name() + "' of " + v.scope() + "() lives in %" + base
                    + " (type " + TypeNames.cName(s, v.typeDie()) + ").");
            Optional<Die> struct = TypeNames.pointee(s, v.typeDie());
            if (struct.isEmpty()) {
                return Optional.of(new FaultExplanation(fi.text(), reg, value, null, null, null, null, null, ev));
            }
            Optional<TypeNames.Member> m = TypeNames.memberAt(s, struct.get(), d2);
            if (m.isEmpty()) {
                ev.add("DWARF: " + TypeNames.cName(s, struct.get()) + " has no member at " + Hex.format(d2) + ".");
                return Optional.of(new FaultExplanation(fi.text(), reg, value, null, null, null, null, null, ev));
            }
            String held = v.name() + "->" + m.get().path();
            String heldType = TypeNames.cName(s, m.get().type());
            String loadedFrom = "member " + m.get().path() + " of " + TypeNames.cName(s, struct.get()) + " at +"
                    + Hex.format(m.get().offset());
            ev.add("DWARF: " + TypeNames.cName(s, struct.get()) + " has member '" + m.get().path() + "' at +"
                    + Hex.format(m.get().offset()) + " (type " + heldType + "), so %" + reg + " held " + held
                    + (value == null ? "" : ", " + (value == 0 ? "NULL" : Hex.format(value))) + ".");
            String last = m.get().path().substring(m.get().path().lastIndexOf('.') + 1);
            String[] access = access(s, m.get().type(), disp, last, ev);
            return Optional.of(new FaultExplanation(fi.text(), reg, value, held, heldType, loadedFrom, access[0], access[1], ev));
        }
        ev.add("The code bytes in the report do not show where %" + reg + " was set.");
        return Optional.of(new FaultExplanation(fi.text(), reg, value, null, null, null, null, null, ev));
    }

    private static Symbolizer vmlinux(DebugFiles debug) {
        return debug.vmlinuxSymbolizer();
    }

    /** {name->member, struct S member M at +D} for an access at disp through a pointer of type t. */
    private static String[] access(Symbolizer s, Die pointerType, long disp, String name, List<String> ev) {
        Optional<Die> target = TypeNames.pointee(s, pointerType);
        if (target.isEmpty()) {
            return new String[] {null, null};
        }
        Optional<TypeNames.Member> m = TypeNames.memberAt(s, target.get(), disp);
        if (m.isEmpty()) {
            return new String[] {null, null};
        }
        String acc = name + "->" + m.get().path();
        String type = TypeNames.cName(s, target.get()) + " member " + m.get().path() + " at +" + Hex.format(m.get().offset());
        ev.add("DWARF: " + TypeNames.cName(s, target.get()) + " has member '" + m.get().path() + "' at +"
                + Hex.format(m.get().offset()) + ", so the faulting access is " + acc + ".");
        return new String[] {acc, type};
    }

    private static Optional<Variables.Variable> variableIn(Symbolizer s, long pc, String reg) {
        int n = org.coroner.dwarf.loc.X86DwarfRegisters.number(reg);
        if (n < 0 || n > 15) {
            return Optional.empty();
        }
        return Variables.at(s, pc).stream().filter(v -> v.register() == n).findFirst();
    }

    private static String kind(Variables.Variable v) {
        return v.parameter() ? "parameter" : "variable";
    }

    private static String wide(String r) {
        return WIDE.getOrDefault(r, r);
    }

    /** True when the instruction's destination (AT&T: the last operand) is the register or its 32-bit half. */
    private static boolean writes(Instruction in, String reg) {
        String ops = in.operands();
        int comma = ops.lastIndexOf(',');
        String dst = comma < 0 ? ops : ops.substring(comma + 1);
        if (!dst.startsWith("%")) {
            return in.mnemonic().startsWith("call"); // a call clobbers the caller-saved registers
        }
        return wide(dst.substring(1)).equals(reg);
    }
}
