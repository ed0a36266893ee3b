package org.coroner.arch.arm64;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import org.coroner.arch.KernelAddressSpace;
import org.coroner.dump.FaultException;
import org.coroner.dump.PhysicalMemory;
import org.coroner.dump.VmcoreInfo;
import org.coroner.io.BadInputException;

/**
 * The arm64 kernel's (TTBR1) address space over a dump's physical memory, 4 KiB granule, as
 * {@code arch/arm64/include/asm/memory.h} lays it out: the linear map (the lower half of the
 * kernel range, {@code phys = (va & ~PAGE_OFFSET) + PHYS_OFFSET}, where a randomized linear map
 * makes {@code PHYS_OFFSET} wrap around), the kernel image ({@code phys = va - kimage_voffset}),
 * and everything else (modules, vmalloc and vmap'ed stacks, vmemmap, fixmap) by walking
 * {@code swapper_pg_dir}: table, block (1 GiB at level 1, 2 MiB at level 2) and page descriptors.
 * Configured from VMCOREINFO ({@code NUMBER(TCR_EL1_T1SZ)} or {@code NUMBER(VA_BITS)},
 * {@code NUMBER(kimage_voffset)}, {@code NUMBER(PHYS_OFFSET)}, {@code SYMBOL(swapper_pg_dir)},
 * {@code KERNELOFFSET}). Immutable.
 */
public final class Arm64AddressSpace implements KernelAddressSpace {
    /** KIMAGE_VADDR for VA_BITS 48 (and MODULES_END): where the unrandomized image is linked. */
    public static final long KIMAGE_VADDR_48 = 0xffff_8000_0800_0000L;
    private static final long PAGE = 4096;
    /** Output address of a descriptor, 48-bit physical addresses (bits 47:12). */
    private static final long OA_MASK = 0x0000_ffff_ffff_f000L;
    private static final String[] LEVEL_NAMES = {"PGD", "PUD", "PMD", "PTE"};

    private final PhysicalMemory memory;
    private final int vaBits;
    private final long pageOffset;
    private final long physOffset;
    private final long kimageVoffset;
    private final long kimageStart;
    private final long kimageSize;
    private final long pgdPhys;
    /** A task's user space (TTBR0's tables): only the walk translates, and addresses are below 2^vaBits. */
    private final boolean user;

    private Arm64AddressSpace(PhysicalMemory memory, int vaBits, long physOffset, long kimageVoffset, long kimageStart,
                              long kimageSize, long pgdPhys, boolean user) {
        this.user = user;
        this.memory = memory;
        this.vaBits = vaBits;
        this.pageOffset = -(1L << vaBits);
        this.physOffset = physOffset;
        this.kimageVoffset = kimageVoffset;
        this.kimageStart = kimageStart;
        this.kimageSize = kimageSize;
        this.pgdPhys = pgdPhys;
    }

    /**
     * The kernel's space from VMCOREINFO.
     *
     * @param kimageLinkStart link address of {@code _text} (before KASLR)
     * @param kimageSize      {@code _end - _text}: the image range translated arithmetically
     */
    public static Arm64AddressSpace kernel(PhysicalMemory memory, VmcoreInfo info, long kimageLinkStart, long kimageSize) {
        OptionalLong t1sz = info.hex("NUMBER(TCR_EL1_T1SZ)");
        int vaBits = t1sz.isPresent() ? 64 - (int) t1sz.getAsLong() : (int) require(info.number("VA_BITS"), "NUMBER(VA_BITS)");
        if (vaBits < 36 || vaBits > 48) {
            throw new BadInputException("VMCOREINFO gives " + vaBits + "-bit virtual addresses: only 4 KiB pages with"
                    + " 36 to 48 VA bits are supported on arm64");
        }
        long kimageVoffset = require(info.hex("NUMBER(kimage_voffset)"), "NUMBER(kimage_voffset)");
        long physOffset = require(info.hex("NUMBER(PHYS_OFFSET)"), "NUMBER(PHYS_OFFSET)");
        long pgd = require(info.symbol("swapper_pg_dir"), "SYMBOL(swapper_pg_dir)");
        long offset = info.kernelOffset().orElse(0);
        return new Arm64AddressSpace(memory, vaBits, physOffset, kimageVoffset, kimageLinkStart + offset, kimageSize,
                pgd - kimageVoffset, false);
    }

