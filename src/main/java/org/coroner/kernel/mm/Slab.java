package org.coroner.kernel.mm;

/**
 * One slab of a SLUB cache: its {@code struct slab} (which overlays the head {@code struct page}),
 * the memory it holds and its counters as the dump has them.
 *
 * @param address  the {@code struct slab}
 * @param cache    the cache it belongs to ({@code slab->slab_cache})
 * @param base     the first byte of its memory (direct map)
 * @param objects  {@code slab->objects}
 * @param inuse    {@code slab->inuse}: objects not on {@code slab->freelist} (a CPU slab counts its
 *                 lockless per-cpu freelist as in use)
 * @param frozen   {@code slab->frozen}: a CPU slab or on a CPU's partial list
 * @param freelist {@code slab->freelist}, a plain pointer to the first free object (0 when none)
 * @param node     the NUMA node of its memory
 */
public record Slab(long address, SlabCache cache, long base, int objects, int inuse, boolean frozen, long freelist,
                   int node) {
    /** One past the last byte of the slab's objects. */
    public long end() {
        return base + (long) objects * cache.size();
    }

    /** The slot index of an address in the slab, or -1. */
    public int indexOf(long address) {
        long off = address - base;
        if (off < 0 || off >= (long) objects * cache.size()) {
            return -1;
        }
        return (int) (off / cache.size());
    }

    /** The start of object {@code i} (after its left red zone). */
    public long object(int i) {
        return base + (long) i * cache.size() + cache.leftPad();
    }
}
