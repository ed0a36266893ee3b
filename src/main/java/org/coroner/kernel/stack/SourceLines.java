package org.coroner.kernel.stack;

import java.util.Optional;

/**
 * File and line of a code address, from debug information ({@code bt -l}). The backtrace asks for
 * the call instruction of a return address ({@code pc - 1}) and for the exact address otherwise.
 */
@FunctionalInterface
public interface SourceLines {
    /** {@code /build/.../kernel/sched/core.c: 6554}-style location, if known. */
    Optional<Location> at(long address);

    record Location(String file, int line) {
    }

    /** One level of an inline chain: a function and where in it the address is. */
    record Inlined(String function, String file, int line) {
    }

    /**
     * When code from inlined functions runs at {@code address}: every level, innermost first, the
     * real (out-of-line) function last. Empty when nothing is inlined there or nothing is known.
     */
    default java.util.List<Inlined> inlined(long address) {
        return java.util.List.of();
    }
}
