package org.coroner.dump;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The registers one CPU had when the dump was taken, as the dump's notes recorded them:
 * {@code NT_PRSTATUS} (general registers, and the pid of the task the dumping kernel saw there)
 * and/or QEMU's CPU-state note (also control registers and segment bases). Register names are the
 * architecture's lower-case names ({@code rip}, {@code rsp}, {@code cr3}, {@code gs_base}, ...).
 *
 * @param cpu       index in the order the notes appear (the CPU number for kdump and QEMU)
 * @param pid       {@code pr_pid} of the PRSTATUS note, if there was one
 * @param registers name to value, in the note's order
 * @param sources   which notes contributed, e.g. "PRSTATUS+QEMU"
 */
public record CpuState(int cpu, OptionalInt pid, Map<String, Long> registers, String sources) {
    public CpuState {
        registers = Collections.unmodifiableMap(new LinkedHashMap<>(registers));
    }

    public OptionalLong register(String name) {
        Long v = registers.get(name);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** The value of a register that must be there; an {@link IllegalArgumentException} names the missing one. */
    public long get(String name) {
        Long v = registers.get(name);
        if (v == null) {
            throw new IllegalArgumentException("cpu " + cpu + ": no register " + name + " in the dump's notes (" + sources + ")");
        }
        return v;
    }
}
