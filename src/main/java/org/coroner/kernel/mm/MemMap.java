package org.coroner.kernel.mm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

import org.coroner.kernel.Kernel;
import org.coroner.memory.FaultException;

/**
 * The kernel's {@code struct page} array as x86_64 and arm64 lay it out (SPARSEMEM_VMEMMAP): page frame
 * numbers, their {@code struct page} at {@code vmemmap_base + pfn * sizeof(struct page)}, their
 * direct-map address at {@code page_offset_base + pfn * PAGE_SIZE} (arm64: the same sums from
 * VMCOREINFO's {@code VMEMMAP_START} and {@code PHYS_OFFSET}), and which pfns exist
 * ({@code mem_section}: a section with a mem_map). Compound pages resolve to their head.
 */
public final class MemMap {
    public static final long PAGE_SIZE = 4096;
    private static final int PAGE_SHIFT = 12;
    /** {@code SECTION_HAS_MEM_MAP} and the mask of the encoded mem_map in {@code section_mem_map}. */
    private static final long SECTION_HAS_MEM_MAP = 1L << 1;
    private static final long SECTION_MAP_MASK = ~((1L << 5) - 1);

    private final Kernel k;
    private final long pageOffsetBase;
    private final long vmemmapBase;
    private final long pageStructSize;
    private final int sectionSizeBits;
    private final int pgSlab;
    private final int pgHead;
    private final int pgReserved;
    private final int pgBuddyMapcount;
    private final long mapcountOffset;
    private Map<Long, Long> sections;

    public MemMap(Kernel k) {
        this.k = k;
        this.pageStructSize = k.type("struct page").size();
        if (k.symbol("page_offset_base").isPresent() && k.symbol("vmemmap_base").isPresent()) {
            this.pageOffsetBase = k.memory().u64(k.requireSymbol("page_offset_base"));
            this.vmemmapBase = k.memory().u64(k.requireSymbol("vmemmap_base"));
        } else if (hex("NUMBER(VMEMMAP_START)") != null && hex("NUMBER(PHYS_OFFSET)") != null) {
            // arm64: __phys_to_virt(p) = (p - PHYS_OFFSET) | PAGE_OFFSET, and
            // vmemmap = (struct page *)VMEMMAP_START - (memstart_addr >> PAGE_SHIFT), memstart_addr
            // being PHYS_OFFSET (signed: linear-map randomization can make it negative)
            String t1sz = k.vmcoreinfo().get("NUMBER(TCR_EL1_T1SZ)");
            int vaBits = t1sz != null ? 64 - (int) Long.parseLong(t1sz.trim().replaceFirst("^0x", ""), 16)
                    : (int) number("VA_BITS", 48);
            long physOffset = hex("NUMBER(PHYS_OFFSET)");
            this.pageOffsetBase = -(1L << vaBits) - physOffset;
            this.vmemmapBase = hex("NUMBER(VMEMMAP_START)") - (physOffset >> PAGE_SHIFT) * pageStructSize;
        } else {
            throw new IllegalStateException("the memory map's base addresses are not known for this kernel"
                    + " (no page_offset_base/vmemmap_base, no VMCOREINFO VMEMMAP_START/PHYS_OFFSET)");
        }
        this.sectionSizeBits = (int) number("SECTION_SIZE_BITS", 27);
        Map<String, Long> flags = k.types().lookup("enum pageflags").map(t -> t.resolve().enumerators()).orElse(Map.of());
        this.pgSlab = (int) number("PG_slab", flags.getOrDefault("PG_slab", 9L));
        this.pgHead = flags.getOrDefault("PG_head", 16L).intValue();
        this.pgReserved = flags.getOrDefault("PG_reserved", 12L).intValue();
        this.pgBuddyMapcount = (int) number("PAGE_BUDDY_MAPCOUNT_VALUE", -129);
        this.mapcountOffset = k.type("struct page").field("_mapcount").map(f -> f.offset()).orElse(48L);
    }