    /** A task's user address space: its {@code mm->pgd} table (physical) walked as TTBR0 would be. */
    public Arm64AddressSpace user(long pgdPhysical) {
        return new Arm64AddressSpace(memory, vaBits, physOffset, kimageVoffset, kimageStart, kimageSize, pgdPhysical, true);
    }

    /** This is a task's user space (TTBR0), not the kernel's. */
    public boolean isUser() {
        return user;
    }

    private static long require(OptionalLong v, String key) {
        if (v.isEmpty()) {
            throw new BadInputException("VMCOREINFO has no " + key + ": cannot translate arm64 kernel addresses");
        }
        return v.getAsLong();
    }

    public int vaBits() {
        return vaBits;
    }

    /** {@code PAGE_OFFSET}: the start of the linear map. */
    public long pageOffset() {
        return pageOffset;
    }

    public long physOffset() {
        return physOffset;
    }

    public long kimageVoffset() {
        return kimageVoffset;
    }

    /** Physical address of {@code swapper_pg_dir}. */
    public long pgd() {
        return pgdPhys;
    }

    /** In the linear map: the lower half of the kernel's range. */
    public boolean isLinear(long vaddr) {
        return !user && Long.compareUnsigned(vaddr, pageOffset) >= 0
                && Long.compareUnsigned(vaddr, pageOffset + (1L << (vaBits - 1))) < 0;
    }

    public boolean isKernelImage(long vaddr) {
        return !user && Long.compareUnsigned(vaddr - kimageStart, kimageSize) < 0;
    }

    /** One descriptor read on a walk: level name, the descriptor's physical address and value. */
    public record Level(String name, long entryAddress, long entry) {
    }

    /**
     * How an address translated.
     *
     * @param pageSize 4 KiB, 2 MiB or 1 GiB for walked addresses; 4 KiB for the arithmetic ones
     * @param levels   the descriptors read (empty for linear-map and image addresses)
     */
    public record Translation(long virtualAddress, long physicalAddress, long pageSize, List<Level> levels) {
    }

    /** The tables walked from the top, invalid entries skipped a whole entry's range at a time. */
    @Override
    public void forEachMapping(long start, long end, Mapping v) {
        int top = 4 - levelCount();
        long base = user ? 0 : -(1L << vaBits);
        visitTable(pgdPhys, top, base, start, end, v);
    }

    private boolean visitTable(long table, int level, long base, long start, long end, Mapping v) {
        int shift = 12 + 9 * (3 - level);
        int entries = level == 4 - levelCount() ? 1 << (vaBits - shift) : 512;
        long span = 1L << shift;
        for (int i = 0; i < entries; i++) {
            long va = base + i * span;
            long last = va + span - 1;
            if (Long.compareUnsigned(last, start) < 0) {
                continue;
            }
            if (end != 0 && Long.compareUnsigned(va, end) >= 0) {
                return false;
            }
            long entry;
            try {
                entry = memory.readLong(table + 8L * i);
            } catch (org.coroner.dump.FaultException e) {
                continue; // a table page the dump lacks
            }
            if ((entry & 1) == 0) {
                continue;
            }
            boolean tableEntry = (entry & 2) != 0 && level < 3;
            if (tableEntry) {
                if (!visitTable(entry & OA_MASK, level + 1, va, start, end, v)) {
                    return false;
                }
                continue;
            }
            if (level == 3 && (entry & 2) == 0 || level == 0) {
                continue; // reserved descriptors
            }
            long lo = Long.compareUnsigned(va, start) < 0 ? start : va;
            long hi = end != 0 && Long.compareUnsigned(last, end) >= 0 ? end : va + span;
            if (!v.visit(lo, (entry & OA_MASK & -span) + (lo - va), hi - lo)) {
                return false;
            }
        }
        return true;
    }

