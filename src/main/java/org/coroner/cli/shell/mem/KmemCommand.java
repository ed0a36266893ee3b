package org.coroner.cli.shell.mem;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.CrashFormat;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.cli.shell.proc.SetCommand;
import org.coroner.kernel.Kernel;
import org.coroner.kernel.Tasks;
import org.coroner.kernel.mm.MemMap;
import org.coroner.kernel.mm.MemoryInfo;
import org.coroner.kernel.mm.Slab;
import org.coroner.kernel.mm.SlabCache;
import org.coroner.kernel.mm.SlabObject;
import org.coroner.kernel.mm.Slub;
import org.coroner.kernel.mm.SlubTrack;
import org.coroner.kernel.mm.VmapAreas;
import org.coroner.kernel.stack.LoadedModule;
import org.coroner.memory.FaultException;
import org.coroner.session.Session;

/**
 * crash's {@code kmem}: the memory summary ({@code -i}), the slab caches ({@code -s}, and with
 * every slab and object {@code -S}), pages ({@code -p}), the vmalloc areas ({@code -v}), and for an
 * address everything that owns it: its symbol, the task whose stack or task_struct it is in, its
 * vmalloc area, its slab cache, slab and object (allocated or free), and its page.
 */
public final class KmemCommand implements ShellCommand {
    private static final String CACHE_HEADER = "CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME";
    private static final String SLAB_HEADER = "SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE";
    private final Session s;
    private MemoryInfo memoryInfo;

    public KmemCommand(Session s) {
        this.s = s;
    }

    @Override
    public String name() {
        return "kmem";
    }

    @Override
    public String summary() {
        return "memory summary, slab caches, pages, vmalloc areas; what owns an address";
    }