    /** A VMCOREINFO value printed in hex ({@code 0x...}), or null. */
    private Long hex(String key) {
        String v = k.vmcoreinfo().get(key);
        return v == null ? null : Long.parseUnsignedLong(v.trim().replaceFirst("^0x", ""), 16);
    }

    private long number(String name, long otherwise) {
        String v = k.vmcoreinfo().get("NUMBER(" + name + ")");
        return v == null ? otherwise : Long.parseLong(v.trim());
    }

    public Kernel kernel() {
        return k;
    }

    public long pageOffsetBase() {
        return pageOffsetBase;
    }

    public long vmemmapBase() {
        return vmemmapBase;
    }

    public long pageStructSize() {
        return pageStructSize;
    }

    /** The bit of {@code PG_slab} in {@code page->flags}. */
    public int pgSlab() {
        return pgSlab;
    }

    /** The {@code struct page} of a page frame. */
    public long page(long pfn) {
        return vmemmapBase + pfn * pageStructSize;
    }

    /** The direct-map (linear map) address of a page frame. */
    public long directMap(long pfn) {
        return pageOffsetBase + (pfn << PAGE_SHIFT);
    }

    /** The page frame of a {@code struct page} address, if it is one (in the vmemmap, aligned, of a present section). */
    public OptionalLong pfnOfPage(long page) {
        long off = page - vmemmapBase;
        if (Long.compareUnsigned(page, vmemmapBase) < 0 || off % pageStructSize != 0) {
            return OptionalLong.empty();
        }
        long pfn = off / pageStructSize;
        return validPfn(pfn) ? OptionalLong.of(pfn) : OptionalLong.empty();
    }

    /** The page frame of a direct-map address. */
    public OptionalLong pfnOfDirectMap(long vaddr) {
        if (Long.compareUnsigned(vaddr, pageOffsetBase) < 0 || Long.compareUnsigned(vaddr - pageOffsetBase, 1L << 52) >= 0) {
            return OptionalLong.empty();
        }
        long pfn = (vaddr - pageOffsetBase) >>> PAGE_SHIFT;
        return validPfn(pfn) ? OptionalLong.of(pfn) : OptionalLong.empty();
    }

    public boolean isDirectMap(long vaddr) {
        return pfnOfDirectMap(vaddr).isPresent();
    }

    /** A pfn whose memory section has a mem_map ({@code valid_section()}). */
    public boolean validPfn(long pfn) {
        if (pfn < 0) {
            return false;
        }
        return sections().containsKey(pfn >>> (sectionSizeBits - PAGE_SHIFT));
    }

    /** Present memory sections: section number to its {@code struct mem_section} address. */
    public synchronized Map<Long, Long> sections() {
        if (sections == null) {
            sections = readSections();
        }
        return sections;
    }

    private Map<Long, Long> readSections() {
        Map<Long, Long> out = new TreeMap<>();
        Optional<Long> sym = k.symbol("mem_section");
        if (sym.isEmpty()) {
            return out;
        }
        long sectionSize = k.type("struct mem_section").size();
        long perRoot = PAGE_SIZE / sectionSize;
        long roots = k.vmcoreinfo().containsKey("LENGTH(mem_section)")
                ? Long.parseLong(k.vmcoreinfo().get("LENGTH(mem_section)").trim()) : 1L << 11;
        long base = k.memory().u64(sym.get()); // SPARSEMEM_EXTREME: struct mem_section **
        for (long r = 0; r < roots; r++) {
            long root;
            try {
                root = k.memory().u64(base + 8 * r);
            } catch (FaultException e) {
                break;
            }
            if (root == 0) {
                continue;
            }
            for (long i = 0; i < perRoot; i++) {
                long ms = root + i * sectionSize;
                long map;
                try {
                    map = k.memory().u64(ms);
                } catch (FaultException e) {
                    break;
                }
                if ((map & SECTION_HAS_MEM_MAP) != 0 && (map & SECTION_MAP_MASK) != 0) {
                    out.put(r * perRoot + i, ms);
                }
            }
        }
        return out;
    }

