package org.coroner.types;

import java.util.Optional;

/** Where types come from: a lookup by C name ({@code struct task_struct}, {@code pid_t}, {@code int}). */
public interface Types {
    Optional<CType> lookup(String cName);

    /** Lookup that fails with a crash-style message. */
    default CType require(String cName) {
        return lookup(cName).orElseThrow(() -> new IllegalArgumentException("invalid data structure reference: " + cName));
    }

    /** A pointer to {@code t}, for expressions that take an address. */
    CType pointerTo(CType t);
}
