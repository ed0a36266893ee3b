package org.coroner.kernel.mm;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.kernel.Kernel;
import org.coroner.memory.FaultException;
import org.coroner.types.CType;

/**
 * The kernel's stack depot ({@code lib/stackdepot.c}): a 32-bit handle names a
 * {@code struct stack_record} by slab (pool) index and offset. The handle's bit fields
 * ({@code union handle_parts}) and the record's layout come from BTF, so the layouts of 6.1
 * ({@code stack_slabs[]}, {@code slabindex}) and later kernels ({@code stack_pools[]},
 * {@code pool_index}) both read.
 */
public final class StackDepot {
    /** Records are aligned to 16 bytes (STACK_ALLOC_ALIGN / DEPOT_STACK_ALIGN = 4). */
    private static final int ALIGN_SHIFT = 4;
    private static final int MAX_FRAMES = 256;

    private final Kernel k;
    private final Optional<Long> pools;
    private final Bits index;
    private final Bits offset;
    private final long sizeOff;
    private final long entriesOff;

    private record Bits(int shift, int width) {
        long of(long handle) {
            return (handle >>> shift) & ((1L << width) - 1);
        }
    }

    /** A stack read from the depot, or why not. */
    public record Stack(List<Long> frames, String problem) {
    }

    public StackDepot(Kernel k) {
        this.k = k;
        this.pools = k.symbol("stack_slabs").or(() -> k.symbol("stack_pools"));
        Optional<CType> parts = k.types().lookup("union handle_parts");
        this.index = parts.flatMap(t -> t.field("slabindex").or(() -> t.field("pool_index")))
                .map(f -> new Bits((int) f.bitOffset(), f.bitSize())).orElse(new Bits(0, 16));
        this.offset = parts.flatMap(t -> t.field("offset"))
                .map(f -> new Bits((int) f.bitOffset(), f.bitSize())).orElse(new Bits(16, 10));
        Optional<CType> rec = k.types().lookup("struct stack_record");
        this.sizeOff = rec.flatMap(t -> t.field("size")).map(CType.Field::offset).orElse(12L);
        this.entriesOff = rec.flatMap(t -> t.field("entries")).map(CType.Field::offset).orElse(24L);
    }

    /** The frames saved under {@code handle}, innermost first. */
    public Stack fetch(int handle) {
        if (handle == 0) {
            return new Stack(List.of(), "no stack recorded");
        }
        if (pools.isEmpty()) {
            return new Stack(List.of(), "the kernel has no stack depot");
        }
        long h = handle & 0xffffffffL;
        long slab = index.of(h);
        long off = offset.of(h) << ALIGN_SHIFT;
        try {
            long pool = k.memory().u64(pools.get() + 8 * slab);
            if (pool == 0) {
                return new Stack(List.of(), String.format("stack depot pool %d of handle %08x is not allocated", slab, h));
            }
            long record = pool + off;
            long n = k.memory().u32(record + sizeOff);
            if (n == 0 || n > MAX_FRAMES) {
                return new Stack(List.of(), String.format("stack depot record %x of handle %08x holds %d frames", record, h, n));
            }
            List<Long> frames = new ArrayList<>((int) n);
            for (int i = 0; i < n; i++) {
                frames.add(k.memory().u64(record + entriesOff + 8L * i));
            }
            return new Stack(List.copyOf(frames), "");
        } catch (FaultException e) {
            return new Stack(List.of(), String.format("stack depot record of handle %08x is not in the dump (%s)", h, e.getMessage()));
        }
    }
}
