package org.coroner.arch;

/**
 * A kernel's virtual address space over a dump's physical memory, as each architecture translates
 * it (x86_64: {@code X86_64AddressSpace}; arm64: {@code Arm64AddressSpace}). Reads that do not
 * translate or are not in the dump throw {@link org.coroner.dump.FaultException} naming the address.
 */
public interface KernelAddressSpace {
    /** Copies {@code len} bytes at kernel virtual {@code vaddr} into {@code dst[off..]}. */
    void read(long vaddr, byte[] dst, int off, int len);

    /** The physical address {@code vaddr} maps to. */
    long toPhysical(long vaddr);

    /** In the kernel image's mapping ({@code _text} to {@code _end}, translated arithmetically). */
    boolean isKernelImage(long vaddr);

    /** One mapped piece of the address space; return false to stop. */
    interface Mapping {
        boolean visit(long vaddr, long paddr, long size);
    }

    /**
     * Each mapped piece of {@code [start, end)} in address order, from the kernel's page tables
     * (physically contiguous pages may come as one piece or several).
     */
    void forEachMapping(long start, long end, Mapping v);
}
