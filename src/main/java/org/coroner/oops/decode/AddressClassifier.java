package org.coroner.oops.decode;

import org.coroner.oops.decode.AddressMeaning.Finding;
import org.coroner.oops.decode.AddressMeaning.Kind;
import org.coroner.oops.decode.AddressMeaning.Region;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Says what a faulting address is: NULL plus a member offset, an error pointer, one of the kernel's
 * poison values (include/linux/poison.h) plus an offset, a non-canonical or user address, and which
 * region of the kernel's virtual address space it is in (Documentation/arch/x86/x86_64/mm.rst,
 * Documentation/arch/arm64/memory.rst and arch/arm64/include/asm/memory.h).
 */
public final class AddressClassifier {
    private AddressClassifier() {
    }

    /** Below the default mmap_min_addr (64 KiB) nothing is ever mapped: a small address is NULL plus an offset. */
    static final long NULL_WINDOW = 0x10000;
    /** How far from a poison value an address may be and still be read as "that value plus a member offset". */
    static final long POISON_WINDOW = 0x1000;
    static final int MAX_ERRNO = 4095;

    /** Poison pointers: POISON_POINTER_DELTA plus these, most frequently met first. */
    private record PoisonPointer(String name, long value, String meaning) {
    }

    private static final List<PoisonPointer> POISON_POINTERS = List.of(
            new PoisonPointer("LIST_POISON1", 0x100, "list_del() wrote it to entry->next: the list entry was already deleted"),
            new PoisonPointer("LIST_POISON2", 0x122, "list_del() wrote it to entry->prev: the list entry was already deleted"),
            new PoisonPointer("TIMER_ENTRY_STATIC", 0x300, "a statically initialised timer's list entry"),
            new PoisonPointer("PP_SIGNATURE", 0x40, "page_pool page signature"),
            new PoisonPointer("VFS_PTR_POISON", 0xF5, "a VFS pointer poisoned on purpose"),
            new PoisonPointer("STACK_DEPOT_POISON", 0xD390, "a freed stack depot record"),
            new PoisonPointer("BPF_PTR_POISON", 0xeB9F, "a BPF pointer poisoned on purpose"));

    /** Byte patterns the kernel fills memory with (include/linux/poison.h). */
    private record BytePoison(int pattern, String name, String meaning) {
    }

    private static final List<BytePoison> BYTE_POISONS = List.of(
            new BytePoison(0x6b, "POISON_FREE", "slab object poisoned on free: a pointer read from freed memory (use-after-free)"),
            new BytePoison(0x5a, "POISON_INUSE", "slab memory poisoned before use: a pointer read from uninitialised memory"),
            new BytePoison(0xa5, "POISON_END", "end-of-object marker of a poisoned slab object"),
            new BytePoison(0xcc, "POISON_FREE_INITMEM / SLUB_RED_ACTIVE", "freed __init memory, or an active SLUB object's red zone (an out-of-bounds read)"),
            new BytePoison(0xbb, "SLUB_RED_INACTIVE", "an inactive SLUB object's red zone"),
            new BytePoison(0xaa, "PAGE_POISON", "a freed page poisoned by page_poison"),
            new BytePoison(0x5b, "JBD_POISON_FREE", "freed jbd2 journal memory"),
            new BytePoison(0xa7, "POOL_POISON_FREED", "freed dma_pool memory"),
            new BytePoison(0xa9, "POOL_POISON_ALLOCATED", "dma_pool memory allocated but not initialised"));

