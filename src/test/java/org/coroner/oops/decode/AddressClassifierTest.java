package org.coroner.oops.decode;

import org.coroner.oops.decode.AddressMeaning.Kind;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Regions per Documentation/arch/x86/x86_64/mm.rst and Documentation/arch/arm64/memory.rst. */
class AddressClassifierTest {
    static final AddressSpace X86 = AddressSpace.of(Arch.X86_64);
    static final AddressSpace X86_L5 = new AddressSpace(Arch.X86_64, 5, null, null, null, null, null);
    static final AddressSpace ARM = new AddressSpace(Arch.ARM64, null, 48, 12, null, null, null);

    static String region(long a, AddressSpace s) {
        return AddressClassifier.classify(a, s).region().name();
    }

    @Test
    void x86FourLevel() {
        assertThat(region(0xffff888000000000L, X86)).startsWith("direct mapping");
        assertThat(region(0xffffc90000000000L, X86)).startsWith("vmalloc");
        assertThat(region(0xffffea0000000040L, X86)).startsWith("virtual memory map");
        assertThat(region(0xffffec0000000000L, X86)).isEqualTo("KASAN shadow memory");
        assertThat(region(0xfffffe0000001000L, X86)).isEqualTo("cpu_entry_area mapping");
        assertThat(region(0xffffff0000000000L, X86)).isEqualTo("%esp fixup stacks");
        assertThat(region(0xffffffef00000000L, X86)).isEqualTo("EFI region mapping space");
        assertThat(region(0xffffffff81000000L, X86)).isEqualTo("kernel text mapping");
        assertThat(region(0xffffffffc04b2000L, X86)).isEqualTo("module mapping space");
        assertThat(region(0xffffffffff5fe000L, X86)).isEqualTo("kernel-internal fixmap range");
        assertThat(region(0xffffffffff600000L, X86)).isEqualTo("legacy vsyscall ABI");
        assertThat(region(0xffffffffa8000000L, X86)).startsWith("kernel text (with KASLR) or module");
        AddressMeaning hole = AddressClassifier.classify(0xffff800000001000L, X86);
        assertThat(hole.has(Kind.UNMAPPED_HOLE)).isTrue();
        AddressMeaning user = AddressClassifier.classify(0x7ffe0000L, X86);
        assertThat(user.has(Kind.USER_ADDRESS)).isTrue();
        assertThat(user.summary()).isEqualTo("user-space address");
        assertThat(user.region().assumed()).contains("4-level");
    }

    @Test
    void x86FiveLevel() {
        assertThat(region(0xff11000000000000L, X86_L5)).startsWith("direct mapping");
        assertThat(region(0xffa0000000000000L, X86_L5)).startsWith("vmalloc");
        assertThat(region(0xffd4000000000000L, X86_L5)).startsWith("virtual memory map");
        assertThat(region(0xffdf000000000000L, X86_L5)).isEqualTo("KASAN shadow memory");
        assertThat(region(0x00ff000000000000L, X86_L5)).isEqualTo("user-space virtual memory");
        // canonical only with 5-level paging
        AddressMeaning m = AddressClassifier.classify(0xff11000000000000L, X86);
        assertThat(m.has(Kind.NON_CANONICAL)).isTrue();
        assertThat(m.findings().getFirst().detail()).contains("5-level");
    }

