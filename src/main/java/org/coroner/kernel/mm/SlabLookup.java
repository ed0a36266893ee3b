package org.coroner.kernel.mm;

import java.util.Optional;

import org.coroner.kernel.Kernel;
import org.coroner.memory.FaultException;

/**
 * Which slab cache an address belongs to, by name, for labels such as {@code bt -F}'s
 * {@code [kmalloc-64]}: {@link Slub#slabOf(long)} when the kernel uses SLUB, else nothing.
 */
public final class SlabLookup {
    private final Kernel k;
    private Slub slub;
    private boolean tried;

    public SlabLookup(Kernel k) {
        this.k = k;
    }

    private synchronized Slub slub() {
        if (!tried) {
            tried = true;
            try {
                if (Slub.present(k)) {
                    slub = new Slub(k, new MemMap(k));
                }
            } catch (RuntimeException e) {
                slub = null; // no slab model for this kernel: labels are left out
            }
        }
        return slub;
    }

    /** The slab cache's name ({@code kmalloc-64}, {@code task_struct}) when the address is in a slab page. */
    public Optional<String> cacheOf(long address) {
        Slub s = slub();
        if (s == null) {
            return Optional.empty();
        }
        try {
            return s.slabOf(address).map(slab -> slab.cache().name());
        } catch (FaultException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
