package org.coroner.kernel.mm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.coroner.kernel.Kernel;
import org.coroner.memory.FaultException;
import org.coroner.types.CType;
import org.coroner.types.Value;

/**
 * The SLUB allocator of the dumped kernel: every cache on {@code slab_caches}, their slabs (each
 * CPU's slab and partial list, each node's partial list, and its full list where SLAB_STORE_USER
 * tracks it), and for any address which cache, slab and object it is and whether the object is
 * allocated or free. Free is decided by walking the freelists the kernel would use: the CPU
 * slab's lockless freelist ({@code kmem_cache_cpu.freelist}) and the slab's own
 * ({@code slab->freelist}), decoding CONFIG_SLAB_FREELIST_HARDENED pointers
 * ({@code ptr ^ s->random ^ swab(ptr_addr)}). A freelist that leaves its slab, repeats an object
 * or disagrees with {@code slab->inuse} makes the answer UNKNOWN with the reason, never a guess.
 *
 * <p>This is the API the analyzer uses for use-after-free verdicts: {@link #objectAt(long)}.
 */
public final class Slub {
    private static final int LIST_LIMIT = 1_000_000;

    private final Kernel k;
    private final MemMap mem;
    private final boolean swab;
    private final boolean hardened;
    private final CType cacheType;
    private final long slabCacheOff;
    private final long slabFreelistOff;
    private final long slabListOff;
    private final long slabNextOff;
    private final long countersOff;
    private final CType.Field objectsField;
    private final CType.Field inuseField;
    private final CType.Field frozenField;
    private final CType cpuType;
    private final CType nodeType;
    private final long trackSize;
    private final StackDepot depot;
    private List<SlabCache> caches;
    private final Map<Long, SlabCache> byAddress = new java.util.concurrent.ConcurrentHashMap<>();

    /** One CPU's view of a cache: its {@code kmem_cache_cpu}, slab, lockless freelist and partial slabs. */
    public record CpuSlabs(int cpu, long kmemCacheCpu, Optional<Slab> slab, long freelist, List<Slab> partial,
                           String problem) {
    }

    /**
     * One node's lists of a cache ({@code struct kmem_cache_node}).
     *
     * @param full the full list, present only when the cache tracks it (SLAB_STORE_USER)
     */
    public record NodeSlabs(int node, long address, long nrSlabs, long nrPartial, long totalObjects,
                            List<Slab> partial, Optional<List<Slab>> full, String problem) {
    }

    /** A freelist as walked: its objects in order, and why the walk stopped early (empty when it did not). */
    public record Freelist(List<Long> objects, String problem) {
        public boolean complete() {
            return problem.isEmpty();
        }
    }

    /**
     * A cache's counts as crash's {@code kmem -s} computes them: objects of every slab from the
     * nodes' {@code total_objects}, free ones from the CPU freelists and the partial slabs.
     */
    public record Counts(long allocated, long total, long slabs, long free) {
    }

    /** The free objects of one slab, and where the slab is. */
    public record SlabContents(Slab slab, SlabObject.Place place, int cpu, Set<Long> cpuFree, Set<Long> slabFree,
                               String problem) {
        /** State of the object starting at {@code object}. */
        public SlabObject.State state(long object) {
            if (cpuFree.contains(object) || slabFree.contains(object)) {
                return SlabObject.State.FREE;
            }
            return problem.isEmpty() ? SlabObject.State.ALLOCATED : SlabObject.State.UNKNOWN;
        }

        public SlabObject.FreeList list(long object) {
            if (cpuFree.contains(object)) {
                return SlabObject.FreeList.CPU_FREELIST;
            }
            return slabFree.contains(object) ? SlabObject.FreeList.SLAB_FREELIST : SlabObject.FreeList.NONE;
        }

        public int freeCount() {
            return cpuFree.size() + slabFree.size();
        }
    }

