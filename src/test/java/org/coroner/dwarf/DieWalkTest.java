package org.coroner.dwarf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.coroner.elf.ElfFile;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("fixtures")
class DieWalkTest {
    private static final int DW_AT_name = 0x03;

    /** Every DIE of crashlab.ko decodes: same offsets and the same DW_AT_name strings, in order, as readelf. */
    @Test
    void everyModuleDieMatchesReadelf() {
        String out = Fixtures.run("readelf", "--debug-dump=info", Fixtures.crashlabKo().toString());
        List<String> expected = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^ <\\d+><([0-9a-f]+)>: Abbrev Number: [1-9]|^    <[0-9a-f]+>\\s+DW_AT_name\\s+: (?:\\([^)]*\\): )?(.*)$")
                .matcher(out);
        while (m.find()) {
            expected.add(m.group(1) != null ? "die " + m.group(1) : "name " + m.group(2).strip());
        }
        try (ElfFile elf = ElfFile.open(Fixtures.crashlabKo())) {
            DwarfFile dw = new DwarfFile(elf);
            List<String> actual = new ArrayList<>();
            for (long off = 0; off < dw.info().size(); ) {
                CompileUnit cu = dw.unitAt(off);
                long p = cu.header().dieOffset();
                while (p < cu.header().end()) {
                    Die d = cu.readDie(p);
                    if (d == null) {
                        p++;
                        continue;
                    }
                    actual.add("die " + Long.toHexString(d.offset()));
                    String n = d.string(DW_AT_name);
                    if (n != null) actual.add("name " + n.strip());
                    p = d.next();
                }
                off = cu.header().end();
            }
            System.out.println("crashlab.ko DIEs+names: " + actual.size());
            assertThat(expected.size()).isGreaterThan(5000);
            int i = 0;
            while (i < Math.min(actual.size(), expected.size()) && actual.get(i).equals(expected.get(i))) i++;
            assertThat(actual.size() + " entries, first difference at " + i + ": "
                    + (i < actual.size() ? actual.get(i) : "-") + " vs readelf " + (i < expected.size() ? expected.get(i) : "-"))
                    .isEqualTo(expected.size() + " entries, first difference at " + expected.size() + ": - vs readelf -");
        }
    }
}
