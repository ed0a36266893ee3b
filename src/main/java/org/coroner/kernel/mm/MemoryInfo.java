package org.coroner.kernel.mm;

import java.util.Map;
import java.util.Optional;

import org.coroner.kernel.Kernel;
import org.coroner.memory.FaultException;
import org.coroner.types.CType;
import org.coroner.types.Value;

/**
 * The kernel's memory accounting, in pages, as {@code /proc/meminfo} and crash's {@code kmem -i}
 * read it: total RAM, free pages of every zone, file, swap-cache and slab pages from the node
 * counters, block-device pages, huge pages, swap, the overcommit limit and what is committed,
 * and the counts only a walk of the memory map gives (shared and slab pages).
 */
public final class MemoryInfo {
    private final Kernel k;
    private final MemMap mem;
    private MapCounts counts;

    /** What a walk of every {@code struct page} counts. */
    public record MapCounts(long pages, long reserved, long shared, long slabPages) {
    }

    public MemoryInfo(Kernel k, MemMap mem) {
        this.k = k;
        this.mem = mem;
    }

    /** {@code totalram_pages()}. */
    public long totalRam() {
        return k.symbol("_totalram_pages").or(() -> k.symbol("totalram_pages")).map(a -> k.memory().u64(a)).orElse(0L);
    }

    /** {@code NR_FREE_PAGES} of every zone of every node. */
    public long free() {
        int item = enumValue("enum zone_stat_item", "NR_FREE_PAGES", 0);
        long sum = 0;
        for (Value zone : zones()) {
            sum += zone.member("vm_stat").index(item).member("counter").s64();
        }
        return sum;
    }

    private java.util.List<Value> zones() {
        return zoneList().stream().map(Zone::zone).toList();
    }

    /** One {@code struct zone}: its node, its index in the node's {@code node_zones[]}, the zone. */
    public record Zone(int node, int index, Value zone) {
    }

    /** Every zone of every node ({@code node_data[]} up to {@code nr_node_ids}), populated or not. */
    public java.util.List<Zone> zoneList() {
        java.util.List<Zone> out = new java.util.ArrayList<>();
        long nodeData = k.requireSymbol("node_data");
        int nodes = k.symbol("nr_node_ids").map(a -> (int) k.memory().u32(a)).orElse(1);
        for (int n = 0; n < nodes; n++) {
            long pg = k.memory().u64(nodeData + 8L * n);
            if (pg == 0) {
                continue;
            }
            Value p = k.object("struct pglist_data", pg);
            Value zonesArr = p.member("node_zones");
            long nr = zonesArr.type().resolve().length();
            for (int z = 0; z < nr; z++) {
                out.add(new Zone(n, z, zonesArr.index(z)));
            }
        }
        return out;
    }

    /** The names of {@code enum zone_stat_item} in value order, up to {@code NR_VM_ZONE_STAT_ITEMS}: the zone's {@code vm_stat[]}. */
    public java.util.List<String> zoneStatItems() {
        Map<String, Long> m = k.types().lookup("enum zone_stat_item").map(t -> t.resolve().enumerators()).orElse(Map.of());
        long n = m.getOrDefault("NR_VM_ZONE_STAT_ITEMS", 0L);
        String[] names = new String[(int) n];
        m.forEach((name, v) -> {
            if (v >= 0 && v < n) { // an alias declared later wins, as in crash (NR_ZONE_INACTIVE_ANON over NR_ZONE_LRU_BASE)
                names[v.intValue()] = name;
            }
        });
        return java.util.Arrays.stream(names).map(x -> x == null ? "(unknown)" : x).toList();
    }

    private int enumValue(String type, String name, int otherwise) {
        Optional<CType> t = k.types().lookup(type);
        return t.map(c -> c.resolve().enumerators().getOrDefault(name, (long) otherwise).intValue()).orElse(otherwise);
    }

    private Optional<Integer> enumValue(String type, String name) {
        return k.types().lookup(type).map(c -> c.resolve().enumerators()).flatMap(m -> Optional.ofNullable(m.get(name)))
                .map(Long::intValue);
    }

    /**
     * A global node counter ({@code vm_node_stat[]}), in pages: the items named in bytes
     * ({@code _B}) are kept in pages at the global level too ({@code __mod_node_page_state}).
     */
    public long nodeStat(String item) {
        Optional<Integer> i = enumValue("enum node_stat_item", item);
        if (i.isEmpty()) {
            return 0;
        }
        return Math.max(0, k.memory().u64(k.requireSymbol("vm_node_stat") + 8L * i.get()));
    }

    /**
     * Slab pages as {@code /proc/meminfo}'s Slab: {@code NR_SLAB_RECLAIMABLE_B + NR_SLAB_UNRECLAIMABLE_B}
     * (without _B before 5.9). crash 8.0.2 counts the PG_slab pages of the memory map instead, which
     * are only the head pages of multi-page slabs.
     */
    public long slab() {
        if (enumValue("enum node_stat_item", "NR_SLAB_RECLAIMABLE_B").isPresent()) {
            return nodeStat("NR_SLAB_RECLAIMABLE_B") + nodeStat("NR_SLAB_UNRECLAIMABLE_B");
        }
        return nodeStat("NR_SLAB_RECLAIMABLE") + nodeStat("NR_SLAB_UNRECLAIMABLE");
    }