    public Slub(Kernel k, MemMap mem) {
        this.k = k;
        this.mem = mem;
        this.cacheType = k.type("struct kmem_cache");
        if (cacheType.field("cpu_slab").isEmpty()) {
            throw new IllegalStateException("the kernel does not use SLUB (struct kmem_cache has no cpu_slab)");
        }
        CType slab = k.type("struct slab");
        this.slabCacheOff = slab.field("slab_cache").orElseThrow().offset();
        this.slabFreelistOff = slab.field("freelist").orElseThrow().offset();
        this.slabListOff = slab.field("slab_list").orElseThrow().offset();
        this.slabNextOff = slab.field("next").orElseThrow().offset();
        this.countersOff = slab.field("counters").orElseThrow().offset();
        this.objectsField = slab.field("objects").orElseThrow();
        this.inuseField = slab.field("inuse").orElseThrow();
        this.frozenField = slab.field("frozen").orElseThrow();
        this.cpuType = k.type("struct kmem_cache_cpu");
        this.nodeType = k.type("struct kmem_cache_node");
        this.hardened = cacheType.field("random").isPresent();
        this.swab = atLeast(k.release(), 5, 7);
        this.trackSize = k.types().lookup("struct track").map(CType::size).orElse(32L);
        this.depot = new StackDepot(k);
    }

    /** Whether the kernel's slab allocator is SLUB (the only one this model reads). */
    public static boolean present(Kernel k) {
        return k.types().lookup("struct kmem_cache").map(t -> t.field("cpu_slab").isPresent()).orElse(false)
                && k.symbol("slab_caches").isPresent();
    }