    /** Pfns per memory section. */
    public long pagesPerSection() {
        return 1L << (sectionSizeBits - PAGE_SHIFT);
    }

    /** {@code page->flags}. */
    public long flags(long page) {
        return k.memory().u64(page);
    }

    /** The head page of the compound page a page belongs to ({@code compound_head()}), or the page itself. */
    public long compoundHead(long page) {
        long head = k.memory().u64(page + 8);
        return (head & 1) != 0 ? head - 1 : page;
    }

    public boolean isSlab(long page) {
        return (flags(compoundHead(page)) & (1L << pgSlab)) != 0;
    }

    public boolean isReserved(long page) {
        return (flags(page) & (1L << pgReserved)) != 0;
    }

    public boolean isHead(long page) {
        return (flags(page) & (1L << pgHead)) != 0;
    }

    /** A free page in the buddy allocator: {@code page_type} holds PAGE_BUDDY_MAPCOUNT_VALUE's bit cleared. */
    public boolean isBuddy(long page) {
        long type = k.memory().u32(page + mapcountOffset);
        long buddy = ~(long) pgBuddyMapcount & 0xffffffffL; // PG_buddy (0x80): cleared in page_type when free
        return (type & (0xf0000000L | buddy)) == 0xf0000000L;
    }

    /** Page frames of the present sections, in order, as [first, end) ranges (the memory map's extent). */
    public List<long[]> pfnRanges() {
        List<long[]> out = new ArrayList<>();
        long per = pagesPerSection();
        for (long nr : sections().keySet()) {
            long first = nr * per;
            if (!out.isEmpty() && out.get(out.size() - 1)[1] == first) {
                out.get(out.size() - 1)[1] = first + per;
            } else {
                out.add(new long[] {first, first + per});
            }
        }
        return out;
    }

    /** One bit of {@code page->flags} and the kernel's name for it ({@code pageflag_names[]}). */
    public record PageFlag(long mask, String name) {
    }

    private List<PageFlag> flagNames;

    /** The kernel's own page flag names ({@code pageflag_names}, as {@code %pGp} prints them). */
    public synchronized List<PageFlag> pageFlagNames() {
        if (flagNames == null) {
            List<PageFlag> out = new ArrayList<>();
            Optional<Long> sym = k.symbol("pageflag_names");
            Optional<org.coroner.types.CType> type = k.types().lookup("struct trace_print_flags");
            if (sym.isPresent() && type.isPresent()) {
                long size = type.get().size();
                long n = k.vmlinux().symbols().byName("pageflag_names").map(x -> x.size() / size).orElse(0L);
                for (long i = 0; i < n; i++) {
                    try {
                        var f = k.object("struct trace_print_flags", sym.get() + i * size);
                        long mask = f.member("mask").u64();
                        long name = f.member("name").u64();
                        if (name == 0) {
                            break;
                        }
                        out.add(new PageFlag(mask, k.object("char", name).string(32)));
                    } catch (FaultException e) {
                        break;
                    }
                }
            }
            flagNames = List.copyOf(out);
        }
        return flagNames;
    }

    /** What {@code kmem -p} shows of a page: flags, mapping, index, reference count. */
    public record PageInfo(long page, long pfn, long flags, long mapping, long index, int refcount) {
        public long physical() {
            return pfn << PAGE_SHIFT;
        }
    }

    public PageInfo pageInfo(long pfn) {
        long page = page(pfn);
        var p = k.object("struct page", page);
        return new PageInfo(page, pfn, p.member("flags").u64(), p.member("mapping").u64(), p.member("index").u64(),
                (int) p.member("_refcount.counter").value());
    }
}
