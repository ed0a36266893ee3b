package org.coroner.kernel.mm;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.kernel.Kernel;
import org.coroner.memory.FaultException;
import org.coroner.types.Value;

/**
 * The kernel's vmalloc areas: {@code vmap_area_list}, in address order, each {@code vmap_area}
 * with its {@code vm_struct} (areas without one, being freed lazily, are left out): vmalloc'ed
 * memory, task stacks, module code and data, ioremaps.
 */
public final class VmapAreas {
    /** One area: the {@code vmap_area}, its {@code vm_struct}, and [start, end). */
    public record Area(long vmapArea, long vmStruct, long start, long end) {
        public boolean contains(long a) {
            return Long.compareUnsigned(a, start) >= 0 && Long.compareUnsigned(a, end) < 0;
        }

        public long size() {
            return end - start;
        }
    }

    private final Kernel k;
    private List<Area> areas;

    public VmapAreas(Kernel k) {
        this.k = k;
    }

    public synchronized List<Area> all() {
        if (areas == null) {
            List<Area> out = new ArrayList<>();
            Optional<Long> head = k.symbol("vmap_area_list");
            if (head.isPresent()) {
                long listOff = k.type("struct vmap_area").field("list").orElseThrow().offset();
                long h = head.get();
                try {
                    long p = k.memory().u64(h);
                    int guard = 0;
                    while (p != h && p != 0 && guard++ < 10_000_000) {
                        Value va = k.object("struct vmap_area", p - listOff);
                        long vm = va.member("vm").u64();
                        if (vm != 0) {
                            out.add(new Area(va.address(), vm, va.member("va_start").u64(), va.member("va_end").u64()));
                        }
                        p = k.memory().u64(p);
                    }
                } catch (FaultException e) {
                    // a broken list: keep the areas read so far
                }
            }
            areas = List.copyOf(out);
        }
        return areas;
    }

    public Optional<Area> containing(long address) {
        return all().stream().filter(a -> a.contains(address)).findFirst();
    }
}
