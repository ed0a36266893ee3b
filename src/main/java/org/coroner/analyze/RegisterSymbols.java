package org.coroner.analyze;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.coroner.disasm.Instruction;
import org.coroner.disasm.RegisterEffect;

/**
 * x86_64 registers read symbolically over a function's straight-line code: each register is "the
 * entry value of some register plus a constant" ({@code mov %a,%b}, {@code lea d(%a),%b},
 * {@code add}/{@code sub} of an immediate), or unknown after any other write or a call's clobber.
 * Two lock arguments that derive from one entry value differ by a known constant, whatever that
 * value was: what lets a lock reached through a pointer be followed from one call to another.
 */
final class RegisterSymbols {
    /** A register's value: the entry value of {@code base} plus {@code disp}; base null: unknown. */
    record Sym(String base, long disp) {
        static final Sym UNKNOWN = new Sym(null, 0);

        Sym plus(long d) {
            return base == null ? this : new Sym(base, disp + d);
        }
    }

    private static final String[] REGS = {"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11",
        "r12", "r13", "r14", "r15"};
    private static final Pattern LEA = Pattern.compile("(-?0x[0-9a-f]+)?\\(%(\\w+)\\)");

    private final Map<String, Sym> end;
    private final Map<Long, Sym> firstArgument;

    private RegisterSymbols(Map<String, Sym> end, Map<Long, Sym> firstArgument) {
        this.end = end;
        this.firstArgument = firstArgument;
    }

    /** The registers before instruction {@code upTo} (exclusive), and %rdi at every call before it. */
    static RegisterSymbols read(List<Instruction> ins, int upTo) {
        Map<String, Sym> st = new HashMap<>();
        for (String r : REGS) {
            st.put(r, new Sym(r, 0));
        }
        Map<Long, Sym> argAt = new HashMap<>();
        for (int i = 0; i < upTo && i < ins.size(); i++) {
            Instruction in = ins.get(i);
            if (i == 0 && in.mnemonic().startsWith("call")) {
                continue; // the ftrace hook (call __fentry__ in a .ko, a NOP once loaded) saves every register
            }
            if (in.mnemonic().startsWith("call")) {
                argAt.put(in.address(), st.get("rdi"));
                for (String r : REGS) {
                    if (RegisterEffect.writes(org.coroner.disasm.Arch.X86_64, in, r)) {
                        st.put(r, Sym.UNKNOWN);
                    }
                }
                continue;
            }
            List<String> ops = RegisterEffect.operands(org.coroner.disasm.Arch.X86_64, in);
            String dst = ops.isEmpty() ? null : ops.get(ops.size() - 1);
            String src = ops.size() == 2 ? ops.get(0) : null;
            String d = dst != null && dst.startsWith("%") ? dst.substring(1) : null;
            Sym value = null;
            if (d != null && src != null && Arrays.asList(REGS).contains(d)) {
                String m = in.mnemonic();
                Matcher lea = LEA.matcher(src);
                if ((m.equals("mov") || m.equals("movq")) && src.startsWith("%") && st.containsKey(src.substring(1))) {
                    value = st.get(src.substring(1));
                } else if ((m.equals("lea") || m.equals("leaq")) && lea.matches() && st.containsKey(lea.group(2))) {
                    value = st.get(lea.group(2)).plus(lea.group(1) == null ? 0 : SourceTrace.parseImm(lea.group(1)));
                } else if ((m.equals("add") || m.equals("addq") || m.equals("sub") || m.equals("subq")) && src.startsWith("$")) {
                    long imm = SourceTrace.parseImm(src.substring(1));
                    value = st.get(d).plus(m.startsWith("add") ? imm : -imm);
                }
            }
            for (String r : REGS) {
                if (RegisterEffect.writes(org.coroner.disasm.Arch.X86_64, in, r)) {
                    st.put(r, r.equals(d) && value != null ? value : Sym.UNKNOWN);
                }
            }
        }
        return new RegisterSymbols(st, argAt);
    }

    /** Each register just before the instruction the read stopped at. */
    Map<String, Sym> atEnd() {
        return end;
    }

    /** {@code %rdi} (a call's first argument) at each call instruction, by address. */
    Map<Long, Sym> firstArgument() {
        return firstArgument;
    }

    /** The DWARF x86_64 register number's name ({@code 3} is {@code rbx}), or null. */
    static String dwarfName(int n) {
        return n >= 0 && n < REGS.length ? REGS[n] : null;
    }
}
