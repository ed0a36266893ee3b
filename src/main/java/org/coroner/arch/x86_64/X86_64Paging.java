package org.coroner.arch.x86_64;

import java.util.ArrayList;
import java.util.List;

import org.coroner.dump.FaultException;
import org.coroner.dump.PhysicalMemory;

/**
 * The x86_64 page-table walk over a dump's physical memory: 4 levels (PGD, PUD, PMD, PTE; bits
 * 47..12) or 5 levels (PGD, P4D, PUD, PMD, PTE; bits 56..12), 2 MiB pages at the PMD and 1 GiB
 * pages at the PUD (PS bit), the physical address in bits 51..12 minus the SME encryption bit.
 * Stateless apart from its configuration; thread-safe.
 */
public final class X86_64Paging {
    public static final long PRESENT = 1L;
    public static final long RW = 1L << 1;
    public static final long USER = 1L << 2;
    public static final long PSE = 1L << 7;
    /** _PAGE_PROTNONE: the global bit reused on a non-present user leaf that is still mapped (PROT_NONE). */
    public static final long PROTNONE = 1L << 8;
    public static final long NX = 1L << 63;
    private static final long PHYS_MASK = 0x000f_ffff_ffff_f000L;

    private static final String[] NAMES_4 = {"PGD", "PUD", "PMD", "PTE"};
    private static final int[] SHIFTS_4 = {39, 30, 21, 12};
    private static final String[] NAMES_5 = {"PGD", "P4D", "PUD", "PMD", "PTE"};
    private static final int[] SHIFTS_5 = {48, 39, 30, 21, 12};

    private final PhysicalMemory memory;
    private final boolean fiveLevel;
    private final long addressMask;

    /**
     * @param fiveLevel the kernel ran with LA57 ({@code NUMBER(pgtable_l5_enabled)=1})
     * @param smeMask   the memory-encryption bit set in entries ({@code NUMBER(sme_mask)}), 0 without SME
     */
    public X86_64Paging(PhysicalMemory memory, boolean fiveLevel, long smeMask) {
        this.memory = memory;
        this.fiveLevel = fiveLevel;
        this.addressMask = PHYS_MASK & ~smeMask;
    }

    public boolean fiveLevel() {
        return fiveLevel;
    }

    /** Virtual address bits: 48 with 4-level, 57 with 5-level paging. */
    public int virtualBits() {
        return fiveLevel ? 57 : 48;
    }

    /** The physical address of the top-level table that a CR3 value points to (PCID and flag bits dropped). */
    public long tableOfCr3(long cr3) {
        return cr3 & addressMask;
    }

    public boolean canonical(long vaddr) {
        int shift = 64 - virtualBits();
        return (vaddr << shift) >> shift == vaddr;
    }

    /**
     * Walks the tables from the top-level table at physical {@code topTable}. A missing entry or
     * a table the dump does not hold is a {@link PageTableFault} naming the level and entry.
     */
    public PageTableWalk walk(long topTable, long vaddr) {
        if (!canonical(vaddr)) {
            throw PageTableFault.nonCanonical(vaddr, virtualBits());
        }
        String[] names = fiveLevel ? NAMES_5 : NAMES_4;
        int[] shifts = fiveLevel ? SHIFTS_5 : SHIFTS_4;
        List<PageTableWalk.Level> levels = new ArrayList<>(names.length);
        long table = topTable & addressMask;
        for (int i = 0; i < names.length; i++) {
            int index = (int) ((vaddr >>> shifts[i]) & 511);
            long ea = table + 8L * index;
            long e;
            try {
                e = memory.readLong(ea);
            } catch (FaultException f) {
                throw new PageTableFault(vaddr, names[i], ea, 0, "virtual address 0x" + Long.toHexString(vaddr)
                        + ": cannot read " + names[i] + " entry at physical 0x" + Long.toHexString(ea) + " (" + f.getMessage() + ")");
            }
            PageTableWalk.Level level = new PageTableWalk.Level(names[i], table, index, ea, e);
            levels.add(level);
            boolean leaf = i == names.length - 1 || ((names[i].equals("PMD") || names[i].equals("PUD")) && (e & PSE) != 0);
            boolean present = (e & PRESENT) != 0 || (leaf && (e & PROTNONE) != 0 && (e & USER) != 0);
            if (!present) {
                throw PageTableFault.notPresent(vaddr, names[i], ea, e);
            }
            if (leaf) {
                long size = 1L << shifts[i];
                long paddr = (e & addressMask & ~(size - 1)) | (vaddr & (size - 1));
                return new PageTableWalk(vaddr, paddr, size, List.copyOf(levels), PageTableWalk.Method.PAGE_TABLES);
            }
            table = e & addressMask;
        }
        throw new AssertionError("unreachable");
    }

