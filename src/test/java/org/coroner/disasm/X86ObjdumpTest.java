package org.coroner.disasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.coroner.elf.ElfFile;
import org.coroner.elf.SymbolTable;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Every instruction of real kernel code, disassembled by us and by binutils 2.40's objdump. */
@Tag("fixtures")
class X86ObjdumpTest {

    /** Tally of compared lines, with the differing ones grouped by a rough kind. */
    static final class Tally {
        int total;
        int same;
        final Map<String, List<String>> diffs = new TreeMap<>();

        void compare(ObjdumpListing.Line ref, Instruction ours, SymbolResolver sym) {
            total++;
            String mine = ObjdumpListing.norm(ours.text(sym));
            if (mine.equals(ref.text()) && java.util.Arrays.equals(ours.bytes(), ref.bytes())) {
                same++;
                return;
            }
            String kind = ref.text().split(" ")[0] + " vs " + mine.split(" ")[0];
            diffs.computeIfAbsent(kind, k -> new ArrayList<>())
                    .add(Long.toHexString(ref.address()) + " [" + ref.hex() + "] objdump: " + ref.text() + " | ours: " + mine);
        }

        void missing(ObjdumpListing.Line ref) {
            total++;
            diffs.computeIfAbsent("boundary", k -> new ArrayList<>())
                    .add(Long.toHexString(ref.address()) + " [" + ref.hex() + "] objdump: " + ref.text() + " | ours: none at this address");
        }

        double percent() {
            return total == 0 ? 0 : 100.0 * same / total;
        }

        String report(String what) {
            StringBuilder b = new StringBuilder(String.format("%s: %d/%d instruction lines identical (%.3f%%)%n", what, same, total, percent()));
            diffs.entrySet().stream().sorted((x, y) -> y.getValue().size() - x.getValue().size()).forEach(e -> {
                b.append(String.format("  %5d  %s%n", e.getValue().size(), e.getKey()));
                e.getValue().stream().limit(4).forEach(s -> b.append("           ").append(s).append('\n'));
            });
            return b.toString();
        }
    }

    /** Compares one objdump listing with our decoding of the same bytes, instruction by instruction. */
    static void compare(ObjdumpListing ref, byte[] code, long base, SymbolResolver sym, Tally t) {
        Map<Long, Instruction> ours = new java.util.HashMap<>();
        for (Instruction i : Disassembler.of(Arch.X86_64).disassemble(code, base, 0)) {
            ours.put(i.address(), i);
        }
        for (ObjdumpListing.Line l : ref.lines) {
            Instruction i = ours.get(l.address());
            if (i == null) {
                t.missing(l);
            } else {
                t.compare(l, i, sym);
            }
        }
    }

    @Test
    void crashlabModuleEveryInstruction() {
        Path ko = Fixtures.crashlabKo();
        Tally t = new Tally();
        try (ElfFile elf = ElfFile.open(ko)) {
            SymbolTable syms = elf.symbols();
            for (ElfFile.Section s : elf.sections()) {
                if (!s.isExec() || s.size() == 0) {
                    continue;
                }
                ObjdumpListing ref = ObjdumpListing.parse(Fixtures.run("objdump", "-d", "-j", s.name(), ko.toString()));
                byte[] code = elf.data(s).bytes(0, (int) s.size());
                compare(ref, code, 0, ObjdumpSymbols.ofSection(syms, s.index(), s.size()), t);
            }
        }
        System.out.print(t.report("crashlab.ko"));
        assertThat(t.total).isGreaterThan(300);
        assertThat(t.percent()).isEqualTo(100.0);
    }
}
