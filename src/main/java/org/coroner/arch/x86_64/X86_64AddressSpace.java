package org.coroner.arch.x86_64;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;

import org.coroner.arch.KernelAddressSpace;
import org.coroner.dump.PhysicalMemory;
import org.coroner.dump.VmcoreInfo;
import org.coroner.io.BadInputException;

/**
 * An x86_64 virtual address space over a dump's physical memory. Kernel-image addresses translate
 * arithmetically ({@code vaddr - __START_KERNEL_map + phys_base}), direct-map addresses as
 * {@code vaddr - page_offset_base} once that base is known, and everything else (vmalloc,
 * vmemmap, modules, fixmap, user space) by walking the page tables from the top-level table this
 * space was made for ({@code init_top_pgt}, a CR3, or a task's {@code mm->pgd}). Immutable.
 */
public final class X86_64AddressSpace implements KernelAddressSpace {
    /** __START_KERNEL_map: where the kernel image's mapping starts. */
    public static final long START_KERNEL_MAP = 0xffff_ffff_8000_0000L;
    private static final long DEFAULT_KERNEL_IMAGE_SIZE = 1L << 30;

    private final PhysicalMemory memory;
    private final X86_64Paging paging;
    private final long topTable;
    private final long physBase;
    private final long kernelImageSize;
    private final OptionalLong pageOffsetBase;
    private final long directMapLimit;

    private X86_64AddressSpace(PhysicalMemory memory, X86_64Paging paging, long topTable, long physBase,
                               long kernelImageSize, OptionalLong pageOffsetBase, long directMapLimit) {
        this.memory = memory;
        this.paging = paging;
        this.topTable = topTable;
        this.physBase = physBase;
        this.kernelImageSize = kernelImageSize;
        this.pageOffsetBase = pageOffsetBase;
        this.directMapLimit = directMapLimit;
    }

    /**
     * The kernel's address space, walking from {@code init_top_pgt}, configured from VMCOREINFO:
     * {@code SYMBOL(init_top_pgt)}, {@code NUMBER(phys_base)}, {@code NUMBER(pgtable_l5_enabled)},
     * {@code NUMBER(sme_mask)}, {@code NUMBER(KERNEL_IMAGE_SIZE)}.
     *
     * @param physicalLimit one past the highest physical address of RAM (the dump's max pfn times its
     *                      page size): the direct-map shortcut is used below page_offset_base + this
     */
    public static X86_64AddressSpace kernel(PhysicalMemory memory, VmcoreInfo info, long physicalLimit) {
        long initTopPgt = require(info.symbol("init_top_pgt"), "SYMBOL(init_top_pgt)");
        long physBase = require(info.number("phys_base"), "NUMBER(phys_base)");
        boolean l5 = info.number("pgtable_l5_enabled").orElse(0) != 0;
        long sme = info.number("sme_mask").orElse(0);
        long imageSize = info.number("KERNEL_IMAGE_SIZE").orElse(DEFAULT_KERNEL_IMAGE_SIZE);
        return kernel(memory, initTopPgt, physBase, l5, sme, imageSize, physicalLimit);
    }

    /** The kernel's address space from explicit values (for dumps without VMCOREINFO). */
    public static X86_64AddressSpace kernel(PhysicalMemory memory, long initTopPgtVaddr, long physBase, boolean fiveLevel,
                                            long smeMask, long kernelImageSize, long physicalLimit) {
        X86_64Paging paging = new X86_64Paging(memory, fiveLevel, smeMask);
        long top = initTopPgtVaddr - START_KERNEL_MAP + physBase;
        return new X86_64AddressSpace(memory, paging, top, physBase, kernelImageSize, OptionalLong.empty(), physicalLimit);
    }

    private static long require(OptionalLong v, String key) {
        if (v.isEmpty()) {
            throw new BadInputException("VMCOREINFO has no " + key + ": cannot translate x86_64 kernel addresses");
        }
        return v.getAsLong();
    }

    /** The same space with the direct-map base known (the value of the kernel's {@code page_offset_base}). */
    public X86_64AddressSpace withPageOffsetBase(long base) {
        return new X86_64AddressSpace(memory, paging, topTable, physBase, kernelImageSize, OptionalLong.of(base), directMapLimit);
    }

