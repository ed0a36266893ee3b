package org.coroner.kernel.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.coroner.arch.x86_64.unwind.OrcTable;
import org.coroner.elf.ElfFile;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * crashlab's ORC as the kernel loaded it (read from {@code struct module} in the dump) equals the
 * table of crashlab.ko placed at the section addresses the dump records; its symbols from the
 * dump's kallsyms equal the .ko's symbols at those addresses.
 */
@Tag("fixtures")
class ModuleOrcTest {
    @Test
    void moduleOrcInTheDumpEqualsTheKoPlacedAtItsSections() {
        Backtracer bt = FixtureKernels.backtracer("null");
        LoadedModule crashlab = bt.modules().all().stream().filter(m -> m.name().equals("crashlab")).findFirst().orElseThrow();
        Map<String, Long> sections = bt.modules().sectionAddresses(crashlab);
        assertEquals(0xffffffffc04ad000L, sections.get(".text")); // crash's mod: BASE ffffffffc04ad000
        OrcTable inDump = crashlab.orc().orElseThrow();
        try (ElfFile ko = ElfFile.open(Fixtures.crashlabKo())) {
            OrcTable fromKo = bt.modules().orcFromFile(crashlab, ko);
            assertEquals(fromKo.size(), inDump.size());
            List<String> a = new ArrayList<>();
            List<String> b = new ArrayList<>();
            for (int i = 0; i < inDump.size(); i++) {
                a.add(Long.toHexString(inDump.ip(i)) + " " + inDump.entry(i).describe());
                b.add(Long.toHexString(fromKo.ip(i)) + " " + fromKo.entry(i).describe());
            }
            Collections.sort(a);
            Collections.sort(b);
            assertEquals(b, a);
            // Every function symbol of the .ko names the same address through the dump's kallsyms.
            int checked = 0;
            for (int i = 0; i < ko.symbols().count(); i++) {
                var s = ko.symbols().get(i);
                if (!s.isFunction() || s.shndx() == 0 || s.shndx() >= 0xff00) {
                    continue;
                }
                Long base = sections.get(ko.section(s.shndx()).name());
                if (base == null) {
                    continue;
                }
                var hit = crashlab.symbols().lookup(base + s.value()).orElseThrow();
                assertEquals(0, hit.offset(), s.name());
                assertEquals(base + s.value(), crashlab.symbols().address(hit.name()).orElseThrow());
                checked++;
            }
            assertTrue(checked >= 8, "functions checked: " + checked);
        }
    }
}
