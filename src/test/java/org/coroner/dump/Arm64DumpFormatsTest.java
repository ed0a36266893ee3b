package org.coroner.dump;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.coroner.testing.Arm64Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * QEMU's two dumps of one arm64 guest: the kdump-compressed one uses 64 KiB blocks (QEMU takes the
 * largest arm64 page size) and names no machine; every block of it must equal the same memory of
 * the ELF dump, and both must give the same CPU notes (arm64 PRSTATUS) and VMCOREINFO.
 */
@Tag("fixtures")
class Arm64DumpFormatsTest {
    @ParameterizedTest
    @ValueSource(strings = {"null", "pac"})
    void everyBlockEqualsTheElfDump(String scenario) {
        var dir = Arm64Fixtures.dumpDir(scenario);
        try (Dump elf = DumpFile.open(dir.resolve("elf")); Dump kd = DumpFile.open(dir.resolve("zlib"))) {
            assertThat(elf.machine()).isEqualTo("arm64");
            assertThat(kd.machine()).isEqualTo("arm64");
            assertThat(kd.pageSize()).isEqualTo(65536);
            assertThat(kd.vmcoreinfo()).isEqualTo(elf.vmcoreinfo());
            assertThat(kd.cpus()).isEqualTo(elf.cpus()).hasSize(2);
            assertThat(kd.cpus().get(0).registers()).containsKeys("x0", "x29", "x30", "sp", "pc", "pstate").hasSize(34);
            int block = kd.pageSize();
            byte[] a = new byte[block];
            byte[] b = new byte[block];
            long compared = 0;
            for (long p = 0; p < kd.maxPfn() * block; p += block) {
                if (!kd.memory().contains(p)) {
                    assertThat(elf.memory().contains(p)).as("0x%x", p).isFalse();
                    continue;
                }
                elf.memory().read(p, a, 0, block);
                kd.memory().read(p, b, 0, block);
                if (!Arrays.equals(a, b)) {
                    throw new AssertionError(scenario + ": block at 0x" + Long.toHexString(p) + " differs from the ELF dump");
                }
                compared++;
            }
            // 512 MiB of RAM at 0x40000000: 8192 blocks of 64 KiB
            assertThat(compared).isEqualTo(8192);
        }
    }
}