    /** Kernels from 5.7 on mix the byte-swapped free pointer address into the hardened pointer. */
    static boolean atLeast(String release, int major, int minor) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release);
        if (!m.find()) {
            return true;
        }
        int a = Integer.parseInt(m.group(1));
        int b = Integer.parseInt(m.group(2));
        return a > major || a == major && b >= minor;
    }

    public MemMap memMap() {
        return mem;
    }

    public StackDepot stackDepot() {
        return depot;
    }

    /** Every cache on {@code slab_caches}, in list order (newest first, as crash lists them). */
    public synchronized List<SlabCache> caches() {
        if (caches == null) {
            long head = k.requireSymbol("slab_caches");
            long listOff = cacheType.field("list").orElseThrow().offset();
            List<SlabCache> out = new ArrayList<>();
            try {
                long p = k.memory().u64(head);
                int guard = 0;
                while (p != head && p != 0 && guard++ < 100_000) {
                    SlabCache c = readCache(p - listOff);
                    out.add(c);
                    p = k.memory().u64(p);
                }
            } catch (FaultException e) {
                // a cache or list entry not in the dump: the caches read so far
            }
            caches = List.copyOf(out);
        }
        return caches;
    }

    /** The first cache with this name ({@code kmalloc-64}, {@code task_struct}). */
    public Optional<SlabCache> cache(String name) {
        return caches().stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The cache whose {@code struct kmem_cache} is at {@code address}, read even if it is not on the list. */
    public SlabCache cacheAt(long address) {
        SlabCache c = byAddress.get(address);
        return c != null ? c : readCache(address);
    }

    /** Whether {@code address} is a {@code struct kmem_cache} on {@code slab_caches}. */
    public Optional<SlabCache> listedCache(long address) {
        return caches().stream().filter(c -> c.address() == address).findFirst();
    }

    private SlabCache readCache(long address) {
        SlabCache cached = byAddress.get(address);
        if (cached != null) {
            return cached;
        }
        Value c = new Value(cacheType, address, k.memory(), k.types());
        long oo = c.member("oo.x").u64();
        int nodeCount = nrNodeIds();
        List<Long> nodes = new ArrayList<>();
        for (int n = 0; n < nodeCount; n++) {
            nodes.add(c.member("node").index(n).u64());
        }
        String name;
        try {
            name = c.member("name").string(64);
        } catch (FaultException e) {
            name = "(unknown)";
        }
        SlabCache sc = new SlabCache(address, name, c.member("flags").u64(), (int) c.member("object_size").u64(),
                (int) c.member("size").u64(), (int) c.member("offset").u64(), (int) c.member("inuse").u64(),
                (int) c.member("align").u64(), cacheType.field("red_left_pad").isPresent() ? (int) c.member("red_left_pad").u64() : 0,
                hardened ? c.member("random").u64() : 0, (int) (oo >>> 16), (int) (oo & 0xffff),
                c.member("cpu_slab").u64(), List.copyOf(nodes), (int) c.member("refcount").value(), c.member("ctor").u64());
        byAddress.put(address, sc);
        return sc;
    }

    private int nrNodeIds() {
        return k.symbol("nr_node_ids").map(a -> (int) k.memory().u32(a)).filter(n -> n > 0 && n <= 1024).orElse(1);
    }

    /** The slab described by the {@code struct slab} at {@code address}. */
    public Slab slab(long address) {
        return slab(address, cacheAt(k.memory().u64(address + slabCacheOff)));
    }

    private Slab slab(long address, SlabCache cache) {
        long pfn = mem.pfnOfPage(address).orElseThrow(() ->
                new IllegalArgumentException(String.format("%x is not a struct slab (not in the memory map)", address)));
        long counters = k.memory().u64(address + countersOff);
        int objects = (int) bits(counters, objectsField);
        int inuse = (int) bits(counters, inuseField);
        boolean frozen = bits(counters, frozenField) != 0;
        return new Slab(address, cache, mem.directMap(pfn), objects, inuse, frozen,
                k.memory().u64(address + slabFreelistOff), nodeOf(pfn));
    }

    private long bits(long counters, CType.Field f) {
        long shift = f.bitOffset() - countersOff * 8;
        long v = counters >>> shift;
        return f.bitSize() == 0 ? v : v & ((1L << f.bitSize()) - 1);
    }

    private Map<Integer, long[]> nodeRanges;

    /** The node of a pfn, from each online node's {@code node_start_pfn} and {@code node_spanned_pages}. */
    public synchronized int nodeOf(long pfn) {
        if (nodeRanges == null) {
            nodeRanges = new LinkedHashMap<>();
            Optional<Long> nd = k.symbol("node_data");
            if (nd.isPresent()) {
                for (int n = 0; n < nrNodeIds(); n++) {
                    try {
                        long pg = k.memory().u64(nd.get() + 8L * n);
                        if (pg == 0) {
                            continue;
                        }
                        Value p = k.object("struct pglist_data", pg);
                        long start = p.member("node_start_pfn").u64();
                        nodeRanges.put(n, new long[] {start, start + p.member("node_spanned_pages").u64()});
                    } catch (FaultException | IllegalArgumentException e) {
                        // unknown node: left out
                    }
                }
            }
        }
        for (Map.Entry<Integer, long[]> e : nodeRanges.entrySet()) {
            if (pfn >= e.getValue()[0] && pfn < e.getValue()[1]) {
                return e.getKey();
            }
        }
        return 0;
    }

    /**
     * The slab holding a direct-map address: the address's page, its compound head, {@code PG_slab}.
     * Empty for addresses that are not in slab pages.
     */
    public Optional<Slab> slabOf(long address) {
        var pfn = mem.pfnOfDirectMap(address);
        if (pfn.isEmpty()) {
            return Optional.empty();
        }
        try {
            long head = mem.compoundHead(mem.page(pfn.getAsLong()));
            if ((mem.flags(head) & (1L << mem.pgSlab())) == 0) {
                return Optional.empty();
            }
            long cache = k.memory().u64(head + slabCacheOff);
            if (cache == 0) {
                return Optional.empty();
            }
            return Optional.of(slab(head, cacheAt(cache)));
        } catch (FaultException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * What the slab allocator says about {@code address}: its cache, slab and object, where in the
     * object it falls, allocated or free. Empty when the address is not in a slab object's slot.
     */
    public Optional<SlabObject> objectAt(long address) {
        Optional<Slab> s = slabOf(address);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        Slab slab = s.get();
        SlabCache c = slab.cache();
        int index = slab.indexOf(address);
        if (index < 0) {
            return Optional.empty();
        }
        long object = slab.object(index);
        long offset = address - object;
        SlabContents contents = contents(slab);
        SlabObject.State state = contents.state(object);
        Optional<SlubTrack> alloc = c.storeUser() ? Optional.of(track(c, object, true)) : Optional.empty();
        Optional<SlubTrack> free = c.storeUser() ? Optional.of(track(c, object, false)) : Optional.empty();
        return Optional.of(new SlabObject(address, c, slab, object, index, offset, region(c, offset), state,
                contents.list(object), contents.cpu(), contents.place(), alloc, free, contents.problem()));
    }

    /** Where in an object's slot an offset from the object's start falls. */
    public SlabObject.Region region(SlabCache c, long offset) {
        if (offset < 0) {
            return SlabObject.Region.LEFT_RED_ZONE;
        }
        if (offset < c.objectSize()) {
            return SlabObject.Region.OBJECT;
        }
        if (offset < c.inuse()) {
            return SlabObject.Region.RIGHT_RED_ZONE;
        }
        if (c.freePointerOutside() && offset >= c.offset() && offset < c.offset() + 8) {
            return SlabObject.Region.FREE_POINTER;
        }
        if (c.storeUser() && offset >= c.infoEnd()) {
            long tracking = 2 * trackSize + ((c.flags() & SlabCache.SLAB_KMALLOC) != 0 ? 4 : 0);
            if (offset < c.infoEnd() + tracking) {
                return SlabObject.Region.TRACKING;
            }
        }
        return SlabObject.Region.PADDING;
    }

    /** The alloc or free track of an object of a SLAB_STORE_USER cache, with its stack from the depot. */
    public SlubTrack track(SlabCache c, long object, boolean alloc) {
        long t = object + c.infoEnd() + (alloc ? 0 : trackSize);
        Value v = k.object("struct track", t);
        int handle = v.type().field("handle").isPresent() ? (int) v.member("handle").u64() : 0;
        StackDepot.Stack st = handle != 0 ? depot.fetch(handle) : new StackDepot.Stack(List.of(), "no stack recorded");
        return new SlubTrack(alloc, v.member("addr").u64(), (int) v.member("cpu").value(), (int) v.member("pid").value(),
                v.member("when").u64(), handle, st.frames(), st.problem());
    }

    /** Walks a freelist from {@code head} within {@code slab}, decoding hardened free pointers. */
    public Freelist freelist(Slab slab, long head) {
        SlabCache c = slab.cache();
        List<Long> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        long p = head;
        while (p != 0) {
            long rel = p - slab.base() - c.leftPad();
            if (Long.compareUnsigned(p - slab.base(), slab.end() - slab.base()) >= 0 || rel < 0 || rel % c.size() != 0) {
                String from = out.isEmpty() ? "its head" : String.format("the free pointer of %x", out.get(out.size() - 1));
                return new Freelist(List.copyOf(out), String.format("freelist of slab %x: %s points to %x, not an object of the slab",
                        slab.address(), from, p));
            }
            if (!seen.add(p)) {
                return new Freelist(List.copyOf(out), String.format("freelist of slab %x loops back to %x", slab.address(), p));
            }
            out.add(p);
            if (out.size() > slab.objects()) {
                return new Freelist(List.copyOf(out), String.format("freelist of slab %x is longer than its %d objects",
                        slab.address(), slab.objects()));
            }
            try {
                p = nextFree(c, p);
            } catch (FaultException e) {
                return new Freelist(List.copyOf(out), String.format("freelist of slab %x: free pointer of %x is not in the dump",
                        slab.address(), p));
            }
        }
        return new Freelist(List.copyOf(out), "");
    }

    /** The next free object after the free object {@code object} ({@code get_freepointer()}). */
    public long nextFree(SlabCache c, long object) {
        long at = object + c.offset();
        long stored = k.memory().u64(at);
        if (!hardened) {
            return stored;
        }
        return stored ^ c.random() ^ (swab ? Long.reverseBytes(at) : at);
    }

    /** Every CPU's slab, lockless freelist and partial slabs of a cache. */
    public List<CpuSlabs> cpuSlabs(SlabCache c) {
        List<CpuSlabs> out = new ArrayList<>();
        for (int cpu : k.cpuMask("__cpu_possible_mask")) {
            long kc = c.cpuSlab() + k.perCpuOffset(cpu);
            Value v = new Value(cpuType, kc, k.memory(), k.types());
            String problem = "";
            Optional<Slab> slab = Optional.empty();
            long freelist = 0;
            List<Slab> partial = new ArrayList<>();
            try {
                long s = v.member("slab").u64();
                freelist = v.member("freelist").u64();
                if (s != 0) {
                    slab = Optional.of(slab(s, c));
                }
                long p = cpuType.field("partial").isPresent() ? v.member("partial").u64() : 0;
                int guard = 0;
                while (p != 0 && guard++ < LIST_LIMIT) {
                    partial.add(slab(p, c));
                    p = k.memory().u64(p + slabNextOff);
                }
            } catch (FaultException | IllegalArgumentException e) {
                problem = e.getMessage();
            }
            out.add(new CpuSlabs(cpu, kc, slab, freelist, List.copyOf(partial), problem));
        }
        return out;
    }

    /** Every node's partial list (and full list, where tracked) of a cache. */
    public List<NodeSlabs> nodes(SlabCache c) {
        List<NodeSlabs> out = new ArrayList<>();
        for (int n = 0; n < c.nodes().size(); n++) {
            long addr = c.nodes().get(n);
            if (addr == 0) {
                continue;
            }
            Value v = new Value(nodeType, addr, k.memory(), k.types());
            String problem = "";
            long nrSlabs = nodeType.field("nr_slabs").isPresent() ? v.member("nr_slabs.counter").u64() : -1;
            long total = nodeType.field("total_objects").isPresent() ? v.member("total_objects.counter").u64() : -1;
            long nrPartial = v.member("nr_partial").u64();
            List<Slab> partial = new ArrayList<>();
            problem = walk(addr + nodeType.field("partial").orElseThrow().offset(), c, partial);
            Optional<List<Slab>> full = Optional.empty();
            if (c.storeUser() && nodeType.field("full").isPresent()) {
                List<Slab> f = new ArrayList<>();
                String p = walk(addr + nodeType.field("full").get().offset(), c, f);
                problem = problem.isEmpty() ? p : problem;
                full = Optional.of(List.copyOf(f));
            }
            out.add(new NodeSlabs(n, addr, nrSlabs, nrPartial, total, List.copyOf(partial), full, problem));
        }
        return out;
    }

    private String walk(long head, SlabCache c, List<Slab> into) {
        try {
            long p = k.memory().u64(head);
            int guard = 0;
            while (p != head && guard++ < LIST_LIMIT) {
                into.add(slab(p - slabListOff, c));
                p = k.memory().u64(p);
            }
            return guard >= LIST_LIMIT ? String.format("slab list at %x does not end", head) : "";
        } catch (FaultException | IllegalArgumentException e) {
            return String.format("slab list at %x is broken: %s", head, e.getMessage());
        }
    }

    /** crash's {@code kmem -s} numbers for a cache (needs CONFIG_SLUB_DEBUG's node counters). */
    public Counts counts(SlabCache c) {
        long free = 0;
        for (CpuSlabs cs : cpuSlabs(c)) {
            if (cs.slab().isPresent()) {
                Slab s = cs.slab().get();
                free += s.objects() - s.inuse();
                free += freelist(s, cs.freelist()).objects().size();
            }
            for (Slab p : cs.partial()) {
                free += p.objects() - p.inuse();
            }
        }
        long total = 0;
        long slabs = 0;
        for (NodeSlabs n : nodes(c)) {
            if (n.totalObjects() < 0 || n.nrSlabs() < 0) {
                throw new IllegalStateException("the kernel was built without CONFIG_SLUB_DEBUG: no per-node slab counts");
            }
            total += n.totalObjects();
            slabs += n.nrSlabs();
            for (Slab p : n.partial()) {
                free += p.objects() - p.inuse();
            }
        }
        return new Counts(total - free, total, slabs, free);
    }

    /**
     * The free objects of a slab and where the slab is kept. For a CPU slab, the objects on that
     * CPU's lockless freelist are free as well as those on {@code slab->freelist} (frees from
     * other CPUs). Objects on neither are allocated when both walks completed and
     * {@code slab->freelist} holds {@code objects - inuse} objects; otherwise their state is unknown.
     */
    public SlabContents contents(Slab slab) {
        SlabCache c = slab.cache();
        SlabObject.Place place = SlabObject.Place.UNLISTED;
        int cpu = -1;
        long cpuFreelist = 0;
        boolean onCpu = false;
        List<CpuSlabs> cpus = cpuSlabs(c);
        for (CpuSlabs cs : cpus) {
            if (cs.slab().isPresent() && cs.slab().get().address() == slab.address()) {
                place = SlabObject.Place.CPU_SLAB;
                cpu = cs.cpu();
                cpuFreelist = cs.freelist();
                onCpu = true;
                break;
            }
        }
        if (!onCpu) {
            for (CpuSlabs cs : cpus) {
                if (cs.partial().stream().anyMatch(p -> p.address() == slab.address())) {
                    place = SlabObject.Place.CPU_PARTIAL;
                    cpu = cs.cpu();
                    break;
                }
            }
        }
        if (place == SlabObject.Place.UNLISTED && !slab.frozen()) {
            place = nodePlace(slab);
        }
        List<String> problems = new ArrayList<>();
        Freelist own = freelist(slab, slab.freelist());
        if (!own.complete()) {
            problems.add(own.problem());
        } else if (own.objects().size() != slab.objects() - slab.inuse()) {
            problems.add(String.format("slab %x: inuse %d of %d objects, but its freelist holds %d", slab.address(),
                    slab.inuse(), slab.objects(), own.objects().size()));
        }
        Set<Long> cpuFree = Set.of();
        if (onCpu) {
            Freelist lockless = freelist(slab, cpuFreelist);
            if (!lockless.complete()) {
                problems.add(lockless.problem().replace("freelist of", "cpu " + cpu + " freelist of"));
            }
            cpuFree = new HashSet<>(lockless.objects());
        } else if (slab.frozen() && place == SlabObject.Place.UNLISTED) {
            problems.add(String.format("slab %x is frozen but neither a CPU slab nor on a CPU partial list: "
                    + "a CPU freelist may hold more of its objects", slab.address()));
        }
        return new SlabContents(slab, place, cpu, Collections.unmodifiableSet(cpuFree),
                Collections.unmodifiableSet(new HashSet<>(own.objects())), String.join("; ", problems));
    }

    private SlabObject.Place nodePlace(Slab slab) {
        SlabCache c = slab.cache();
        if (slab.node() < 0 || slab.node() >= c.nodes().size() || c.nodes().get(slab.node()) == 0) {
            return SlabObject.Place.UNLISTED;
        }
        long n = c.nodes().get(slab.node());
        if (slab.inuse() < slab.objects()) {
            return onList(n + nodeType.field("partial").orElseThrow().offset(), slab.address())
                    ? SlabObject.Place.NODE_PARTIAL : SlabObject.Place.UNLISTED;
        }
        if (c.storeUser() && nodeType.field("full").isPresent()
                && onList(n + nodeType.field("full").get().offset(), slab.address())) {
            return SlabObject.Place.NODE_FULL;
        }
        return SlabObject.Place.UNLISTED;
    }

    private boolean onList(long head, long slab) {
        try {
            long p = k.memory().u64(head);
            int guard = 0;
            while (p != head && guard++ < LIST_LIMIT) {
                if (p - slabListOff == slab) {
                    return true;
                }
                p = k.memory().u64(p);
            }
        } catch (FaultException e) {
            return false;
        }
        return false;
    }
}
