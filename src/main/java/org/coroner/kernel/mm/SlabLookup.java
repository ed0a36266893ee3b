package org.coroner.kernel.mm;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.coroner.kernel.Kernel;
import org.coroner.memory.FaultException;

/**
 * Which SLUB cache an address belongs to: the address's page in the vmemmap (direct-map addresses
 * only), its compound head, {@code PG_slab} in the head's flags (VMCOREINFO's {@code NUMBER(PG_slab)}),
 * then {@code struct slab.slab_cache->name} (6.1's {@code struct slab} overlays the head page).
 */
public final class SlabLookup {
    private final Kernel k;
    private long pageOffsetBase = -1;
    private long vmemmapBase;
    private long pageSize;
    private int pgSlab = -1;
    private long slabCacheOff;
    private long nameOff;
    private final Map<Long, String> names = new ConcurrentHashMap<>();

    public SlabLookup(Kernel k) {
        this.k = k;
    }

    private synchronized boolean init() {
        if (pageOffsetBase != -1) {
            return pgSlab >= 0;
        }
        try {
            pageOffsetBase = k.memory().u64(k.requireSymbol("page_offset_base"));
            vmemmapBase = k.memory().u64(k.requireSymbol("vmemmap_base"));
            pageSize = k.type("struct page").size();
            String n = k.vmcoreinfo().get("NUMBER(PG_slab)");
            pgSlab = n == null ? -1 : Integer.parseInt(n);
            slabCacheOff = k.type("struct slab").field("slab_cache").orElseThrow().offset();
            nameOff = k.type("struct kmem_cache").field("name").orElseThrow().offset();
        } catch (RuntimeException e) {
            pgSlab = -1;
        }
        return pgSlab >= 0;
    }

    /** The slab cache's name ({@code kmalloc-64}, {@code task_struct}) when the address is in a slab page. */
    public Optional<String> cacheOf(long address) {
        if (!init() || Long.compareUnsigned(address, pageOffsetBase) < 0
                || Long.compareUnsigned(address - pageOffsetBase, 1L << 46) >= 0) {
            return Optional.empty();
        }
        try {
            long pfn = (address - pageOffsetBase) >>> 12;
            long page = vmemmapBase + pfn * pageSize;
            long head = k.memory().u64(page + 8);
            if ((head & 1) != 0) {
                page = head - 1;
            }
            long flags = k.memory().u64(page);
            if ((flags & (1L << pgSlab)) == 0) {
                return Optional.empty();
            }
            long cache = k.memory().u64(page + slabCacheOff);
            if (cache == 0) {
                return Optional.empty();
            }
            return Optional.of(names.computeIfAbsent(cache, c -> {
                long namePtr = k.memory().u64(c + nameOff);
                return k.object("char", namePtr).string(64);
            }));
        } catch (FaultException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