    private static final Map<Integer, String> ERRNO = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(4, "EINTR"), Map.entry(5, "EIO"),
            Map.entry(6, "ENXIO"), Map.entry(9, "EBADF"), Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"),
            Map.entry(13, "EACCES"), Map.entry(14, "EFAULT"), Map.entry(16, "EBUSY"), Map.entry(17, "EEXIST"),
            Map.entry(19, "ENODEV"), Map.entry(22, "EINVAL"), Map.entry(24, "EMFILE"), Map.entry(28, "ENOSPC"),
            Map.entry(34, "ERANGE"), Map.entry(38, "ENOSYS"), Map.entry(61, "ENODATA"), Map.entry(75, "EOVERFLOW"),
            Map.entry(95, "EOPNOTSUPP"), Map.entry(110, "ETIMEDOUT"), Map.entry(512, "ERESTARTSYS"),
            Map.entry(517, "EPROBE_DEFER"), Map.entry(524, "ENOTSUPP"));

    public static AddressMeaning classify(long address, AddressSpace space) {
        return classify(address, space, Map.of());
    }

    /**
     * @param registers the report's kernel registers; a register holding exactly a poison value is
     *                  evidence of which poison an address near it came from
     */
    public static AddressMeaning classify(long address, AddressSpace space, Map<String, Long> registers) {
        Arch arch = space.arch() == null ? Arch.X86_64 : space.arch();
        boolean is32 = arch == Arch.I386;
        if (is32) {
            address &= 0xffffffffL;
        }
        List<Finding> findings = new ArrayList<>();
        if (Long.compareUnsigned(address, NULL_WINDOW) < 0) {
            findings.add(new Finding(Kind.NULL_POINTER, "NULL", 0L, address, List.of(),
                    address == 0 ? "a NULL pointer dereferenced"
                            : "NULL plus " + Hex.format(address) + ": most likely the member at offset " + Hex.format(address)
                            + " of a struct reached through a NULL pointer"));
            if (address == 0x10) {
                findings.add(new Finding(Kind.ZERO_SIZE_PTR, "ZERO_SIZE_PTR", 0x10L, 0L, List.of(),
                        "or ZERO_SIZE_PTR, what kmalloc(0) returns"));
            }
        }
        long top = is32 ? 0xffffffffL : -1L;
        long errLow = top - MAX_ERRNO + 1;
        if (Long.compareUnsigned(address, errLow) >= 0) {
            int errno = (int) (top - address + 1);
            String name = ERRNO.get(errno);
            findings.add(new Finding(Kind.ERR_PTR, "ERR_PTR(-" + errno + ")", address, 0L, List.of(),
                    "an error pointer used as a pointer: ERR_PTR(-" + errno + (name != null ? ", -" + name : "")
                            + "), or an error pointer plus a member offset"));
        }
        poisonPointers(address, space, registers, findings);
        bytePoisons(address, is32, findings);
        Region region = null;
        switch (arch) {
            case X86_64 -> region = x86_64(address, space, findings);
            case ARM64 -> region = arm64(address, space, findings);
            case I386 -> region = i386(address, findings);
        }
        return new AddressMeaning(address, summary(address, findings, region), List.copyOf(findings), region);
    }

    private static void poisonPointers(long address, AddressSpace space, Map<String, Long> registers, List<Finding> out) {
        long delta = space.poisonPointerDelta();
        List<Finding> found = new ArrayList<>();
        for (PoisonPointer p : POISON_POINTERS) {
            long v = delta + p.value;
            long off = address - v;
            if (delta == 0 && Long.compareUnsigned(address, NULL_WINDOW) < 0) {
                continue; // without a poison delta these values are just small numbers: NULL plus an offset
            }
            List<String> regs = registers.entrySet().stream().filter(e -> e.getValue() != null && e.getValue() == v)
                    .map(Map.Entry::getKey).sorted().toList();
            // list entries are reached through container_of(), so LIST_POISON appears with negative offsets
            // too; the rarer poisons count only as the base of a member access or when a register holds them
            boolean near = p.name.startsWith("LIST_POISON") ? Math.abs(off) < POISON_WINDOW
                    : (off >= 0 && off < 0x400) || (!regs.isEmpty() && Math.abs(off) < POISON_WINDOW);
            if (near) {
                found.add(new Finding(Kind.POISON_POINTER, p.name, v, off, regs,
                        p.name + (off == 0 ? "" : " " + Hex.signed(off)) + ": " + p.meaning));
            }
        }
        // evidence first: a poison value sitting in a register is the likeliest base of the access
        found.sort(Comparator.comparing((Finding f) -> f.registers().isEmpty()));
        out.addAll(found);
    }

    private static void bytePoisons(long address, boolean is32, List<Finding> out) {
        int bytes = is32 ? 4 : 8;
        for (BytePoison p : BYTE_POISONS) {
            long pattern = 0;
            for (int i = 0; i < bytes; i++) {
                pattern = (pattern << 8) | p.pattern;
            }
            long off = address - pattern;
            if (Math.abs(off) < POISON_WINDOW) {
                out.add(new Finding(Kind.SLAB_POISON, p.name, pattern, off, List.of(),
                        "0x" + Integer.toHexString(p.pattern) + " bytes" + (off == 0 ? "" : " " + Hex.signed(off))
                                + ": " + p.meaning));
            }
        }
        if (!is32) {
            for (long[] red : new long[][]{{0x09F911029D74E35BL, 0}, {0xD84156C5635688C0L, 1}}) {
                long off = address - red[0];
                if (Math.abs(off) < POISON_WINDOW) {
                    String name = red[1] == 0 ? "RED_INACTIVE" : "RED_ACTIVE";
                    out.add(new Finding(Kind.SLAB_POISON, name, red[0], off, List.of(), name + ": a SLAB red-zone word"));
                }
            }
        }
    }

    // ---------------------------------------------------------------- x86_64

    private record Area(long start, long end, String name, boolean randomized, boolean hole) {
    }

    private static final List<Area> X86_L4 = List.of(
            new Area(0xffff800000000000L, 0xffff87ffffffffffL, "guard hole (reserved for the hypervisor)", false, true),
            new Area(0xffff880000000000L, 0xffff887fffffffffL, "LDT remap for PTI (4.20+; the direct mapping began here before)", false, false),
            new Area(0xffff888000000000L, 0xffffc87fffffffffL, "direct mapping of all physical memory (page_offset_base)", true, false),
            new Area(0xffffc88000000000L, 0xffffc8ffffffffffL, "unused hole", false, true),
            new Area(0xffffc90000000000L, 0xffffe8ffffffffffL, "vmalloc/ioremap space (vmalloc_base)", true, false),
            new Area(0xffffe90000000000L, 0xffffe9ffffffffffL, "unused hole", false, true),
            new Area(0xffffea0000000000L, 0xffffeaffffffffffL, "virtual memory map (vmemmap_base)", true, false),
            new Area(0xffffeb0000000000L, 0xffffebffffffffffL, "unused hole", false, true),
            new Area(0xffffec0000000000L, 0xfffffbffffffffffL, "KASAN shadow memory", false, false));

    private static final List<Area> X86_L5 = List.of(
            new Area(0xff00000000000000L, 0xff0fffffffffffffL, "guard hole (reserved for the hypervisor)", false, true),
            new Area(0xff10000000000000L, 0xff10ffffffffffffL, "LDT remap for PTI", false, false),
            new Area(0xff11000000000000L, 0xff90ffffffffffffL, "direct mapping of all physical memory (page_offset_base)", true, false),
            new Area(0xff91000000000000L, 0xff9fffffffffffffL, "unused hole", false, true),
            new Area(0xffa0000000000000L, 0xffd1ffffffffffffL, "vmalloc/ioremap space (vmalloc_base)", true, false),
            new Area(0xffd2000000000000L, 0xffd3ffffffffffffL, "unused hole", false, true),
            new Area(0xffd4000000000000L, 0xffd5ffffffffffffL, "virtual memory map (vmemmap_base)", true, false),
            new Area(0xffd6000000000000L, 0xffdeffffffffffffL, "unused hole", false, true),
            new Area(0xffdf000000000000L, 0xfffffbffffffffffL, "KASAN shadow memory", false, false));

    /** The top 4 TiB, the same with 4- and 5-level paging. */
    private static final List<Area> X86_TOP = List.of(
            new Area(0xfffffc0000000000L, 0xfffffdffffffffffL, "unused hole (vaddr_end for KASLR)", false, true),
            new Area(0xfffffe0000000000L, 0xfffffe7fffffffffL, "cpu_entry_area mapping", false, false),
            new Area(0xfffffe8000000000L, 0xfffffeffffffffffL, "unused hole", false, true),
            new Area(0xffffff0000000000L, 0xffffff7fffffffffL, "%esp fixup stacks", false, false),
            new Area(0xffffff8000000000L, 0xffffffeeffffffffL, "unused hole", false, true),
            new Area(0xffffffef00000000L, 0xfffffffeffffffffL, "EFI region mapping space", false, false),
            new Area(0xffffffff00000000L, 0xffffffff7fffffffL, "unused hole", false, true),
            // kernel text and modules: see x86KernelImage()
            new Area(0xffffffffff000000L, 0xffffffffff5fffffL, "kernel-internal fixmap range", false, false),
            new Area(0xffffffffff600000L, 0xffffffffff600fffL, "legacy vsyscall ABI", false, false),
            new Area(0xffffffffffe00000L, 0xffffffffffffffffL, "unused hole", false, true));

    private static boolean in(long a, long lo, long hi) {
        return Long.compareUnsigned(a, lo) >= 0 && Long.compareUnsigned(a, hi) <= 0;
    }

    private static Region x86_64(long a, AddressSpace space, List<Finding> findings) {
        boolean l5 = space.x86PagingLevels() != null && space.x86PagingLevels() == 5;
        String assumed = space.x86PagingLevels() == null ? "4-level paging (CR4.LA57 not in the report)" : null;
        String layout = "x86_64 " + (l5 ? 5 : 4) + "-level paging";
        int vaBits = l5 ? 57 : 48;
        long userEnd = (1L << (vaBits - 1)) - 1;
        long kernelStart = -(1L << (vaBits - 1));
        if (Long.compareUnsigned(a, userEnd) <= 0) {
            if (Long.compareUnsigned(a, NULL_WINDOW) >= 0) {
                findings.add(new Finding(Kind.USER_ADDRESS, "user", null, null, List.of(),
                        "a user-space address: a kernel access to it means a __user pointer used directly or a corrupted pointer"));
            }
            return new Region("user-space virtual memory", 0L, userEnd, layout, false, assumed);
        }
        if (Long.compareUnsigned(a, kernelStart) < 0) {
            String other = "";
            if (!l5 && Long.compareUnsigned(a, 0x00ffffffffffffffL) > 0 && Long.compareUnsigned(a, 0xff00000000000000L) >= 0) {
                other = "; it would be canonical with 5-level paging";
            }
            findings.add(new Finding(Kind.NON_CANONICAL, "non-canonical", null, null, List.of(),
                    "bits 63.." + (vaBits - 1) + " are not all equal: no page table can map it, the CPU raises #GP instead of #PF" + other));
            return new Region("non-canonical hole", userEnd + 1, kernelStart - 1, layout, false, assumed);
        }
        Integer version = space.version();
        if (!l5 && version != null && version < 4020 && in(a, 0xffff880000000000L, 0xffffc7ffffffffffL)) {
            // before 4.20 the direct map started at 0xffff880000000000; the LDT remap moved in below it later
            return new Region("direct mapping of all physical memory (layout before 4.20)", 0xffff880000000000L,
                    0xffffc7ffffffffffL, layout, true, (assumed == null ? "" : assumed + "; ")
                    + "CONFIG_RANDOMIZE_MEMORY moves this region's base at boot");
        }
        for (Area ar : l5 ? X86_L5 : X86_L4) {
            if (in(a, ar.start, ar.end)) {
                return area(ar, a, layout, assumed, findings);
            }
        }
        Region image = x86KernelImage(a, space, layout, assumed);
        if (image != null) {
            return image;
        }
        for (Area ar : X86_TOP) {
            if (in(a, ar.start, ar.end)) {
                return area(ar, a, layout, assumed, findings);
            }
        }
        return new Region("unlisted", null, null, layout, false, assumed);
    }

    private static Region area(Area ar, long a, String layout, String assumed, List<Finding> findings) {
        if (ar.hole) {
            findings.add(new Finding(Kind.UNMAPPED_HOLE, ar.name, null, null, List.of(), "nothing is mapped there"));
        }
        String why = ar.randomized ? (assumed == null ? "" : assumed + "; ")
                + "CONFIG_RANDOMIZE_MEMORY moves this region's base at boot" : assumed;
        return new Region(ar.name, ar.start, ar.end, layout, ar.randomized, why);
    }

    /**
     * Kernel text then modules above __START_KERNEL_map. Their boundary is KERNEL_IMAGE_SIZE: 1 GiB
     * with KASLR, 512 MiB without, so an address between the two is only placed when the report
     * shows which (a {@code relocation range}, or a non-zero Kernel Offset).
     */
    private static Region x86KernelImage(long a, AddressSpace space, String layout, String assumed) {
        long base = 0xffffffff80000000L;
        long modulesEnd = 0xfffffffffeffffffL;
        if (!in(a, base, modulesEnd)) {
            return null;
        }
        Long textEnd = space.kernelTextEnd();
        KernelOffset ko = space.kernelOffset();
        if (textEnd == null && ko != null && ko.offset() != null && ko.offset() != 0) {
            textEnd = 0xffffffffbfffffffL;
        }
        if (textEnd == null) {
            if (Long.compareUnsigned(a, 0xffffffffa0000000L) < 0) {
                return new Region("kernel text mapping", base, 0xffffffff9fffffffL, layout, false, assumed);
            }
            if (Long.compareUnsigned(a, 0xffffffffc0000000L) >= 0) {
                return new Region("module mapping space", 0xffffffffc0000000L, modulesEnd, layout, false, assumed);
            }
            return new Region("kernel text (with KASLR) or module mapping space (without)", 0xffffffffa0000000L,
                    0xffffffffbfffffffL, layout, false, "KASLR state not in the report");
        }
        if (Long.compareUnsigned(a, textEnd) <= 0) {
            return new Region("kernel text mapping", base, textEnd, layout, false, assumed);
        }
        return new Region("module mapping space", textEnd + 1, modulesEnd, layout, false, assumed);
    }

    // ---------------------------------------------------------------- arm64

    private static Region arm64(long a, AddressSpace space, List<Finding> findings) {
        List<String> assumptions = new ArrayList<>();
        int va = space.arm64VaBits() != null ? space.arm64VaBits() : 48;
        if (space.arm64VaBits() == null) {
            assumptions.add("48-bit VAs");
        }
        int pageShift = space.arm64PageShift() != null ? space.arm64PageShift() : switch (va) {
            case 42, 52 -> 16;
            case 36, 47 -> 14;
            default -> 12;
        };
        if (space.arm64PageShift() == null) {
            assumptions.add((1 << (pageShift - 10)) + "K pages");
        }
        int vaMin = va == 52 ? 48 : va;
        String layout = "arm64 " + va + "-bit VA, " + (1 << (pageShift - 10)) + "K pages";
        long pageOffset = -(1L << va);
        long pageEnd = -(1L << (vaMin - 1));
        long modulesVaddr = pageEnd;
        long kimageVaddr;
        KernelOffset ko = space.kernelOffset();
        if (ko != null && ko.base() != null && in(ko.base(), pageEnd, pageEnd + (4L << 30))) {
            kimageVaddr = ko.base();
        } else {
            kimageVaddr = modulesVaddr + (2L << 30);
            assumptions.add("2 GiB module region (mainline since 6.6; 128 MiB before)");
        }
        long vmemmapShift = pageShift - 6;
        long vmemmapStart = -(1L << (va - vmemmapShift));
        long vmemmapSize = (pageEnd - pageOffset) >>> vmemmapShift;
        long vmallocEnd = vmemmapStart - 0x10000000L - 1;
        String assumed = assumptions.isEmpty() ? null : String.join("; ", assumptions);

        long userEnd = (1L << va) - 1;
        if (Long.compareUnsigned(a, userEnd) <= 0) {
            if (Long.compareUnsigned(a, NULL_WINDOW) >= 0) {
                findings.add(new Finding(Kind.USER_ADDRESS, "user", null, null, List.of(),
                        "a user-space address: a kernel access to it means a __user pointer used directly or a corrupted pointer"));
            }
            return new Region("user", 0L, userEnd, layout, false, assumed);
        }
        if (Long.compareUnsigned(a, pageOffset) < 0) {
            findings.add(new Finding(Kind.NON_CANONICAL, "non-canonical", null, null, List.of(),
                    "between the user and kernel address ranges: neither TTBR0 nor TTBR1 can translate it"));
            return new Region("between user and kernel address ranges", userEnd + 1, pageOffset - 1, layout, false, assumed);
        }
        if (Long.compareUnsigned(a, pageEnd) < 0) {
            long kasanStart = pageEnd - (1L << (va - 3));
            String name = Long.compareUnsigned(a, kasanStart) >= 0
                    ? "kernel logical memory map (linear map), or the KASAN shadow region when KASAN is enabled"
                    : "kernel logical memory map (linear map)";
            return new Region(name, pageOffset, pageEnd - 1, layout, false, assumed);
        }
        if (Long.compareUnsigned(a, kimageVaddr) < 0) {
            return new Region("modules", modulesVaddr, kimageVaddr - 1, layout, false, assumed);
        }
        if (Long.compareUnsigned(a, vmallocEnd) <= 0) {
            if (ko != null && ko.start() != null) {
                long start = ko.start();
                long d = a - start;
                if (d >= 0 && d < (128L << 20)) {
                    findings.add(new Finding(Kind.KERNEL_IMAGE_NEARBY, "kernel image", start, d, List.of(),
                            "within 128 MiB above the KASLR-placed kernel image start " + Hex.format(start)
                                    + ": likely the kernel image (its size is not in the report)"));
                } else if (d < 0 && d > -(2L << 30)) {
                    findings.add(new Finding(Kind.KERNEL_IMAGE_NEARBY, "modules", start, d, List.of(),
                            "within 2 GiB below the KASLR-placed kernel image start " + Hex.format(start)
                                    + ": likely a module (arm64 KASLR keeps modules close to the kernel)"));
                }
            }
            return new Region("vmalloc (holds the kernel image at KIMAGE_VADDR + KASLR offset)", kimageVaddr, vmallocEnd, layout, false, assumed);
        }
        if (Long.compareUnsigned(a, vmemmapStart) < 0) {
            long off = vmemmapStart - a;
            String name;
            if (off > 0x2000000L) {
                name = "fixed mappings (top down)";
            } else if (off > 0x1800000L) {
                name = "guard region";
            } else if (off > 0x800000L) {
                name = "PCI I/O space";
            } else {
                name = "guard region";
            }
            if (name.equals("guard region")) {
                findings.add(new Finding(Kind.UNMAPPED_HOLE, name, null, null, List.of(), "nothing is mapped there"));
            }
            return new Region(name, vmallocEnd + 1, vmemmapStart - 1, layout, false, assumed);
        }
        if (Long.compareUnsigned(a - vmemmapStart, vmemmapSize) < 0) {
            return new Region("vmemmap", vmemmapStart, vmemmapStart + vmemmapSize - 1, layout, false, assumed);
        }
        findings.add(new Finding(Kind.UNMAPPED_HOLE, "guard region", null, null, List.of(), "nothing is mapped there"));
        return new Region("guard region", vmemmapStart + vmemmapSize, -1L, layout, false, assumed);
    }

    // ---------------------------------------------------------------- i386

    private static Region i386(long a, List<Finding> findings) {
        String assumed = "PAGE_OFFSET 0xc0000000 (CONFIG_VMSPLIT_3G, the default)";
        if (a < 0xc0000000L) {
            if (a >= NULL_WINDOW) {
                findings.add(new Finding(Kind.USER_ADDRESS, "user", null, null, List.of(),
                        "a user-space address: a kernel access to it means a __user pointer used directly or a corrupted pointer"));
            }
            return new Region("user", 0L, 0xbfffffffL, "i386", false, assumed);
        }
        return new Region("kernel: lowmem direct map, then vmalloc, pkmap and fixmap (boundaries depend on RAM size)",
                0xc0000000L, 0xffffffffL, "i386", false, assumed);
    }

    // ---------------------------------------------------------------- summary

    private static String summary(long address, List<Finding> findings, Region region) {
        List<String> parts = new ArrayList<>();
        Finding poison = null;
        for (Finding f : findings) {
            switch (f.kind()) {
                case NULL_POINTER -> parts.add(f.offset() == 0 ? "NULL pointer" : "NULL pointer + " + Hex.format(f.offset()));
                case ZERO_SIZE_PTR -> parts.add("or ZERO_SIZE_PTR");
                case ERR_PTR -> parts.add("error pointer " + f.name());
                case POISON_POINTER -> {
                    if (poison == null) {
                        poison = f;
                        String s = f.name() + (f.offset() == 0 ? "" : " " + Hex.signed(f.offset()));
                        if (!f.registers().isEmpty()) {
                            s += " (" + String.join(", ", f.registers()) + " = " + f.name() + ")";
                        }
                        parts.add(s);
                    }
                }
                case SLAB_POISON -> parts.add(f.name() + " poison" + (f.offset() == 0 ? "" : " " + Hex.signed(f.offset())));
                case NON_CANONICAL -> parts.add("non-canonical");
                case USER_ADDRESS -> parts.add("user-space address");
                default -> {
                }
            }
        }
        if (region != null && parts.isEmpty()) {
            parts.add(region.name() + (region.nominal() ? " (nominal range)" : ""));
        }
        if (parts.isEmpty()) {
            parts.add(Hex.format(address));
        }
        return String.join(", ", parts);
    }
}
