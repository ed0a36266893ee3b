package org.coroner.arch;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One register context of a CPU as the dump keeps it (a CPU note, or an exception frame the entry
 * code saved), seen the same way on every architecture, so that the analyzer can read "the pc",
 * "the pointer in the base register" or "the first argument" without knowing which CPU it was.
 */
public interface SavedRegisters {
    /** The interrupted instruction. */
    long pc();

    long sp();

    /** The context was in user mode. */
    boolean userMode();

    /**
     * The registers by their assembler names ({@code rax}, {@code x0}), in the order the kernel
     * prints them, the pc, sp and flags words included.
     */
    Map<String, Long> named();

    /** The names of {@link #named()} that hold data a pointer can be in (no pc, sp, flags, orig_*). */
    List<String> generalPurpose();

    /** The registers the first four arguments of a call are passed in ({@code rdi}.., {@code x0}..). */
    List<String> arguments();

    /** The register the caller's return address is in at a call (arm64's x30); empty where a call pushes it (x86_64). */
    OptionalLong link();

    /** The architecture's DWARF register numbering. */
    DwarfRegisters numbering();

    /** The value of DWARF register {@code n}, when this context holds it. */
    default OptionalLong dwarf(int n) {
        Long v = named().get(numbering().name(n));
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** How the architecture's tools write a register: {@code %rax}, {@code x0}. */
    String display(String name);

    /** The program counter's name as the kernel's reports print it: {@code RIP}, {@code pc}. */
    String pcName();
}
