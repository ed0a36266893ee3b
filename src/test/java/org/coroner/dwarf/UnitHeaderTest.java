package org.coroner.dwarf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.coroner.elf.ElfFile;
import org.coroner.io.Bytes;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("fixtures")
class UnitHeaderTest {

    /** Every unit header of crashlab.ko (relocated, since abbrev offsets of a .ko are RELA targets) equals readelf's. */
    @Test
    void moduleUnitHeadersMatchReadelf() {
        String out = Fixtures.run("readelf", "--debug-dump=info", Fixtures.crashlabKo().toString());
        Matcher m = Pattern.compile("Compilation Unit @ offset (0x[0-9a-f]+|0):\\s+Length:\\s+\\S+ \\(32-bit\\)\\s+"
                + "Version:\\s+(\\d+)\\s+Unit Type:\\s+\\S+ \\((\\d+)\\)\\s+Abbrev Offset:\\s+(0x[0-9a-f]+|0)").matcher(out);
        List<String> expected = new ArrayList<>();
        while (m.find()) {
            expected.add(Long.decode(m.group(1)) + "/" + m.group(2) + "/" + m.group(3) + "/" + Long.decode(m.group(4)));
        }
        try (ElfFile elf = ElfFile.open(Fixtures.crashlabKo())) {
            Bytes info = elf.relocated(elf.section(".debug_info").orElseThrow(), i -> 0L);
            List<String> actual = new ArrayList<>();
            for (long off = 0; off < info.size(); ) {
                UnitHeader h = UnitHeader.read(info, off, "crashlab.ko");
                actual.add(h.offset() + "/" + h.version() + "/" + h.unitType() + "/" + h.abbrevOffset());
                Abbrev.parseTable(elf.data(".debug_abbrev").orElseThrow(), h.abbrevOffset());
                off = h.end();
            }
            System.out.println("crashlab.ko units: " + actual.size());
            assertThat(expected).isNotEmpty();
            assertThat(actual).isEqualTo(expected);
        }
    }
}
