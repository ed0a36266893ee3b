package org.coroner.oops.decode;

/**
 * What is known of the crashed kernel's virtual address layout, from the report itself.
 *
 * @param x86PagingLevels 4 or 5 on x86_64 (CR4.LA57 tells), null when unknown (4 is assumed then)
 * @param arm64VaBits     39, 42, 47, 48 or 52 on arm64 (the {@code pgtable: 4k pages, 48-bit VAs}
 *                        line tells), null when unknown (48 is assumed then)
 * @param arm64PageShift  12, 14 or 16 on arm64, null when unknown
 * @param kernelOffset    the {@code Kernel Offset:} line, if printed
 * @param kernelTextEnd   the end of the x86_64 kernel-image space from {@code relocation range: ...-0x...},
 *                        if printed (1 GiB with KASLR, 512 MiB without)
 * @param release         the kernel release, for layouts that changed between versions
 */
public record AddressSpace(
        Arch arch,
        Integer x86PagingLevels,
        Integer arm64VaBits,
        Integer arm64PageShift,
        KernelOffset kernelOffset,
        Long kernelTextEnd,
        String release) {

    public static AddressSpace of(Arch arch) {
        return new AddressSpace(arch, null, null, null, null, null, null);
    }

    /** major * 1000 + minor of the release ("4.9.60-g4ca16e6" gives 4009), or null. */
    public Integer version() {
        if (release == null) {
            return null;
        }
        var m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release);
        return m.find() ? Integer.parseInt(m.group(1)) * 1000 + Integer.parseInt(m.group(2)) : null;
    }

    /** CONFIG_ILLEGAL_POINTER_VALUE: the poison pointers' base; 0 on 32-bit kernels. */
    public long poisonPointerDelta() {
        return arch == Arch.I386 ? 0 : 0xdead000000000000L;
    }
}