    @Override
    public String help() {
        return """
                kmem [-i | -s [CACHE | ADDR] | -S [CACHE | ADDR] | -p [PHYS]... | -v | ADDR...]
                  -i          memory summary: total, free, used, shared, buffers, cached, slab, huge
                              pages, swap, commit limit and committed, in pages, size and percent
                  -s          every slab cache: OBJSIZE, ALLOCATED and TOTAL objects, SLABS, slab size
                  -s CACHE    one cache; -s ADDR the cache, slab and object holding ADDR
                  -S [CACHE]  the same with each CPU's slab and partial slabs object by object
                              (FREE, [ALLOCATED]) and each node's partial and full lists
                  -p [PHYS]   the struct page of each physical address (every page without one)
                  -v          the vmalloc areas: vmap_area, vm_struct, address range, size
                  -f          each zone's free areas: per order and migrate type the free list,
                              its blocks and pages, and the total checked against the zones' count
                  -z          each memory zone of each node: its size, pages present, watermarks
                              (min/low/high) and its vm_stat counters
                  ADDR        what owns a kernel address: its symbol; the task whose stack or
                              task_struct it is in; its vmalloc area; for a slab object its cache,
                              slab and object, [ALLOCATED] or free (with the alloc and free tracks
                              when the cache stores them, slub_debug=U); its page
                Objects are free when a CPU's lockless freelist or their slab's freelist holds them
                (hardened freelist pointers decoded).""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        if (args.isEmpty()) {
            throw new CommandException("usage: kmem [-i | -s | -S | -p | -v | -f | -z | ADDR]");
        }
        String a = args.get(0);
        List<String> rest = args.subList(1, args.size());
        switch (a) {
            case "-i" -> summary(out);
            case "-s", "-S" -> slabs(a.equals("-S"), rest, out);
            case "-p" -> pages(rest, out);
            case "-v" -> vmalloc(OptionalLong.empty(), out);
            case "-f" -> {
                if (!rest.isEmpty()) {
                    throw new CommandException("kmem -f ADDR is not supported yet: kmem -f lists the free areas of every zone");
                }
                freeAreas(out);
            }
            case "-z" -> {
                if (!rest.isEmpty()) {
                    throw new CommandException("-z takes no arguments");
                }
                zones(out);
            }
            default -> {
                if (a.startsWith("-")) {
                    throw new CommandException("invalid option: " + a);
                }
                for (int i = 0; i < args.size(); i++) {
                    if (i > 0) {
                        out.println();
                    }
                    search(MemoryArgs.address(args.get(i)), out);
                }
            }
        }
    }

    /**
     * crash's {@code kmem -z}: per zone its node, index, address and name; unpopulated when it spans
     * no pages; else its spanned pages (and present pages when fewer), the min, low and high
     * watermarks ({@code _watermark[WMARK_*]}) and its {@code vm_stat[]} counters by name.
     */
    private void zones(PrintWriter out) {
        MemoryInfo mi = info();
        List<String> items = mi.zoneStatItems();
        int width = items.stream().mapToInt(String::length).max().orElse(0);
        Kernel k = s.kernel();
        java.util.Map<String, Long> marks = k.types().lookup("enum zone_watermarks").map(t -> t.resolve().enumerators())
                .orElse(java.util.Map.of());
        for (MemoryInfo.Zone z : mi.zoneList()) {
            var zone = z.zone();
            out.printf("NODE: %d  ZONE: %d  ADDR: %x  NAME: \"%s\"%n", z.node(), z.index(), zone.address(),
                    zone.member("name").string(64));
            long spanned = zone.member("spanned_pages").u64();
            if (spanned == 0) {
                out.println("  [unpopulated]");
                out.println();
                continue;
            }
            long present = zone.member("present_pages").u64();
            var wm = zone.member("_watermark");
            out.printf("  SIZE: %d%s  MIN/LOW/HIGH: %d/%d/%d%n", spanned, present < spanned ? "  PRESENT: " + present : "",
                    wm.index(marks.getOrDefault("WMARK_MIN", 0L)).u64(), wm.index(marks.getOrDefault("WMARK_LOW", 1L)).u64(),
                    wm.index(marks.getOrDefault("WMARK_HIGH", 2L)).u64());
            out.println("  VM_STAT:");
            var stat = zone.member("vm_stat");
            for (int i = 0; i < items.size(); i++) {
                out.printf("%" + width + "s: %d%n", items.get(i), stat.index(i).member("counter").s64());
            }
            out.println();
            out.println();
        }
    }

    /**
     * crash's {@code kmem -f}: per zone its size, free pages ({@code vm_stat[NR_FREE_PAGES]}), first
     * struct page, start and the page number from its node's first page; for a zone with free pages,
     * each order's free list of each migrate type ({@code free_area[ORDER].free_list[TYPE]}, walked
     * through {@code page.lru}) with its blocks and pages; then the zones' total, "(verified)" when
     * the lists hold as many pages, else what they hold.
     */
    private void freeAreas(PrintWriter out) {
        MemoryInfo mi = info();
        Kernel k = s.kernel();
        var mem = k.memory();
        int freeItem = mi.zoneStatItems().indexOf("NR_FREE_PAGES");
        long pageKb = s.dump().pageSize() / 1024;
        long listHead = k.type("struct list_head").size();
        List<MemoryInfo.Zone> zones = mi.zoneList();
        boolean nodes = zones.stream().mapToInt(MemoryInfo.Zone::node).distinct().count() > 1;
        long sum = 0;
        long found = 0;
        int lastNode = -1;
        for (MemoryInfo.Zone z : zones) {
            var zone = z.zone();
            if (nodes && z.node() != lastNode) {
                if (lastNode >= 0) {
                    out.println();
                    out.println("-".repeat(74));
                }
                out.printf("%sNODE%n %2d%n", lastNode >= 0 ? "\n" : "", z.node());
            }
            lastNode = z.node();
            out.printf("%sZONE  NAME        SIZE    FREE  %s  START_PADDR  START_MAPNR%n", z.index() > 0 ? "\n" : "",
                    CrashFormat.center("MEM_MAP", 16));
            long size = zone.member("spanned_pages").u64();
            long free = zone.member("vm_stat").index(freeItem).member("counter").s64();
            long startPfn = zone.member("zone_start_pfn").u64();
            long nodeStartPfn = k.object("struct pglist_data", zone.member("zone_pgdat").u64()).member("node_start_pfn").u64();
            long memMap = size == 0 ? 0 : s.memMap().page(startPfn);
            long mapnr = memMap == 0 ? 0 : startPfn - nodeStartPfn;
            out.printf("%3d   %-9s %6d  %6d  %s  %s  %s%n", z.index(), zone.member("name").string(64), size, free,
                    CrashFormat.center(Long.toHexString(memMap), 16), CrashFormat.centerRight(Long.toHexString(startPfn << 12), 11),
                    CrashFormat.centerRight(Long.toString(mapnr), 11));
            sum += free;
            if (free == 0) {
                continue;
            }
            out.print("AREA    SIZE  FREE_AREA_STRUCT  BLOCKS  PAGES\n");
            var areas = zone.member("free_area");
            long orders = areas.type().resolve().length();
            for (int order = 0; order < orders; order++) {
                var lists = areas.index(order).member("free_list");
                long types = lists.type().resolve().length();
                for (int t = 0; t < types; t++) {
                    long head = lists.address() + t * listHead;
                    long blocks = 0;
                    for (long e = mem.u64(head); e != head; e = mem.u64(e)) {
                        if (++blocks > (1L << 26)) {
                            throw new CommandException(String.format("corrupted free list %d from free_area struct: %x", t,
                                    areas.index(order).address()));
                        }
                    }
                    long chunk = 1L << order;
                    out.printf("%3d  %7s  %s  %6d %6d%n", order, chunk * pageKb + "k", CrashFormat.center(Long.toHexString(head), 16),
                            blocks, blocks * chunk);
                    found += blocks * chunk;
                }
            }
        }
        out.printf("%nnr_free_pages: %d  %s%n", sum, sum == found ? "(verified)" : "(found " + found + ")");
    }

    private MemoryInfo info() {
        if (memoryInfo == null) {
            memoryInfo = new MemoryInfo(s.kernel(), s.memMap());
        }
        return memoryInfo;
    }

    // ---- kmem -i

    private void summary(PrintWriter out) {
        MemoryInfo mi = info();
        long total = mi.totalRam();
        if (total == 0) {
            throw new CommandException("cannot read totalram_pages");
        }
        long free = mi.free();
        long used = total - free;
        long shared = mi.mapCounts().shared();
        long buffers = mi.blockdevPages();
        long cached = mi.cached(buffers);
        long slab = mi.slab();
        long[] huge = mi.hugePages();
        long[] swap = mi.swap();
        out.println("                 PAGES        TOTAL      PERCENTAGE");
        total(out, "TOTAL MEM", total);
        pct(out, "FREE", free, total, "TOTAL MEM");
        pct(out, "USED", used, total, "TOTAL MEM");
        pct(out, "SHARED", shared, total, "TOTAL MEM");
        pct(out, "BUFFERS", buffers, total, "TOTAL MEM");
        pct(out, "CACHED", cached, total, "TOTAL MEM");
        pct(out, "SLAB", slab, total, "TOTAL MEM");
        out.println();
        total(out, "TOTAL HUGE", huge[0]);
        pct(out, "HUGE FREE", huge[1], huge[0], "TOTAL HUGE");
        out.println();
        total(out, "TOTAL SWAP", swap[0]);
        pct(out, "SWAP USED", swap[1], swap[0], "TOTAL SWAP");
        pct(out, "SWAP FREE", swap[0] - swap[1], swap[0], "TOTAL SWAP");
        out.println();
        long limit = mi.commitLimit(huge[0], swap[0]);
        total(out, "COMMIT LIMIT", limit);
        long committed = mi.committed();
        if (limit != 0) {
            pct(out, "COMMITTED", committed, limit, "TOTAL LIMIT");
        } else {
            total(out, "COMMITTED", committed);
        }
    }

    private static void total(PrintWriter out, String what, long pages) {
        out.printf("%13s  %7d  %11s         ----%n", what, pages, CrashFormat.pagesToSize(pages, MemMap.PAGE_SIZE));
    }

    private static void pct(PrintWriter out, String what, long pages, long of, String ofWhat) {
        out.printf("%13s  %7d  %11s  %3d%% of %s%n", what, pages, CrashFormat.pagesToSize(pages, MemMap.PAGE_SIZE),
                of == 0 ? 0 : pages * 100 / of, ofWhat);
    }

    // ---- kmem -s / -S

    private Slub slub() {
        if (!Slub.present(s.kernel())) {
            throw new CommandException("the kernel does not use SLUB: slab caches are not available");
        }
        return s.slub();
    }

    private void slabs(boolean verbose, List<String> rest, PrintWriter out) {
        Slub slub = slub();
        if (rest.size() > 1) {
            throw new CommandException("usage: kmem -" + (verbose ? "S" : "s") + " [CACHE | ADDR]");
        }
        if (rest.isEmpty()) {
            List<SlabCache> caches = slub.caches();
            for (int i = 0; i < caches.size(); i++) {
                if (i == 0 || verbose) {
                    out.println(CACHE_HEADER);
                }
                cacheLine(slub, caches.get(i), out);
                if (verbose) {
                    cacheDetail(slub, caches.get(i), out);
                }
            }
            return;
        }
        String arg = rest.get(0);
        Optional<SlabCache> named = slub.caches().stream().filter(c -> c.name().equals(arg)).findFirst();
        if (named.isPresent()) {
            out.println(CACHE_HEADER);
            cacheLine(slub, named.get(), out);
            if (verbose) {
                cacheDetail(slub, named.get(), out);
            }
            return;
        }
        if (!arg.matches("(0x)?[0-9a-fA-F]+")) {
            throw new CommandException("invalid cache name or address: " + arg);
        }
        long addr = MemoryArgs.address(arg);
        Optional<SlabCache> cache = slub.listedCache(addr);
        if (cache.isPresent()) {
            out.println(CACHE_HEADER);
            cacheLine(slub, cache.get(), out);
            if (verbose) {
                cacheDetail(slub, cache.get(), out);
            }
            return;
        }
        if (addr >= 0) {
            addr = s.memMap().pageOffsetBase() + addr; // a physical address, through the direct map
        }
        Optional<Slab> slab = slabAt(slub, addr);
        if (slab.isEmpty()) {
            throw new CommandException(String.format("address is not allocated in slab subsystem: %x", addr));
        }
        out.println(CACHE_HEADER);
        cacheLine(slub, slab.get().cache(), out);
        slabBlock(slub, slab.get(), verbose || s.memMap().pfnOfPage(addr).isPresent() ? OptionalLong.empty()
                : OptionalLong.of(addr), out);
    }

    /** The slab of a direct-map address, or of a {@code struct page}/{@code struct slab} address. */
    private Optional<Slab> slabAt(Slub slub, long addr) {
        Optional<Slab> slab = slub.slabOf(addr);
        if (slab.isPresent()) {
            return slab;
        }
        MemMap mm = s.memMap();
        OptionalLong pfn = mm.pfnOfPage(addr);
        if (pfn.isPresent()) {
            try {
                return slub.slabOf(mm.directMap(pfn.getAsLong()));
            } catch (FaultException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static void cacheLine(Slub slub, SlabCache c, PrintWriter out) {
        try {
            Slub.Counts n = slub.counts(c);
            out.printf("%-16x %8d  %9d  %8d  %5d  %4dk  %s%n", c.address(), c.objectSize(), n.allocated(), n.total(),
                    n.slabs(), c.slabBytes() / 1024, c.name());
        } catch (FaultException | IllegalStateException e) {
            out.printf("kmem: %s: cannot gather relevant slab data (%s)%n", c.name(), e.getMessage());
            out.printf("%-16x %8d  %9s  %8s  %5s  %4dk  %s%n", c.address(), c.objectSize(), "?", "?", "?",
                    c.slabBytes() / 1024, c.name());
        }
    }

    private void cacheDetail(Slub slub, SlabCache c, PrintWriter out) {
        int[] perNode = new int[Math.max(1, c.nodes().size())];
        for (Slub.CpuSlabs cs : slub.cpuSlabs(c)) {
            out.printf("CPU %d KMEM_CACHE_CPU:%n  %x%n", cs.cpu(), cs.kmemCacheCpu());
            out.printf("CPU %d SLAB:%n", cs.cpu());
            if (cs.slab().isEmpty()) {
                out.println("  (empty)");
            } else {
                int node = cs.slab().get().node();
                if (node >= 0 && node < perNode.length) {
                    perNode[node]++;
                }
                slabBlock(slub, cs.slab().get(), OptionalLong.empty(), out);
            }
            out.printf("CPU %d PARTIAL:%n", cs.cpu());
            if (cs.partial().isEmpty()) {
                out.println("  (empty)");
            }
            for (Slab p : cs.partial()) {
                slabBlock(slub, p, OptionalLong.empty(), out);
            }
            if (!cs.problem().isEmpty()) {
                out.println("kmem: " + c.name() + ": " + cs.problem());
            }
        }
        for (Slub.NodeSlabs n : slub.nodes(c)) {
            out.println("KMEM_CACHE_NODE   NODE  SLABS  PARTIAL  PER-CPU");
            out.printf("%x  %4d  %5d  %7d  %7d%n", n.address(), n.node(), n.nrSlabs(), n.nrPartial(),
                    n.node() < perNode.length ? perNode[n.node()] : 0);
            out.printf("NODE %d PARTIAL:%n", n.node());
            slabList(n.partial(), out);
            out.printf("NODE %d FULL:%n", n.node());
            if (n.full().isEmpty()) {
                out.println("  (not tracked)");
            } else {
                slabList(n.full().get(), out);
            }
            if (!n.problem().isEmpty()) {
                out.println("kmem: " + c.name() + ": " + n.problem());
            }
        }
        out.println();
    }

    private static void slabList(List<Slab> slabs, PrintWriter out) {
        if (slabs.isEmpty()) {
            out.println("  (empty)");
            return;
        }
        out.println("  " + SLAB_HEADER);
        for (Slab sl : slabs) {
            slabLine(sl, sl.inuse(), out);
        }
    }

    private static void slabLine(Slab sl, int allocated, PrintWriter out) {
        out.printf("  %-16x  %-16x  %4d  %5d  %9d  %4d%n", sl.address(), sl.base(), sl.node(), sl.objects(), allocated,
                sl.objects() - allocated);
    }

    /**
     * One slab as crash's verbose slab listing: its line (a CPU slab counted from its freelists),
     * then its objects, free or [allocated]; only the object holding {@code only} when given.
     */
    private void slabBlock(Slub slub, Slab sl, OptionalLong only, PrintWriter out) {
        Slub.SlabContents contents = slub.contents(sl);
        boolean cpuSlab = contents.place() == SlabObject.Place.CPU_SLAB;
        int allocated = cpuSlab ? sl.objects() - contents.freeCount() : sl.inuse();
        out.println("  " + SLAB_HEADER);
        slabLine(sl, allocated, out);
        out.println("  FREE / [ALLOCATED]");
        SlabCache c = sl.cache();
        for (int i = 0; i < sl.objects(); i++) {
            long slot = sl.base() + (long) i * c.size();
            if (only.isPresent() && (Long.compareUnsigned(only.getAsLong(), slot) < 0
                    || Long.compareUnsigned(only.getAsLong(), slot + c.size()) >= 0)) {
                continue;
            }
            long obj = sl.object(i);
            SlabObject.State st = contents.state(obj);
            if (st == SlabObject.State.FREE) {
                out.printf("   %x  %s%n", obj, cpuSlab ? "(cpu " + contents.cpu() + " cache)" : "");
            } else if (st == SlabObject.State.ALLOCATED) {
                out.printf("  [%x]%n", obj);
            } else {
                out.printf("  ?%x?  (unknown: %s)%n", obj, contents.problem());
            }
            if (only.isPresent() && c.storeUser()) {
                tracks(slub, c, obj, out);
            }
        }
    }

    /** The alloc and free tracks of a SLAB_STORE_USER object (not in crash: what slub_debug=U recorded). */
    private void tracks(Slub slub, SlabCache c, long obj, PrintWriter out) {
        long now = new org.coroner.kernel.SystemInfo(s.kernel()).jiffies();
        for (boolean alloc : new boolean[] {true, false}) {
            SlubTrack t = slub.track(c, obj, alloc);
            if (t.empty()) {
                out.printf("  %s: (none recorded)%n", alloc ? "ALLOCATED" : "FREED");
                continue;
            }
            out.printf("  %s by %s  pid %d  cpu %d  %d jiffies ago%n", alloc ? "ALLOCATED" : "FREED",
                    symbol(t.caller()), t.pid(), t.cpu(), now - t.when());
            for (long f : t.stack()) {
                out.printf("    %s%n", symbol(f));
            }
            if (t.stack().isEmpty()) {
                out.printf("    (%s)%n", t.stackProblem());
            }
        }
    }

    private String symbol(long address) {
        return s.backtracer().symbolizer().lookup(address)
                .map(n -> n.crash() + (n.module() != null ? " [" + n.module() + "]" : "")).orElse(String.format("%x", address));
    }

    // ---- kmem -p

    private void pages(List<String> rest, PrintWriter out) {
        MemMap mm = s.memMap();
        if (rest.isEmpty()) {
            out.println(PageLines.HEADER);
            for (long[] r : mm.pfnRanges()) {
                for (long pfn = r[0]; pfn < r[1]; pfn++) {
                    try {
                        out.println(PageLines.line(mm, pfn));
                    } catch (FaultException e) {
                        // a memory map page the dump lacks
                    }
                }
            }
            return;
        }
        for (String a : rest) {
            long phys = MemoryArgs.address(a);
            if (!PageLines.print(mm, phys, out)) {
                out.printf("%x: physical address not found in mem map%n", phys);
            }
        }
    }

    // ---- kmem -v

    /** vmalloc areas ({@code vmap_area_list}): all, or the one holding {@code only}; false when none matched. */
    private boolean vmalloc(OptionalLong only, PrintWriter out) {
        boolean printed = false;
        for (VmapAreas.Area a : s.vmapAreas().all()) {
            if (only.isPresent() && !a.contains(only.getAsLong())) {
                continue;
            }
            if (!printed) {
                out.println(CrashFormat.center("VMAP_AREA", 16) + "  " + CrashFormat.center("VM_STRUCT", 16) + "  "
                        + CrashFormat.center("ADDRESS RANGE", 35) + "     SIZE");
                printed = true;
            }
            out.printf("%s  %s  %16x - %-16x  %7d%n", CrashFormat.center(Long.toHexString(a.vmapArea()), 16),
                    CrashFormat.center(Long.toHexString(a.vmStruct()), 16), a.start(), a.end(), a.size());
        }
        return printed;
    }

    // ---- kmem ADDR

    private void search(long addr, PrintWriter out) {
        MemMap mm = s.memMap();
        if (addr >= 0) {
            // not a kernel address: crash takes it as physical
            long pfn = addr >>> 12;
            if (!mm.validPfn(pfn)) {
                throw new CommandException(String.format("%x: physical address not found in mem map", addr));
            }
            long va = mm.directMap(pfn) + (addr & 0xfff);
            owners(va, out);
            printPage(addr, out);
            return;
        }
        Kernel k = s.kernel();
        boolean found = false;
        Optional<LoadedModule> module = s.backtracer().modules().containing(addr);
        Optional<String> sym = symbolLine(addr, module);
        if (sym.isPresent()) {
            out.println(sym.get());
            out.println();
            found = true;
        }
        OptionalLong phys = OptionalLong.empty();
        boolean directMap = mm.isDirectMap(addr);
        try {
            phys = OptionalLong.of(s.addressSpace().toPhysical(addr));
        } catch (org.coroner.dump.FaultException e) {
            // not mapped: only the page-struct and symbol answers remain
        }
        boolean kernelImage = s.addressSpace().isKernelImage(addr);
        if (!directMap && !kernelImage && phys.isPresent() && !mm.pfnOfPage(addr).isPresent()) {
            // vmalloc space (and modules): the task whose stack it is, its vmalloc area
            Optional<Tasks.Task> t = stackOwner(addr);
            if (t.isPresent()) {
                new SetCommand(s).show(t.get(), out);
                out.println();
            }
            StringBuilderWriter w = new StringBuilderWriter();
            if (vmalloc(OptionalLong.of(addr), w.out())) {
                out.print(w);
                out.println();
            }
            found |= t.isPresent();
            printPage(phys.getAsLong(), out);
            return;
        }
        found |= owners(addr, out);
        OptionalLong pfn = mm.pfnOfPage(addr);
        if (pfn.isPresent()) {
            out.println(PageLines.HEADER);
            out.println(PageLines.line(mm, pfn.getAsLong()));
            return;
        }
        if (phys.isPresent() && mm.validPfn(phys.getAsLong() >>> 12)) {
            printPage(phys.getAsLong(), out);
            return;
        }
        if (!found) {
            throw new CommandException(phys.isPresent()
                    ? String.format("%x: kernel virtual address not found in mem map", addr)
                    : String.format("%x: not a mapped kernel address (invalid kernel virtual address)", addr));
        }
    }

    /** The slab object and the task (task_struct or stack) an address belongs to; true if any. */
    private boolean owners(long addr, PrintWriter out) {
        boolean found = false;
        if (Slub.present(s.kernel())) {
            Optional<Slab> slab = slabAt(s.slub(), addr);
            if (slab.isPresent()) {
                out.println(CACHE_HEADER);
                cacheLine(s.slub(), slab.get().cache(), out);
                slabBlock(s.slub(), slab.get(), s.memMap().pfnOfPage(addr).isPresent() ? OptionalLong.empty()
                        : OptionalLong.of(addr), out);
                out.println();
                found = true;
            }
        }
        Optional<Tasks.Task> t = taskStructAt(addr).or(() -> stackOwner(addr));
        if (t.isPresent()) {
            new SetCommand(s).show(t.get(), out);
            out.println();
            found = true;
        }
        return found;
    }

    private void printPage(long phys, PrintWriter out) {
        if (!PageLines.print(s.memMap(), phys, out)) {
            out.printf("%x: physical address not found in mem map%n", phys);
        }
    }

    /** crash's symbol line: {@code ffffffff8981aa40 (D) init_task}, module code with its module and file:line. */
    private Optional<String> symbolLine(long addr, Optional<LoadedModule> module) {
        Kernel k = s.kernel();
        String name;
        long offset;
        char type;
        if (module.isPresent()) {
            Optional<org.coroner.kernel.stack.ModuleSymbols.Hit> hit = module.get().symbols().lookup(addr);
            if (hit.isEmpty()) {
                return Optional.empty();
            }
            name = hit.get().name();
            offset = hit.get().offset();
            type = module.get().containsText(addr) ? 't' : 'd';
        } else if (s.addressSpace().isKernelImage(addr)) {
            Optional<Kernel.SymbolAt> at = k.symbolAt(addr);
            if (at.isEmpty()) {
                return Optional.empty();
            }
            name = at.get().name();
            offset = at.get().offset();
            type = typeLetter(at.get());
        } else {
            return Optional.empty();
        }
        StringBuilder b = new StringBuilder(String.format("%x (%c) %s", addr, type, name));
        if (offset != 0) {
            b.append('+').append(offset);
        }
        module.ifPresent(m -> b.append(" [").append(m.name()).append(']'));
        if (type == 't' || type == 'T') {
            var loc = s.debugInfo().at(addr);
            b.append(' ').append(loc.map(l -> l.file() + ": " + l.line()).orElse(""));
        }
        return Optional.of(b.toString());
    }

    /** nm's letter for a vmlinux symbol: T/t text, D/d data, R/r read-only data, B/b bss; lower case when local. */
    private char typeLetter(Kernel.SymbolAt at) {
        var sym = at.symbol();
        var vmlinux = s.kernel().vmlinux();
        char c = 'D';
        if (sym.shndx() > 0 && sym.shndx() < vmlinux.sections().size()) {
            var sec = vmlinux.section(sym.shndx());
            if (sec.isExec()) {
                c = 'T';
            } else if (sec.type() == org.coroner.elf.ElfFile.SHT_NOBITS) {
                c = 'B';
            } else if ((sec.flags() & 0x1) == 0) {
                c = 'R'; // not SHF_WRITE
            }
        }
        return sym.isLocal() ? Character.toLowerCase(c) : c;
    }

    /** The task whose task_struct holds the address. */
    private Optional<Tasks.Task> taskStructAt(long addr) {
        long size = taskStructSize();
        return s.tasks().all().stream().filter(t -> Long.compareUnsigned(addr - t.address(), size) < 0).findFirst();
    }

    /**
     * What a task_struct takes in memory: on x86 {@code arch_task_struct_size}, the struct with only
     * as much FPU state as this CPU saves (smaller than the DWARF size on a CPU without AVX-512, where
     * the next task_struct of the slab starts before the DWARF size is over); else the DWARF size.
     */
    private long taskStructSize() {
        long dwarf = s.kernel().type("struct task_struct").size();
        Optional<Long> arch = s.kernel().symbol("arch_task_struct_size");
        if (arch.isPresent()) {
            try {
                long n = s.kernel().memory().u32(arch.get());
                if (n > 0 && n <= dwarf) {
                    return n;
                }
            } catch (FaultException e) {
                // unreadable: the DWARF size
            }
        }
        return dwarf;
    }

    /** The task whose kernel stack holds the address. */
    private Optional<Tasks.Task> stackOwner(long addr) {
        var areas = s.backtracer().stacks();
        for (Tasks.Task t : s.tasks().all()) {
            try {
                var st = areas.taskStack(t.address());
                if (st.contains(addr, 1)) {
                    return Optional.of(t);
                }
            } catch (FaultException e) {
                // a task without a readable stack pointer
            }
        }
        return Optional.empty();
    }

    /** A PrintWriter over a buffer, to print a block only when it has content. */
    private static final class StringBuilderWriter {
        private final java.io.StringWriter sw = new java.io.StringWriter();
        private final PrintWriter pw = new PrintWriter(sw);

        PrintWriter out() {
            return pw;
        }

        @Override
        public String toString() {
            pw.flush();
            return sw.toString();
        }
    }
}