    /**
     * Reads the kernel variable {@code page_offset_base} at its (KASLR-relocated) address in the
     * kernel image and returns the space with that direct-map base.
     */
    public X86_64AddressSpace withPageOffsetBaseFrom(long pageOffsetBaseVariable) {
        return withPageOffsetBase(readLong(pageOffsetBaseVariable));
    }

    /** The same kernel half, walking from another top-level table (a CR3 value or a task's pgd, physical). */
    public X86_64AddressSpace withTopTable(long topTablePhysical) {
        return new X86_64AddressSpace(memory, paging, paging.tableOfCr3(topTablePhysical), physBase, kernelImageSize,
                pageOffsetBase, directMapLimit);
    }

    public PhysicalMemory memory() {
        return memory;
    }

    @Override
    public void forEachMapping(long start, long end, Mapping v) {
        paging.forEachMapping(topTable(), start, end, v::visit);
    }

    public X86_64Paging paging() {
        return paging;
    }

    /** Physical address of the top-level table walks start from. */
    public long topTable() {
        return topTable;
    }

    public long physBase() {
        return physBase;
    }

    public OptionalLong pageOffsetBase() {
        return pageOffsetBase;
    }

    public boolean isKernelImage(long vaddr) {
        return Long.compareUnsigned(vaddr - START_KERNEL_MAP, kernelImageSize) < 0 && vaddr < 0 && vaddr >= START_KERNEL_MAP;
    }

    public boolean isDirectMap(long vaddr) {
        return pageOffsetBase.isPresent() && Long.compareUnsigned(vaddr - pageOffsetBase.getAsLong(), directMapLimit) < 0
                && Long.compareUnsigned(vaddr, pageOffsetBase.getAsLong()) >= 0;
    }

    /**
     * Translates {@code vaddr}: arithmetic for the kernel image and the direct map, else a walk
     * (whose levels the result lists). A {@link PageTableFault} names what stopped the walk.
     */
    public PageTableWalk translate(long vaddr) {
        if (isKernelImage(vaddr)) {
            return new PageTableWalk(vaddr, vaddr - START_KERNEL_MAP + physBase, 4096, List.of(), PageTableWalk.Method.KERNEL_TEXT);
        }
        if (isDirectMap(vaddr)) {
            return new PageTableWalk(vaddr, vaddr - pageOffsetBase.getAsLong(), 4096, List.of(), PageTableWalk.Method.DIRECT_MAP);
        }
        return paging.walk(topTable, vaddr);
    }

    /** Always walks the page tables, even where arithmetic would do (what {@code vtop} shows). */
    public PageTableWalk walk(long vaddr) {
        return paging.walk(topTable, vaddr);
    }

    @Override
    public long toPhysical(long vaddr) {
        return translate(vaddr).physicalAddress();
    }

    /** Copies {@code len} bytes at virtual {@code vaddr}, translating page by page. */
    @Override
    public void read(long vaddr, byte[] dst, int off, int len) {
        while (len > 0) {
            PageTableWalk t = translate(vaddr);
            long within = vaddr & (t.pageSize() - 1);
            int n = (int) Math.min(len, t.pageSize() - within);
            memory.read(t.physicalAddress(), dst, off, n);
            vaddr += n;
            off += n;
            len -= n;
        }
    }

    public byte[] read(long vaddr, int len) {
        byte[] b = new byte[len];
        read(vaddr, b, 0, len);
        return b;
    }

    public long readLong(long vaddr) {
        byte[] b = read(vaddr, 8);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    public long readInt(long vaddr) {
        byte[] b = read(vaddr, 4);
        return (b[0] & 0xffL) | (b[1] & 0xffL) << 8 | (b[2] & 0xffL) << 16 | (b[3] & 0xffL) << 24;
    }

    /** The NUL-terminated string at {@code vaddr}, at most {@code maxLen} bytes, as UTF-8. */
    public String readCString(long vaddr, int maxLen) {
        byte[] buf = new byte[maxLen];
        int n = 0;
        while (n < maxLen) {
            int chunk = (int) Math.min(maxLen - n, 4096 - ((vaddr + n) & 4095));
            read(vaddr + n, buf, n, chunk);
            for (int i = n; i < n + chunk; i++) {
                if (buf[i] == 0) {
                    return new String(buf, 0, i, StandardCharsets.UTF_8);
                }
            }
            n += chunk;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }
}
