package org.coroner.analyze;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import org.coroner.kernel.Kernel;
import org.coroner.memory.FaultException;
import org.coroner.types.Value;

/**
 * Whether an address is inside a SLUB object and whether that object is free: the page's
 * {@code struct slab} gives the cache and the first object; the cache's object size the object;
 * the object is free when it is on the slab's freelist or on the freelist of a CPU whose current
 * slab this is (free pointers decoded as {@code CONFIG_SLAB_FREELIST_HARDENED} stores them:
 * {@code ptr ^ s->random ^ swab(&ptr)}). Only what the analyzer needs; a full SLUB model
 * (partial lists, tracks) belongs to {@code kernel.mm}.
 */
final class SlabObjects {
    /** The object containing an address. */
    record SlabObject(String cache, long cacheAddress, long object, long size, long offsetInObject, boolean free,
                      String freeDerivation) {
    }

    private final Kernel k;

    SlabObjects(Kernel k) {
        this.k = k;
    }

    Optional<SlabObject> objectAt(long address) {
        try {
            long pageOffsetBase = k.memory().u64(k.requireSymbol("page_offset_base"));
            long vmemmapBase = k.memory().u64(k.requireSymbol("vmemmap_base"));
            if (Long.compareUnsigned(address, pageOffsetBase) < 0 || Long.compareUnsigned(address - pageOffsetBase, 1L << 46) >= 0) {
                return Optional.empty();
            }
            String pgSlab = k.vmcoreinfo().get("NUMBER(PG_slab)");
            if (pgSlab == null) {
                return Optional.empty();
            }
            long pageSize = k.type("struct page").size();
            long pfn = (address - pageOffsetBase) >>> 12;
            long page = vmemmapBase + pfn * pageSize;
            long head = k.memory().u64(page + 8);
            if ((head & 1) != 0) {
                page = head - 1;
            }
            if ((k.memory().u64(page) & (1L << Integer.parseInt(pgSlab))) == 0) {
                return Optional.empty();
            }
            Value slab = k.object("struct slab", page);
            long cacheAddr = slab.member("slab_cache").u64();
            Value cache = k.object("struct kmem_cache", cacheAddr);
            long size = cache.member("size").u64();
            long base = pageOffsetBase + (((page - vmemmapBase) / pageSize) << 12);
            if (size == 0 || Long.compareUnsigned(address, base) < 0) {
                return Optional.empty();
            }
            long index = (address - base) / size;
            long object = base + index * size;
            String name = cache.member("name").string(64);
            long fpOffset = cache.member("offset").u64();
            long random = cache.type().resolve().field("random").isPresent() ? cache.member("random").u64() : 0;
            Set<Long> free = new HashSet<>();
            walk(slab.member("freelist").u64(), fpOffset, random, free);
            String how = "struct slab at " + hex(page) + " (cache " + name + ", object size " + size + "): the object is "
                    + "on its freelist";
            boolean isFree = free.contains(object);
            if (!isFree) {
                long cpuSlab = cache.member("cpu_slab").u64();
                for (int cpu : k.cpuMask("__cpu_possible_mask")) {
                    Value c = k.object("struct kmem_cache_cpu", cpuSlab + k.perCpuOffset(cpu));
                    if (c.member("slab").u64() == page) {
                        Set<Long> cf = new HashSet<>();
                        walk(c.member("freelist").u64(), fpOffset, random, cf);
                        if (cf.contains(object)) {
                            isFree = true;
                            how = "struct kmem_cache_cpu of CPU " + cpu + " for cache " + name + ": its current slab is this one and"
                                    + " the object is on its lockless freelist";
                            break;
                        }
                    }
                }
            }
            return Optional.of(new SlabObject(name, cacheAddr, object, size, address - object, isFree,
                    isFree ? how + " (free pointers decoded with s->random and the pointer's address, SLAB_FREELIST_HARDENED)"
                            : "neither the slab's freelist nor a CPU freelist holds it: allocated"));
        } catch (FaultException | IllegalArgumentException | IllegalStateException e) {
            return Optional.empty();
        }
    }

    private void walk(long p, long fpOffset, long random, Set<Long> out) {
        for (int guard = 0; p != 0 && guard < 4096 && out.add(p); guard++) {
            long at = p + fpOffset;
            long stored = k.memory().u64(at);
            p = random == 0 ? stored : stored ^ random ^ Long.reverseBytes(at);
        }
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
