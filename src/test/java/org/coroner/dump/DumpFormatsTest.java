package org.coroner.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.coroner.arch.x86_64.X86_64AddressSpace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every format on real data from one QEMU run ({@code scripts/make-dumps.sh}): each page of each
 * compressed dump must equal the same page of QEMU's ELF dump of the same moment.
 */
@Tag("fixtures")
class DumpFormatsTest {
    private static Path dir;

    @BeforeAll
    static void dumps() {
        dir = DumpFixtures.qemuDumps();
        assumeTrue(dir != null, "no QEMU dumps yet: run scripts/make-dumps.sh (scripts/test.sh does)");
    }

    @ParameterizedTest
    @CsvSource({
        "zlib,          flattened kdump-compressed (zlib), 1",
        "d31-lzo,       kdump-compressed (lzo),            31",
        "d31-zlib-flat, flattened kdump-compressed (zlib), 31",
        "snappy,        kdump-compressed (snappy),         0",
        "zstd-libzstd,  kdump-compressed (zstd),           0"})
    void everyPageEqualsTheElfDump(String name, String format, int dumpLevel) {
        try (Dump elf = DumpFile.open(dir.resolve("elf")); Dump d = DumpFile.open(dir.resolve(name))) {
            assertThat(elf.formatName()).isEqualTo("ELF core (QEMU dump-guest-memory)");
            assertThat(d.formatName()).isEqualTo(format);
            assertThat(((KdumpCompressedDump) d).dumpLevel()).isEqualTo(dumpLevel);
            assertThat(d.vmcoreinfo()).isEqualTo(elf.vmcoreinfo());
            assertThat(d.cpus()).isEqualTo(elf.cpus());
            byte[] a = new byte[4096];
            byte[] b = new byte[4096];
            long compared = 0;
            long zero = 0;
            long excluded = 0;
            for (long pfn = 0; pfn < d.maxPfn(); pfn++) {
                long p = pfn * 4096;
                if (!d.memory().contains(p)) {
                    try {
                        d.memory().read(p, b, 0, 8);
                        throw new AssertionError("pfn 0x" + Long.toHexString(pfn) + " read although not contained");
                    } catch (NotInDumpException e) {
                        if (e.reason() == NotInDumpException.Reason.EXCLUDED) {
                            excluded++;
                        }
                    }
                    continue;
                }
                elf.memory().read(p, a, 0, 4096);
                d.memory().read(p, b, 0, 4096);
                if (!Arrays.equals(a, b)) {
                    throw new AssertionError(name + ": pfn 0x" + Long.toHexString(pfn) + " differs from the ELF dump");
                }
                compared++;
                if (Arrays.equals(b, new byte[4096])) {
                    zero++;
                }
            }
            // QEMU writes dump level 1 but keeps zero pages (as one shared zero page)
            if (dumpLevel == 31) {
                // level 31 drops zero, cache, user and free pages: most of an idle 512 MiB guest
                assertThat(excluded).isGreaterThan(50_000);
                assertThat(compared).isBetween(10_000L, 60_000L);
            } else {
                assertThat(excluded).isZero();
                assertThat(compared).isGreaterThan(130_000);
                assertThat(zero).isGreaterThan(1000); // QEMU shares one zero page among these: they read as zeros
            }
        }
    }

    /** An excluded page is "not in dump", never zeros, and crash agrees that it is excluded. */
    @Test
    void excludedPagesAreNotInDumpAsCrashSays() {
        Path d31 = dir.resolve("d31-lzo");
        try (Dump d = DumpFile.open(d31)) {
            long excluded = -1;
            long kept = -1;
            for (long pfn = 0x100; pfn < d.maxPfn() && (excluded < 0 || kept < 0); pfn++) {
                if (d.memory().contains(pfn * 4096)) {
                    kept = kept < 0 ? pfn * 4096 : kept;
                    continue;
                }
                try {
                    d.memory().readLong(pfn * 4096);
                } catch (NotInDumpException e) {
                    if (e.reason() == NotInDumpException.Reason.EXCLUDED && excluded < 0) {
                        excluded = pfn * 4096 + 0x10;
                    }
                }
            }
            long addr = excluded;
            assertThatThrownBy(() -> d.memory().readLong(addr))
                    .isInstanceOf(NotInDumpException.class)
                    .hasMessage("physical address 0x" + Long.toHexString(addr) + " not in dump: page excluded from the dump");
            CrashBatch crash = CrashBatch.run(d31, List.of("rd -p 0x" + Long.toHexString(addr) + " 1",
                    "rd -p 0x" + Long.toHexString(kept) + " 2"));
            assertThat(crash.output).contains("rd: page excluded: physical address: " + Long.toHexString(addr));
            assertThat(d.memory().readLong(kept)).isEqualTo(crash.words().get(kept));
        }
    }

    /** makedumpfile's and QEMU's copies agree on the kernel's view: the banner through the page tables. */
    @Test
    void bannerInEveryFormat() {
        String expected = DumpFixtures.bannerLine(dir.resolve("console.log")) + "\n";
        for (String name : List.of("elf", "zlib", "d31-lzo", "d31-zlib-flat", "snappy", "zstd-libzstd")) {
            try (Dump d = DumpFile.open(dir.resolve(name))) {
                X86_64AddressSpace k = X86_64AddressSpace.kernel(d.memory(), d.vmcoreInfo().orElseThrow(), d.maxPfn() * 4096L);
                long banner = DumpFixtures.relocated(d, "linux_banner");
                assertThat(k.walk(banner).physicalAddress()).isEqualTo(k.toPhysical(banner));
                assertThat(k.readCString(banner, 512)).as(name).isEqualTo(expected);
            }
        }
    }
}
