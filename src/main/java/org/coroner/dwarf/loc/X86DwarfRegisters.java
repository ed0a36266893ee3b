package org.coroner.dwarf.loc;

import java.util.Map;
import java.util.OptionalLong;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/** The x86_64 psABI's DWARF register numbers (0 rax, 1 rdx, 2 rcx, 3 rbx, ... 16 the return address / rip). */
public final class X86DwarfRegisters {
    private static final String[] NAMES = {"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10",
            "r11", "r12", "r13", "r14", "r15", "rip"};

    private X86DwarfRegisters() {
    }

    /** The register's name ({@code rbx} for 3), or {@code rN} beyond the general registers. */
    public static String name(int n) {
        return n >= 0 && n < NAMES.length ? NAMES[n] : "r" + n;
    }

    /** The DWARF number of a 64-bit register name, or -1. */
    public static int number(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A DWARF register lookup over named register values (as an exception frame holds them), limited
     * to the names {@code known} accepts: what {@link FrameVariables#evaluate} takes.
     */
    public static IntFunction<OptionalLong> of(Map<String, Long> values, Predicate<String> known) {
        return n -> {
            String name = name(n);
            Long v = values.get(name);
            return v == null || !known.test(name) ? OptionalLong.empty() : OptionalLong.of(v);
        };
    }
}
