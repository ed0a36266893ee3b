package org.coroner.disasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.coroner.elf.ElfFile;
import org.coroner.io.BadInputException;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code dis FUNCTION} straight from the ELF file equals {@code objdump -d --disassemble=FUNCTION}. */
@Tag("fixtures")
class ElfDisassemblyTest {
    @Test
    void moduleFunctionAsObjdumpPrintsIt() {
        check(Fixtures.crashlabKo().toString(), "create_oops.constprop.0", 5);
    }

    @Test
    void vmlinuxFunctionsAsObjdumpPrintsThem() {
        String v = Fixtures.vmlinux().toString();
        check(v, "do_one_initcall", 50);
        check(v, "schedule", 10);
    }

    private static void check(String file, String function, int atLeast) {
        try (ElfFile elf = ElfFile.open(java.nio.file.Path.of(file))) {
            ElfDisassembly dis = new ElfDisassembly(elf);
            List<Instruction> ours = dis.function(function);
            ElfFile.Section sec = elf.section(elf.symbols().byName(function).orElseThrow().shndx());
            ObjdumpListing ref = ObjdumpListing.parse(Fixtures.run("objdump", "-d", "--disassemble=" + function, file));
            assertThat(ref.lines.size()).isGreaterThanOrEqualTo(atLeast);
            assertThat(ours).hasSameSizeAs(ref.lines);
            SymbolResolver names = dis.resolverFor(sec);
            for (int k = 0; k < ours.size(); k++) {
                assertThat(ours.get(k).address()).isEqualTo(ref.lines.get(k).address());
                assertThat(ObjdumpListing.norm(ours.get(k).text(names))).isEqualTo(ref.lines.get(k).text());
            }
        }
    }

    @Test
    void unknownSymbolIsBadInput() {
        try (ElfFile elf = ElfFile.open(Fixtures.crashlabKo())) {
            assertThatThrownBy(() -> new ElfDisassembly(elf).function("no_such_function"))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("no symbol no_such_function");
        }
    }
}
