package org.coroner.dwarf;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.coroner.elf.ElfFile;
import org.coroner.io.BadInputException;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("fixtures")
class BadDwarfTest {

    /** Debian's qemu_fw_cfg.ko is stripped of DWARF (readelf -S lists no .debug_info): a one-line error. */
    @Test
    void fileWithoutDebugInfoIsBadInput() {
        try (ElfFile elf = ElfFile.open(Fixtures.kernelDir().resolve("qemu_fw_cfg.ko"))) {
            assertThatThrownBy(() -> new DwarfFile(elf)).isInstanceOf(BadInputException.class)
                    .hasMessage("qemu_fw_cfg.ko: no DWARF debug info (.debug_info missing)");
        }
    }
}
