package org.coroner.dwarf.cfi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.coroner.arch.x86_64.X86_64DwarfRegisters;
import org.coroner.dwarf.DwarfFile;
import org.coroner.elf.ElfFile;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every row of the vmlinux CFI table equals binutils' reading of it ({@code readelf
 * --debug-dump=frames-interp}): the CFA rule and the rule of every register at every address where
 * a row starts.
 */
@Tag("fixtures")
class CallFrameInfoTest {
    private static final X86_64DwarfRegisters X86 = X86_64DwarfRegisters.INSTANCE;

    @Test
    void everyVmlinuxRowEqualsReadelf() {
        DwarfFile dw = new DwarfFile(ElfFile.open(Fixtures.vmlinux()));
        CallFrameInfo cfi = new CallFrameInfo(dw.section(".debug_frame"), dw.name(), 8);
        String out = Fixtures.run("readelf", "--debug-dump=frames-interp", Fixtures.vmlinux().toString());
        List<String> columns = List.of();
        int rows = 0;
        int fdes = 0;
        List<String> wrong = new ArrayList<>();
        boolean inFde = false;
        for (String line : out.split("\n")) {
            if (line.contains(" CIE")) {
                inFde = false;
                continue;
            }
            if (line.contains(" FDE cie=")) {
                inFde = !line.contains("pc=0000000000000000..");
                fdes += inFde ? 1 : 0;
                columns = List.of();
                continue;
            }
            if (line.startsWith("   LOC")) {
                columns = List.of(line.trim().split("\\s+"));
                continue;
            }
            if (!inFde || columns.isEmpty() || !line.matches("[0-9a-f]{16} .*")) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            long loc = Long.parseUnsignedLong(f[0], 16);
            CfiRow row = cfi.rowAt(loc).orElse(null);
            rows++;
            if (row == null) {
                wrong.add(line + ": no row");
                continue;
            }
            String cfa = row.cfaExpression() != null ? "exp" : X86.name(row.cfaRegister()) + (row.cfaOffset() < 0 ? "" : "+")
                    + row.cfaOffset();
            StringBuilder ours = new StringBuilder(f[0]).append(' ').append(cfa);
            for (int c = 2; c < columns.size(); c++) {
                String reg = columns.get(c);
                int n = reg.equals("ra") ? X86.returnAddress() : number(reg);
                ours.append(' ').append(rule(row.rule(n)));
            }
            String theirs = String.join(" ", f);
            if (!ours.toString().equals(theirs)) {
                wrong.add("readelf: " + theirs + "  ours: " + ours);
            }
        }
        System.out.printf("vmlinux .debug_frame: %d FDEs (%d indexed), %d rows compared with readelf, %d differ%n", fdes,
                cfi.fdeCount(), rows, wrong.size());
        assertThat(wrong).isEmpty();
        assertThat(rows).isGreaterThan(100_000);
    }

    private static int number(String name) {
        for (int n = 0; n < X86.count(); n++) {
            if (X86.name(n).equals(name)) {
                return n;
            }
        }
        throw new AssertionError("register " + name);
    }

    /** readelf's notation: u undefined (or no rule), s same value, c-16 at CFA-16, v+8 CFA+8, rN in register, exp, vexp. */
    private static String rule(RegisterRule r) {
        return switch (r) {
            case null -> "u";
            case RegisterRule.Undefined u -> "u";
            case RegisterRule.SameValue s -> "s";
            case RegisterRule.Offset o -> "c" + (o.offset() < 0 ? "" : "+") + o.offset();
            case RegisterRule.ValOffset v -> "v" + (v.offset() < 0 ? "" : "+") + v.offset();
            case RegisterRule.InRegister ir -> X86.name(ir.register());
            case RegisterRule.Expression e -> "exp";
            case RegisterRule.ValExpression e -> "vexp";
        };
    }
}
