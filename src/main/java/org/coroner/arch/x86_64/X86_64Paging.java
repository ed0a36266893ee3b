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
}