    @Test
    void poisonsAndPointers() {
        AddressMeaning lp1 = AddressClassifier.classify(0xdead000000000108L, X86);
        assertThat(lp1.findings().getFirst().name()).isEqualTo("LIST_POISON1");
        assertThat(lp1.findings().getFirst().offset()).isEqualTo(8L);
        AddressMeaning free = AddressClassifier.classify(0x6b6b6b6b6b6b6b83L, X86);
        assertThat(free.findings()).anyMatch(f -> f.name().equals("POISON_FREE") && f.offset() == 0x18);
        assertThat(free.summary()).startsWith("POISON_FREE poison +0x18");
        assertThat(AddressClassifier.classify(0x5a5a5a5a5a5a5a5aL, X86).findings().getFirst().name()).isEqualTo("POISON_INUSE");
        assertThat(AddressClassifier.classify(0xa5a5a5a5a5a5a5a5L, X86).findings().getFirst().name()).isEqualTo("POISON_END");
        assertThat(AddressClassifier.classify(0xccccccccccccccccL, X86).findings().getFirst().name()).contains("POISON_FREE_INITMEM");
        assertThat(AddressClassifier.classify(0x6b6b6b6bL, AddressSpace.of(Arch.I386)).findings().getFirst().name()).isEqualTo("POISON_FREE");
        AddressMeaning err = AddressClassifier.classify(0xfffffffffffffff2L, X86);
        assertThat(err.findings().getFirst().kind()).isEqualTo(Kind.ERR_PTR);
        assertThat(err.findings().getFirst().detail()).contains("-14").contains("EFAULT");
        assertThat(AddressClassifier.classify(0x10, X86).has(Kind.ZERO_SIZE_PTR)).isTrue();
        AddressMeaning withReg = AddressClassifier.classify(0xdead000000000100L + 0x10, X86, Map.of("RDX", 0xdead000000000100L));
        assertThat(withReg.summary()).startsWith("LIST_POISON1 +0x10 (RDX = LIST_POISON1)");
        // i386 has no poison delta: LIST_POISON1 is 0x100, inside the NULL window
        AddressMeaning small = AddressClassifier.classify(0x100, AddressSpace.of(Arch.I386));
        assertThat(small.findings()).extracting(AddressMeaning.Finding::kind).containsExactly(Kind.NULL_POINTER);
    }

    @Test
    void arm64Layouts() {
        assertThat(region(0xffff000012345678L, ARM)).isEqualTo("kernel logical memory map (linear map)");
        assertThat(region(0xffff600000000000L, ARM)).contains("KASAN shadow");
        assertThat(region(0xffff800000001000L, ARM)).isEqualTo("modules");
        assertThat(region(0xffff800080000000L, ARM)).startsWith("vmalloc");
        assertThat(region(0xfffffbfff0000000L, ARM)).isEqualTo("fixed mappings (top down)");
        assertThat(region(0xfffffbfffe800000L, ARM)).isEqualTo("PCI I/O space");
        assertThat(region(0xfffffc0000000000L, ARM)).isEqualTo("vmemmap");
        assertThat(region(0xfffffe0000000000L, ARM)).isEqualTo("guard region");
        assertThat(AddressClassifier.classify(0x0001000000000000L, ARM).has(Kind.NON_CANONICAL)).isTrue();
        // 6.1's 128 MiB module region, known from the Kernel Offset line's base
        AddressSpace k61 = new AddressSpace(Arch.ARM64, null, 48, 12, new KernelOffset(0L, 0xffff800008000000L, false), null, null);
        assertThat(region(0xffff800007000000L, k61)).isEqualTo("modules");
        assertThat(region(0xffff800008213a60L, k61)).startsWith("vmalloc");
        AddressSpace va39 = new AddressSpace(Arch.ARM64, null, 39, 12, null, null, null);
        assertThat(region(0xffffff8000001000L, va39)).isEqualTo("kernel logical memory map (linear map)");
        assertThat(region(0xffffffc000001000L, va39)).isEqualTo("modules");
        assertThat(region(0xfffffffe00000000L, va39)).isEqualTo("vmemmap");
        assertThat(region(0x7fffffffffL, va39)).isEqualTo("user");
        AddressSpace va52 = new AddressSpace(Arch.ARM64, null, 52, 16, null, null, null);
        assertThat(region(0xfff0000000001000L, va52)).isEqualTo("kernel logical memory map (linear map)");
        assertThat(region(0xfffffc0000000000L, va52)).isEqualTo("vmemmap");
        assertThat(region(0xffffffe000000000L, va52)).isEqualTo("guard region");
    }
}
