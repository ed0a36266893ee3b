package org.coroner.arch.x86_64.unwind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.coroner.elf.ElfFile;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * ORC tables of the fixture kernel and module against objtool's own dump ({@code objtool --dump},
 * from Debian's linux-kbuild-6.1, the objtool that built this kernel).
 */
@Tag("fixtures")
class OrcTableTest {
    private static final String OBJTOOL = "/usr/lib/linux-kbuild-6.1/tools/objtool/objtool";

    /** objtool's line without the location, in {@link OrcEntry#describe()}'s normalized words. */
    private static String normalize(String objtoolEntry) {
        String s = objtoolEntry.trim();
        boolean end = s.endsWith("end:1");
        s = s.replaceAll(" end:[01]$", "");
        if (s.startsWith("sp:(und)")) {
            s = s.replaceAll("type:.*$", end ? "type:end" : "type:undef");
        }
        return s;
    }

    @Test
    void crashlabModuleTableEqualsObjtoolDump() {
        String dump = Fixtures.run(OBJTOOL, "--dump", Fixtures.crashlabKo().toString());
        try (ElfFile ko = ElfFile.open(Fixtures.crashlabKo())) {
            // Place section i at i << 32 so that every IP names its section and offset.
            OrcTable t = OrcTable.ofModuleFile(ko, shndx -> (long) shndx << 32, OrcFormat.V1);
            List<String> ours = new ArrayList<>();
            for (int i = 0; i < t.size(); i++) {
                long ip = t.ip(i);
                String sec = ko.section((int) (ip >>> 32)).name();
                ours.add(sec + "+" + Long.toHexString(ip & 0xffffffffL) + ": " + t.entry(i).describe());
            }
            List<String> theirs = new ArrayList<>();
            for (String line : dump.split("\n")) {
                int c = line.indexOf(": ");
                theirs.add(line.substring(0, c) + ": " + normalize(line.substring(c + 2)));
            }
            Collections.sort(ours);
            Collections.sort(theirs);
            assertTrue(theirs.size() > 30, "objtool listed " + theirs.size());
            assertEquals(theirs, ours);
            for (int i = 1; i < t.size(); i++) {
                assertTrue(Long.compareUnsigned(t.ip(i - 1), t.ip(i)) <= 0, "sorted");
            }
        }
    }

    /**
     * vmlinux's tables were sorted after linking, but its {@code .rela.orc_unwind_ip} (kept by
     * {@code --emit-relocs}) still describes the unsorted order, and objtool pairs relocation i with
     * entry i. So: the entries must equal objtool's index by index, and the IPs must be the set of
     * the relocation targets objtool prints.
     */
    @Test
    void vmlinuxTableEqualsObjtoolDump() {
        String dump = Fixtures.run(OBJTOOL, "--dump", Fixtures.vmlinux().toString());
        try (ElfFile vmlinux = ElfFile.open(Fixtures.vmlinux())) {
            OrcTable t = OrcTable.ofVmlinux(vmlinux, 0, OrcFormat.V1);
            String[] lines = dump.split("\n");
            assertEquals(lines.length, t.size());
            Set<Long> relocIps = new HashSet<>();
            for (int i = 0; i < lines.length; i++) {
                int c = lines[i].indexOf(": ");
                assertEquals(normalize(lines[i].substring(c + 2)), t.entry(i).describe(), "entry " + i);
                String loc = lines[i].substring(0, c);
                int plus = loc.lastIndexOf('+');
                relocIps.add(vmlinux.section(loc.substring(0, plus)).orElseThrow().addr()
                        + Long.parseLong(loc.substring(plus + 1), 16));
            }
            Set<Long> ips = new HashSet<>();
            for (int i = 0; i < t.size(); i++) {
                ips.add(t.ip(i));
                if (i > 0) {
                    assertTrue(Long.compareUnsigned(t.ip(i - 1), t.ip(i)) <= 0, "sorted at " + i);
                }
            }
            assertEquals(relocIps, ips);
            // A KASLR offset moves every IP by the same amount.
            OrcTable moved = OrcTable.ofVmlinux(vmlinux, 0x6e00000L, OrcFormat.V1);
            assertEquals(t.ip(1000) + 0x6e00000L, moved.ip(1000));
        }
    }

    @Test
    void lookupTakesTheGreatestAddressNotAbove() {
        try (ElfFile vmlinux = ElfFile.open(Fixtures.vmlinux())) {
            OrcTable t = OrcTable.ofVmlinux(vmlinux, 0, OrcFormat.V1);
            long schedule = vmlinux.symbols().byName("schedule").orElseThrow().value();
            // At a function's first instruction only the return address is on the stack.
            OrcEntry atEntry = t.find(schedule).orElseThrow();
            assertEquals(OrcType.CALL, atEntry.type());
            assertEquals(OrcEntry.REG_SP, atEntry.spReg());
            assertEquals(8, atEntry.spOffset());
            assertTrue(t.find(t.ip(0) - 1).isEmpty());
        }
    }

    @Test
    void formatsDecodeTheirOwnBitLayouts() {
        assertEquals(OrcFormat.V1, OrcFormat.forRelease("6.1.0-56-amd64"));
        assertEquals(OrcFormat.V2, OrcFormat.forRelease("6.3.7"));
        assertEquals(OrcFormat.V3, OrcFormat.forRelease("6.12.0-1-amd64"));
        // sp_reg=SP(5), bp_reg=PREV_SP(1), type REGS: V1 type 1 at bits 8-9, V3 type 3 at bits 8-10.
        assertEquals(OrcType.REGS, OrcFormat.V1.decode((short) 8, (short) 0, 0x115).type());
        assertEquals(OrcType.REGS, OrcFormat.V3.decode((short) 8, (short) 0, 0x315).type());
        assertEquals(OrcType.END_OF_STACK, OrcFormat.V1.decode((short) 0, (short) 0, 0x400).type());
        assertEquals(OrcType.END_OF_STACK, OrcFormat.V2.decode((short) 0, (short) 0, 0x800).type());
        assertEquals(OrcType.END_OF_STACK, OrcFormat.V3.decode((short) 0, (short) 0, 0x100).type());
        assertEquals(OrcType.UNDEFINED, OrcFormat.V1.decode((short) 0, (short) 0, 0).type());
        assertTrue(OrcFormat.V3.decode((short) 8, (short) 0, 0xa15).signal());
    }
}
