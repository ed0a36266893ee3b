package org.coroner.arch.x86_64;

import org.coroner.dump.FaultException;

/**
 * A kernel or user virtual address that does not translate: an entry on the page-table walk was
 * not present, or the address is not canonical. Names the address, the level and the entry.
 */
public final class PageTableFault extends FaultException {
    private final String level;
    private final long entryAddress;
    private final long entry;

    PageTableFault(long vaddr, String level, long entryAddress, long entry, String message) {
        super(vaddr, message);
        this.level = level;
        this.entryAddress = entryAddress;
        this.entry = entry;
    }

    static PageTableFault notPresent(long vaddr, String level, long entryAddress, long entry) {
        return new PageTableFault(vaddr, level, entryAddress, entry, "virtual address 0x" + Long.toHexString(vaddr)
                + " not mapped: " + level + " entry 0x" + Long.toHexString(entry) + " at physical 0x"
                + Long.toHexString(entryAddress) + " is not present");
    }

    static PageTableFault nonCanonical(long vaddr, int bits) {
        return new PageTableFault(vaddr, null, -1, 0, "virtual address 0x" + Long.toHexString(vaddr)
                + " is not canonical for " + bits + "-bit virtual addresses");
    }

    public long virtualAddress() {
        return address();
    }

    /** "PGD", "P4D", "PUD", "PMD" or "PTE"; null for a non-canonical address. */
    public String level() {
        return level;
    }

    /** Physical address of the entry that stopped the walk, or -1. */
    public long entryAddress() {
        return entryAddress;
    }

    public long entry() {
        return entry;
    }
}
