package org.coroner.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.coroner.io.BadInputException;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("fixtures")
class ElfFileTest {

    @Test
    void readsTheModuleAsReadelfDoes() {
        try (ElfFile elf = ElfFile.open(Fixtures.crashlabKo())) {
            assertThat(elf.machine()).isEqualTo(ElfFile.EM_X86_64);
            assertThat(elf.type()).isEqualTo(ElfFile.ET_REL);
            // readelf -n crashlab.ko
            assertThat(elf.buildId()).contains("ded6155bd010932b7038f56a63df0cc199512247");
            // readelf -S: 58 sections, .debug_info at 0x1580 of size 0xe57d
            assertThat(elf.sections()).hasSize(58);
            ElfFile.Section info = elf.section(".debug_info").orElseThrow();
            assertThat(info.offset()).isEqualTo(0x1580);
            assertThat(info.size()).isEqualTo(0xe57d);
            SymbolTable.Symbol s = elf.symbols().byName("create_oops.constprop.0").orElseThrow();
            assertThat(s.isFunction()).isTrue();
            // readelf -s: 55: 0000000000000024    54 FUNC    LOCAL  DEFAULT    7 create_oops.constprop.0
            assertThat(elf.section(s.shndx()).name()).isEqualTo(".text.unlikely");
            assertThat(s.value()).isEqualTo(0x24);
            assertThat(s.size()).isEqualTo(54);
        }
    }

    @Test
    void readsVmlinuxSymbolsLikeSystemMap() throws IOException {
        Path vmlinux = Fixtures.vmlinux();
        try (ElfFile elf = ElfFile.open(vmlinux)) {
            assertThat(elf.machineName()).isEqualTo("x86_64");
            int checked = 0;
            for (String line : Files.readAllLines(Fixtures.kernelDir().resolve("System.map"))) {
                String[] f = line.split(" ");
                if (!f[1].equalsIgnoreCase("t") || checked >= 2000 || f[2].contains(".")) {
                    continue;
                }
                long addr = Long.parseUnsignedLong(f[0], 16);
                var sym = elf.symbols().lookup(addr).orElseThrow();
                assertThat(sym.value()).as(f[2]).isEqualTo(addr);
                checked++;
            }
            assertThat(checked).isEqualTo(2000);
        }
    }

    @Test
    void rejectsWhatIsNotElf(@TempDir Path tmp) throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.txt"), "hello, not an ELF file\n");
        assertThatThrownBy(() -> ElfFile.open(text)).isInstanceOf(BadInputException.class)
                .hasMessage(text + ": not an ELF file");
        Path empty = Files.write(tmp.resolve("empty"), new byte[0]);
        assertThatThrownBy(() -> ElfFile.open(empty)).hasMessage(empty + ": not an ELF file");
        assertThatThrownBy(() -> ElfFile.open(tmp.resolve("missing"))).hasMessageEndingWith("no such file");
        byte[] head = Files.readAllBytes(Fixtures.crashlabKo());
        Path cut = Files.write(tmp.resolve("cut.ko"), java.util.Arrays.copyOf(head, 4096));
        assertThatThrownBy(() -> ElfFile.open(cut)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("truncated");
    }
}
