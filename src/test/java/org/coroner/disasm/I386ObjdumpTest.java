package org.coroner.disasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.coroner.elf.ElfFile;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** 32-bit x86 against {@code objdump -D -b binary -m i386}: a varied sample assembled with {@code as --32}. */
@Tag("fixtures")
class I386ObjdumpTest {
    @Test
    void assembledSample() throws Exception {
        Path dir = Files.createTempDirectory("coroner-i386");
        try {
            Path src = dir.resolve("i.s");
            try (var in = getClass().getResourceAsStream("i386-sample.s")) {
                Files.write(src, in.readAllBytes());
            }
            Path obj = dir.resolve("i.o");
            Fixtures.run("as", "--32", "-o", obj.toString(), src.toString());
            try (ElfFile elf = ElfFile.open(obj)) {
                ElfFile.Section text = elf.section(".text").orElseThrow();
                byte[] code = elf.data(text).bytes(0, (int) text.size());
                ObjdumpListing ref = Arm64ObjdumpTest.objdumpBinary(code, 0xc1000000L, "i386", "objdump");
                X86ObjdumpTest.Tally t = Arm64ObjdumpTest.compare(Arch.I386, ref, code, 0xc1000000L);
                System.out.print(t.report("i386 sample"));
                assertThat(t.total).isGreaterThan(90);
                assertThat(t.percent()).isGreaterThanOrEqualTo(97.0);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
