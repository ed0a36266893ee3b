package org.coroner.oops.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.disasm.Arch;
import org.coroner.disasm.CodeLine;
import org.coroner.disasm.Instruction;
import org.coroner.disasm.MemoryOperand;
import org.coroner.disasm.RegisterEffect;
import org.coroner.dwarf.Die;
import org.coroner.dwarf.Symbolizer;
import org.coroner.dwarf.loc.TypeNames;
import org.coroner.dwarf.loc.Variables;
import org.coroner.oops.decode.DecodedOops;
import org.coroner.oops.decode.Hex;

/**
 * Says in source terms what the faulting instruction accessed (x86_64, arm64): the base register of its
 * memory operand is matched against the DWARF locations of the variables live at the faulting pc;
 * when the register was loaded just before from a member of a struct a variable points to, that
 * load is followed. Every step is stated as evidence; nothing is guessed: when a step cannot be
 * proven the explanation stops there. Instructions are read through {@link RegisterEffect}, so the
 * steps are the same for AT&T code and arm64 code.
 */
final class FaultExplainer {
    private FaultExplainer() {
    }

    static Optional<FaultExplanation> explain(DecodedOops d, SymbolizedFrame rip, CodeLine.Decoded code, DebugFiles debug) {
        boolean arm64 = d.arch() == org.coroner.oops.decode.Arch.ARM64;
        if (d.arch() != org.coroner.oops.decode.Arch.X86_64 && !arm64 || rip == null || rip.function() == null || rip.offset() == null) {
            return Optional.empty();
        }
        Arch arch = arm64 ? Arch.ARM64 : Arch.X86_64;
        Optional<CodeLine.Line> fl = code.faulting();
        if (fl.isEmpty()) {
            return Optional.empty();
        }
        Instruction fi = fl.get().instruction();
        Optional<MemoryOperand> mo = MemoryOperand.of(fi);
        if (mo.isEmpty() || mo.get().base() == null || mo.get().ripRelative() || mo.get().index() != null) {
            return Optional.empty();
        }
        String reg = RegisterEffect.wide(arch, mo.get().base());
        String r = RegisterEffect.display(arch, reg);
        long disp = mo.get().displacement();
        Long value = d.registers() == null ? null : d.registers().get(arm64 ? reg : reg.toUpperCase());
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
                + memory(arch, disp, reg) + (value == null ? "" : "; " + r + " = "
                + Hex.format(value) + " in the report's registers") + ".");

        // 1. the register is a variable's home at the faulting pc
        Optional<Variables.Variable> direct = variableIn(arch, s, pc, reg);
        if (direct.isPresent()) {
            Variables.Variable v = direct.get();
            ev.add("DWARF: at " + rip.kernelSpelling() + " " + kind(v) + " '" + v.name() + "' of " + v.scope() + "() lives in "
                    + r + " (type " + TypeNames.cName(s, v.typeDie()) + ").");
            String[] access = access(s, v.typeDie(), disp, v.name(), ev);
            return Optional.of(new FaultExplanation(fi.text(), reg, value, v.name(), TypeNames.cName(s, v.typeDie()), null,
                    access[0], access[1], ev));
        }
        // 2. the register was loaded from memory by an earlier instruction of the same code
        List<CodeLine.Line> lines = code.lines();
        for (int i = code.fault() - 1; i >= 0; i--) {
            Instruction in = lines.get(i).instruction();
            if (!RegisterEffect.writes(arch, in, reg)) {
                continue;
            }
            RegisterEffect e = RegisterEffect.of(arch, in, reg);
            if (e.kind() != RegisterEffect.Kind.LOAD) {
                ev.add(r + " was last written by " + in.text() + ", which is not a load this explanation can follow.");
                return Optional.of(new FaultExplanation(fi.text(), reg, value, null, null, null, null, null, ev));
            }
            long loadPc = pc - (fi.address() - in.address());
            String base = RegisterEffect.wide(arch, e.mem().base());
            long d2 = e.mem().displacement();
            ev.add(r + " was loaded by " + in.text() + " at " + rip.function() + "+" + Hex.format(rip.offset()
                    - (fi.address() - in.address())) + ": the " + e.width() + " bytes at " + memory(arch, d2, base) + ".");
            Optional<Variables.Variable> holder = variableIn(arch, s, loadPc, base);
            if (holder.isEmpty()) {
                ev.add("No variable's DWARF location is " + RegisterEffect.display(arch, base) + " there: the source expression is not known.");
                return Optional.of(new FaultExplanation(fi.text(), reg, value, null, null, null, null, null, ev));
            }
            Variables.Variable v = holder.get();
            ev.add("DWARF: at that instruction " + kind(v) + " '" + v.name() + "' of " + v.scope() + "() lives in "
                    + RegisterEffect.display(arch, base) + " (type " + TypeNames.cName(s, v.typeDie()) + ").");
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
                    + Hex.format(m.get().offset()) + " (type " + heldType + "), so " + r + " held " + held
                    + (value == null ? "" : ", " + (value == 0 ? "NULL" : Hex.format(value))) + ".");
            String last = m.get().path().substring(m.get().path().lastIndexOf('.') + 1);
            String[] access = access(s, m.get().type(), disp, last, ev);
            return Optional.of(new FaultExplanation(fi.text(), reg, value, held, heldType, loadedFrom, access[0], access[1], ev));
        }
        ev.add("The code bytes in the report do not show where " + r + " was set.");
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

    static Optional<Variables.Variable> variableIn(Arch arch, Symbolizer s, long pc, String reg) {
        return Variables.inRegister(s, pc, arch.isX86() ? org.coroner.arch.x86_64.X86_64DwarfRegisters.INSTANCE
                : org.coroner.arch.arm64.Arm64DwarfRegisters.INSTANCE, reg);
    }

    /** {@code 0x28(%rbx)}, {@code [x19, #0x28]}. */
    private static String memory(Arch arch, long disp, String base) {
        return arch.isX86() ? (disp == 0 ? "" : Hex.format(disp)) + "(%" + base + ")"
                : "[" + base + (disp == 0 ? "" : ", #" + Hex.format(disp)) + "]";
    }

    private static String kind(Variables.Variable v) {
        return v.parameter() ? "parameter" : "variable";
    }
}
