package org.coroner.disasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.coroner.elf.ElfFile;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * arm64 against binutils' {@code aarch64-linux-gnu-objdump -D -b binary -m aarch64}: every word of
 * Debian's arm64 libc (from {@code libc6-arm64-cross}, see scripts/setup.sh).
 */
@Tag("fixtures")
class Arm64ObjdumpTest {
    static final Path LIBC = Path.of("/usr/aarch64-linux-gnu/lib/libc.so.6");

    /** objdump's listing of raw bytes loaded at {@code vma}. */
    static ObjdumpListing objdumpBinary(byte[] code, long vma, String machine, String objdump) throws IOException {
        Path f = Files.createTempFile("coroner-disasm", ".bin");
        try {
            Files.write(f, code);
            return ObjdumpListing.parse(Fixtures.run(objdump, "-D", "-z", "-b", "binary", "-m", machine,
                    "--adjust-vma=0x" + Long.toHexString(vma), f.toString()));
        } finally {
            Files.delete(f);
        }
    }

    static X86ObjdumpTest.Tally compare(Arch arch, ObjdumpListing ref, byte[] code, long vma) {
        X86ObjdumpTest.Tally t = new X86ObjdumpTest.Tally();
        Map<Long, Instruction> ours = new HashMap<>();
        for (Instruction i : Disassembler.of(arch).disassemble(code, vma, 0)) {
            ours.put(i.address(), i);
        }
        for (ObjdumpListing.Line l : ref.lines) {
            Instruction i = ours.get(l.address());
            if (i == null) {
                t.missing(l);
            } else {
                t.compare(l, i, null);
            }
        }
        return t;
    }

    @Test
    void debianArm64LibcText() throws IOException {
        try (ElfFile elf = ElfFile.open(LIBC)) {
            ElfFile.Section text = elf.section(".text").orElseThrow();
            byte[] code = elf.data(text).bytes(0, (int) text.size());
            ObjdumpListing ref = objdumpBinary(code, text.addr(), "aarch64", "aarch64-linux-gnu-objdump");
            X86ObjdumpTest.Tally t = compare(Arch.ARM64, ref, code, text.addr());
            System.out.print(t.report("arm64 libc.so.6 .text"));
            assertThat(t.total).isGreaterThan(200_000);
            assertThat(t.percent()).isGreaterThanOrEqualTo(99.5);
        }
    }

    /**
     * Kernel-flavoured instructions libc rarely has (system registers, barriers, PAC, BTI, exclusives,
     * LSE atomics, cache and TLB maintenance), assembled from {@code arm64-kernel-sample.s}.
     */
    @Test
    void kernelFlavouredSample() throws Exception {
        Path dir = Files.createTempDirectory("coroner-a64");
        try {
            Path src = dir.resolve("k.s");
            try (var in = getClass().getResourceAsStream("arm64-kernel-sample.s")) {
                Files.write(src, in.readAllBytes());
            }
            Path obj = dir.resolve("k.o");
            Fixtures.run("aarch64-linux-gnu-as", "-o", obj.toString(), src.toString());
            try (ElfFile elf = ElfFile.open(obj)) {
                ElfFile.Section text = elf.section(".text").orElseThrow();
                byte[] code = elf.data(text).bytes(0, (int) text.size());
                ObjdumpListing ref = objdumpBinary(code, 0, "aarch64", "aarch64-linux-gnu-objdump");
                X86ObjdumpTest.Tally t = compare(Arch.ARM64, ref, code, 0);
                System.out.print(t.report("arm64 kernel-flavoured sample"));
                assertThat(t.total).isGreaterThan(140);
                assertThat(t.percent()).isGreaterThanOrEqualTo(97.0);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
