package org.coroner.arch.x86_64;

import java.util.List;

/**
 * How one virtual address translated: each level's entry as read ({@code vtop} prints these),
 * the physical address and the size of the page that maps it.
 *
 * @param virtualAddress  the address translated
 * @param physicalAddress where it lives
 * @param pageSize        4 KiB, 2 MiB or 1 GiB
 * @param levels          the entries read from the top-level table down, the last one maps the page
 * @param method          how the address was translated
 */
public record PageTableWalk(long virtualAddress, long physicalAddress, long pageSize, List<Level> levels, Method method) {

    /** How an address was translated. */
    public enum Method {
        /** Kernel image: {@code vaddr - __START_KERNEL_map + phys_base}. */
        KERNEL_TEXT,
        /** Direct map: {@code vaddr - page_offset_base}. */
        DIRECT_MAP,
        /** Walked the page tables. */
        PAGE_TABLES
    }

    /**
     * One page-table entry on the walk.
     *
     * @param name         "PGD", "P4D", "PUD", "PMD" or "PTE"
     * @param tableAddress physical address of the table
     * @param index        the entry's index in the table
     * @param entryAddress physical address of the entry
     * @param entry        the entry's raw value
     */
    public record Level(String name, long tableAddress, int index, long entryAddress, long entry) {
        public boolean present() {
            return (entry & X86_64Paging.PRESENT) != 0;
        }

        /** Maps a 2 MiB or 1 GiB page (PS bit in a PMD or PUD). */
        public boolean largePage() {
            return !name.equals("PTE") && (entry & X86_64Paging.PSE) != 0;
        }

        public boolean noExecute() {
            return (entry & X86_64Paging.NX) != 0;
        }

        public boolean writable() {
            return (entry & X86_64Paging.RW) != 0;
        }

        public boolean user() {
            return (entry & X86_64Paging.USER) != 0;
        }
    }
}
