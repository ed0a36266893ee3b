package org.coroner.arch.x86_64.unwind;

import java.util.Optional;

/** The stacks one task may use at the moment of the dump (the kernel's {@code get_stack_info}). */
@FunctionalInterface
public interface StackMap {
    Optional<StackArea> find(long address);
}