    public Translation translate(long vaddr) {
        if (isLinear(vaddr)) {
            return new Translation(vaddr, (vaddr & ~pageOffset) + physOffset, PAGE, List.of());
        }
        if (isKernelImage(vaddr)) {
            return new Translation(vaddr, vaddr - kimageVoffset, PAGE, List.of());
        }
        return walk(vaddr);
    }

    /** Walks {@code swapper_pg_dir} for {@code vaddr}, even where arithmetic would do. */
    public Translation walk(long vaddr) {
        List<Level> seen = levels(vaddr);
        Level last = seen.get(seen.size() - 1);
        int l = 4 - levelCount() + seen.size() - 1; // the last level read: 3 is a page descriptor
        long entry = last.entry();
        if ((entry & 1) == 0) {
            throw new FaultException(vaddr, "virtual address 0x" + Long.toHexString(vaddr) + " not mapped: " + last.name()
                    + " entry 0x" + Long.toHexString(entry) + " at physical 0x" + Long.toHexString(last.entryAddress())
                    + " is not valid");
        }
        boolean table = (entry & 2) != 0;
        if (l == 3 && !table || l == 0 && !table) {
            throw new FaultException(vaddr, "virtual address 0x" + Long.toHexString(vaddr) + ": " + last.name()
                    + " entry 0x" + Long.toHexString(entry) + " at physical 0x" + Long.toHexString(last.entryAddress())
                    + " is a reserved descriptor");
        }
        long size = 1L << (12 + 9 * (3 - l));
        long base = entry & OA_MASK & -size;
        return new Translation(vaddr, base | (vaddr & (size - 1)), size, seen);
    }

    private int levelCount() {
        return (vaBits - 12 + 8) / 9;
    }

    /**
     * The descriptors a walk of {@code swapper_pg_dir} reads for {@code vaddr}, down to the leaf (a
     * page or block descriptor) or to the first invalid one, which ends the list.
     */
    public List<Level> levels(long vaddr) {
        if ((vaddr >> vaBits) != (user ? 0 : -1L)) {
            throw new FaultException(vaddr, "virtual address 0x" + Long.toHexString(vaddr)
                    + " is not a " + (user ? "user" : "kernel") + " address for " + vaBits + "-bit virtual addresses");
        }
        int levels = levelCount();
        long table = pgdPhys;
        List<Level> seen = new ArrayList<>(4);
        for (int l = 4 - levels; l < 4; l++) {
            int shift = 12 + 9 * (3 - l);
            long index = (vaddr >>> shift) & (l == 4 - levels ? (1L << (vaBits - shift)) - 1 : 511);
            long entryAddress = table + 8 * index;
            long entry = memory.readLong(entryAddress);
            seen.add(new Level(LEVEL_NAMES[l], entryAddress, entry));
            if ((entry & 1) == 0 || l == 3 || (entry & 2) == 0) {
                break;
            }
            table = entry & OA_MASK;
        }
        return List.copyOf(seen);
    }

    @Override
    public long toPhysical(long vaddr) {
        return translate(vaddr).physicalAddress();
    }

    @Override
    public void read(long vaddr, byte[] dst, int off, int len) {
        while (len > 0) {
            Translation t = translate(vaddr);
            long within = vaddr & (t.pageSize() - 1);
            int n = (int) Math.min(len, t.pageSize() - within);
            memory.read(t.physicalAddress(), dst, off, n);
            vaddr += n;
            off += n;
            len -= n;
        }
    }
}
