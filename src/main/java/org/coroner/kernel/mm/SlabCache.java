package org.coroner.kernel.mm;

import java.util.List;

/**
 * One SLUB cache ({@code struct kmem_cache}) and the layout of its objects. Each slot of a slab is
 * {@code size} bytes: {@code red_left_pad} bytes of left red zone (only with SLAB_RED_ZONE), the
 * object ({@code object_size} bytes, then the right red zone or padding up to {@code inuse}),
 * the free pointer when it lives outside the object ({@code offset >= inuse}), the alloc and free
 * tracks with SLAB_STORE_USER, padding. The free pointer of a free object is at
 * {@code object + offset}; with CONFIG_SLAB_FREELIST_HARDENED it is stored as
 * {@code ptr ^ random ^ swab(object + offset)}.
 *
 * @param address        the {@code struct kmem_cache}
 * @param cpuSlab        {@code cpu_slab}: the per-cpu {@code struct kmem_cache_cpu} (add a CPU's per-cpu offset)
 * @param nodes          {@code node[nid]} for each possible node (0 when the node has none)
 * @param objectsPerSlab objects of a slab of the cache's order ({@code oo})
 */
public record SlabCache(long address, String name, long flags, int objectSize, int size, int offset, int inuse,
                        int align, int redLeftPad, long random, int order, int objectsPerSlab, long cpuSlab,
                        List<Long> nodes, int refcount, long ctor) {
    public static final long SLAB_CONSISTENCY_CHECKS = 0x100;
    public static final long SLAB_RED_ZONE = 0x400;
    public static final long SLAB_POISON = 0x800;
    public static final long SLAB_KMALLOC = 0x1000;
    public static final long SLAB_HWCACHE_ALIGN = 0x2000;
    public static final long SLAB_STORE_USER = 0x10000;
    public static final long SLAB_TYPESAFE_BY_RCU = 0x80000;
    public static final long SLAB_TRACE = 0x200000;
    public static final long SLAB_ACCOUNT = 0x04000000;

    public boolean redZone() {
        return (flags & SLAB_RED_ZONE) != 0;
    }

    public boolean poison() {
        return (flags & SLAB_POISON) != 0;
    }

    public boolean storeUser() {
        return (flags & SLAB_STORE_USER) != 0;
    }

    /** The object's left red zone: {@code red_left_pad} with SLAB_RED_ZONE, else none. */
    public int leftPad() {
        return redZone() ? redLeftPad : 0;
    }

    /** The free pointer is stored after the object instead of inside it ({@code freeptr_outside_object}). */
    public boolean freePointerOutside() {
        return offset >= inuse;
    }

    /** Where the debug metadata (tracks) starts, from the object's start ({@code get_info_end}). */
    public int infoEnd() {
        return freePointerOutside() ? inuse + 8 : inuse;
    }

    /** Bytes of one slab of the cache's order. */
    public long slabBytes() {
        return MemMap.PAGE_SIZE << order;
    }

    /** crash's names for the debug flags set, as {@code slub_debug} letters would say it. */
    public String debugFlags() {
        StringBuilder b = new StringBuilder();
        if ((flags & SLAB_CONSISTENCY_CHECKS) != 0) {
            b.append('F');
        }
        if (redZone()) {
            b.append('Z');
        }
        if (poison()) {
            b.append('P');
        }
        if (storeUser()) {
            b.append('U');
        }
        if ((flags & SLAB_TRACE) != 0) {
            b.append('T');
        }
        return b.toString();
    }
}