    /**
     * The entries a walk reads, from the top-level table down to the leaf or to the first entry
     * that is not present (which is included): what {@code vtop} prints, also for addresses that
     * do not translate. Stops early, without the entry, where a table is not in the dump.
     */
    public List<PageTableWalk.Level> levels(long topTable, long vaddr) {
        String[] names = fiveLevel ? NAMES_5 : NAMES_4;
        int[] shifts = fiveLevel ? SHIFTS_5 : SHIFTS_4;
        List<PageTableWalk.Level> levels = new ArrayList<>(names.length);
        if (!canonical(vaddr)) {
            return levels;
        }
        long table = topTable & addressMask;
        for (int i = 0; i < names.length; i++) {
            int index = (int) ((vaddr >>> shifts[i]) & 511);
            long ea = table + 8L * index;
            long e;
            try {
                e = memory.readLong(ea);
            } catch (FaultException f) {
                break;
            }
            levels.add(new PageTableWalk.Level(names[i], table, index, ea, e));
            boolean leaf = i == names.length - 1 || ((names[i].equals("PMD") || names[i].equals("PUD")) && (e & PSE) != 0);
            boolean present = (e & PRESENT) != 0 || (leaf && (e & PROTNONE) != 0 && (e & USER) != 0);
            if (!present || leaf) {
                break;
            }
            table = e & addressMask;
        }
        return levels;
    }

    /** The physical address an entry points to (a table, or the page of a leaf), without flag and SME bits. */
    public long entryAddress(long entry) {
        return entry & addressMask;
    }

    /** Receives each present leaf mapping: its virtual start, physical start and size. */
    @FunctionalInterface
    public interface MappingVisitor {
        /** Returns false to stop the enumeration. */
        boolean visit(long vaddr, long paddr, long size);
    }

    /**
     * Visits every present leaf mapping (4 KiB, 2 MiB or 1 GiB) that overlaps [{@code start},
     * {@code end}) in address order, skipping whole tables that are not present or not in the
     * dump: how {@code search} finds the mapped pages of a sparse range without walking each page.
     */
    public void forEachMapping(long topTable, long start, long end, MappingVisitor v) {
        String[] names = fiveLevel ? NAMES_5 : NAMES_4;
        int[] shifts = fiveLevel ? SHIFTS_5 : SHIFTS_4;
        visitTable(topTable & addressMask, 0, 0, start, end, names, shifts, v);
    }

    private boolean visitTable(long table, int level, long base, long start, long end, String[] names, int[] shifts,
                               MappingVisitor v) {
        int shift = shifts[level];
        long span = 1L << shift;
        for (int i = 0; i < 512; i++) {
            long va = base | ((long) i << shift);
            if (level == 0) {
                // sign-extend the top level's addresses to canonical form
                int bits = virtualBits();
                va = (va << (64 - bits)) >> (64 - bits);
            }
            long vend = va + span;
            if (Long.compareUnsigned(vend - 1, start) < 0 || Long.compareUnsigned(va, end) >= 0 && end != 0) {
                continue;
            }
            long e;
            try {
                e = memory.readLong(table + 8L * i);
            } catch (FaultException f) {
                continue;
            }
            if ((e & PRESENT) == 0) {
                continue;
            }
            boolean leaf = level == names.length - 1 || ((names[level].equals("PMD") || names[level].equals("PUD")) && (e & PSE) != 0);
            if (leaf) {
                if (!v.visit(va, e & addressMask & ~(span - 1), span)) {
                    return false;
                }
            } else if (!visitTable(e & addressMask, level + 1, va, start, end, names, shifts, v)) {
                return false;
            }
        }
        return true;
    }
}