    /** {@code nr_blockdev_pages()}: the page-cache pages of every block device's inode. */
    public long blockdevPages() {
        Optional<Long> sb = k.symbol("blockdev_superblock");
        if (sb.isEmpty()) {
            return 0;
        }
        long superblock = k.memory().u64(sb.get());
        CType sbt = k.type("struct super_block");
        CType inode = k.type("struct inode");
        long head = superblock + sbt.field("s_inodes").orElseThrow().offset();
        long listOff = inode.field("i_sb_list").orElseThrow().offset();
        long sum = 0;
        long p = k.memory().u64(head);
        int guard = 0;
        while (p != head && p != 0 && guard++ < 1_000_000) {
            Value in = k.object("struct inode", p - listOff);
            sum += k.object("struct address_space", in.member("i_mapping").u64()).member("nrpages").u64();
            p = k.memory().u64(p);
        }
        return sum;
    }

    /** Page-cache pages that are neither swap cache nor block-device buffers. */
    public long cached(long buffers) {
        return Math.max(0, nodeStat("NR_FILE_PAGES") - nodeStat("NR_SWAPCACHE") - buffers);
    }

    /** Huge pages of every hstate, and the free ones. */
    public long[] hugePages() {
        Optional<Long> hs = k.symbol("hstates");
        Optional<CType> t = k.types().lookup("struct hstate");
        if (hs.isEmpty() || t.isEmpty()) {
            return new long[] {0, 0};
        }
        long n = k.vmlinux().symbols().byName("hstates").map(sym -> sym.size() / t.get().size()).orElse(0L);
        long total = 0;
        long free = 0;
        for (long i = 0; i < n; i++) {
            Value h = k.object("struct hstate", hs.get() + i * t.get().size());
            long order = h.member("order").u64();
            if (order == 0) {
                continue;
            }
            total += h.member("nr_huge_pages").u64() << order;
            free += h.member("free_huge_pages").u64() << order;
        }
        return new long[] {total, free};
    }

    /** Swap pages of every swap area, and those in use. */
    public long[] swap() {
        Optional<Long> files = k.symbol("nr_swapfiles");
        Optional<Long> info = k.symbol("swap_info");
        if (files.isEmpty() || info.isEmpty()) {
            return new long[] {0, 0};
        }
        long n = k.memory().u32(files.get());
        long total = 0;
        long used = 0;
        for (long i = 0; i < n && i < 64; i++) {
            long si = k.memory().u64(info.get() + 8 * i);
            if (si == 0) {
                continue;
            }
            Value v = k.object("struct swap_info_struct", si);
            total += v.member("pages").u64();
            used += v.member("inuse_pages").u64();
        }
        return new long[] {total, used};
    }

    /** {@code vm_commit_limit()}: RAM less huge pages times the overcommit ratio (or the kbytes setting), plus swap. */
    public long commitLimit(long hugeTotal, long swapTotal) {
        long kbytes = k.symbol("sysctl_overcommit_kbytes").map(a -> k.memory().u64(a)).orElse(0L);
        long allowed = kbytes != 0 ? kbytes >> 2
                : (totalRam() - hugeTotal) * k.memory().u32(k.requireSymbol("sysctl_overcommit_ratio")) / 100;
        return allowed + swapTotal;
    }

    /** {@code vm_committed_as}'s count, as {@code /proc/meminfo} reads it (percpu_counter_read_positive). */
    public long committed() {
        long c = k.global("struct percpu_counter", "vm_committed_as").member("count").s64();
        return Math.max(c, 0);
    }

    /** Walks every {@code struct page} of the present sections once (a few hundred ms per GiB). */
    public synchronized MapCounts mapCounts() {
        if (counts == null) {
            long pages = 0;
            long reserved = 0;
            long shared = 0;
            long slab = 0;
            long reservedBit = 1L << pageFlag("PG_reserved", 12);
            long slabBit = 1L << mem.pgSlab();
            long refOff = k.type("struct page").field("_refcount").orElseThrow().offset();
            int size = (int) mem.pageStructSize();
            int batch = 512;
            for (long[] r : mem.pfnRanges()) {
                for (long pfn = r[0]; pfn < r[1]; pfn += batch) {
                    int n = (int) Math.min(batch, r[1] - pfn);
                    byte[] b;
                    try {
                        b = k.memory().read(mem.page(pfn), n * size);
                    } catch (FaultException e) {
                        continue; // memory map pages not in the dump: not counted
                    }
                    java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < n; i++) {
                        long flags = bb.getLong(i * size);
                        int ref = bb.getInt(i * size + (int) refOff);
                        pages++;
                        if ((flags & reservedBit) != 0) {
                            reserved++;
                        } else if (ref > 1) {
                            shared++;
                        }
                        if ((flags & slabBit) != 0) {
                            slab++;
                        }
                    }
                }
            }
            counts = new MapCounts(pages, reserved, shared, slab);
        }
        return counts;
    }

    private int pageFlag(String name, int otherwise) {
        Map<String, Long> m = k.types().lookup("enum pageflags").map(t -> t.resolve().enumerators()).orElse(Map.of());
        return m.getOrDefault(name, (long) otherwise).intValue();
    }
}
