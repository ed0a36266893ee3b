package org.coroner.arch.x86_64.unwind;

import java.util.Optional;

/**
 * ORC data for any kernel text address: vmlinux's table for core and init text, a module's table
 * for module text. Empty when no table covers the address (the unwinder then guesses a frame
 * pointer frame and marks the trace unreliable, as the kernel does).
 */
@FunctionalInterface
public interface OrcLookup {
    Optional<OrcEntry> find(long ip);
}
