package org.coroner.kernel.mm;

import java.util.Optional;

/**
 * What an address is in the slab allocator: its cache, slab and object, where inside the slot it
 * falls, and whether the object is allocated or free as the freelists say.
 *
 * @param address  the address asked about
 * @param object   the object's start (after its left red zone)
 * @param index    the object's slot in the slab
 * @param offset   {@code address - object} (negative in the left red zone)
 * @param region   where in the slot the address falls
 * @param state    allocated, free, or unknown (a freelist could not be walked; {@code detail} says why)
 * @param freeList for a free object, which list holds it; otherwise {@code NONE}
 * @param cpu      the CPU whose slab or partial list holds the slab, or -1
 * @param place    where the slab is: a CPU's slab, a CPU's partial list, a node's partial or full list
 * @param alloc    the alloc track (SLAB_STORE_USER caches only)
 * @param free     the free track (SLAB_STORE_USER caches only)
 * @param detail   why the state is unknown, or a freelist problem seen; empty when none
 */
public record SlabObject(long address, SlabCache cache, Slab slab, long object, int index, long offset, Region region,
                         State state, FreeList freeList, int cpu, Place place, Optional<SlubTrack> alloc,
                         Optional<SlubTrack> free, String detail) {
    public enum State { ALLOCATED, FREE, UNKNOWN }

    /** Which freelist holds a free object. */
    public enum FreeList { NONE, CPU_FREELIST, SLAB_FREELIST }

    /** Where the slab is kept. */
    public enum Place { CPU_SLAB, CPU_PARTIAL, NODE_PARTIAL, NODE_FULL, UNLISTED }

    /** Where in the object's slot the address falls. */
    public enum Region {
        /** {@code red_left_pad} bytes before the object. */
        LEFT_RED_ZONE,
        /** The object proper: the first {@code object_size} bytes. */
        OBJECT,
        /** After {@code object_size} up to {@code inuse}: the right red zone or alignment padding. */
        RIGHT_RED_ZONE,
        /** The free pointer stored after the object. */
        FREE_POINTER,
        /** The alloc or free {@code struct track}, the original kmalloc size. */
        TRACKING,
        /** Padding to the slot's size. */
        PADDING
    }

    public boolean allocated() {
        return state == State.ALLOCATED;
    }

    public boolean isFree() {
        return state == State.FREE;
    }
}
