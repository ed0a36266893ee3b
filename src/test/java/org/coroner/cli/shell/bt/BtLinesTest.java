package org.coroner.cli.shell.bt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.coroner.cli.shell.Shell;
import org.coroner.cli.shell.ShellCommands;
import org.coroner.session.Session;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code bt -l} and {@code dis -l} on the null dump: every line equals addr2line's for the same code. */
@Tag("fixtures")
class BtLinesTest {
    private static Session session;

    @BeforeAll
    static void open() {
        session = Session.open(Fixtures.vmlinux(), Fixtures.vmcoreDir("null").resolve("vmcore"),
                List.of(Fixtures.kernelDir()), false);
    }

    @AfterAll
    static void close() throws Exception {
        session.close();
    }

    static String run(String line) {
        StringWriter out = new StringWriter();
        Shell shell = new Shell(new PrintWriter(out), new PrintWriter(new StringWriter()));
        ShellCommands.registerAll(shell, session);
        shell.execute(line);
        return out.toString();
    }

    private static final Pattern FRAME = Pattern.compile("#\\d+ \\[[0-9a-f]+\\] (\\S+) at ([0-9a-f]+)");

    @Test
    void everyKernelFrameLineAndInlineChainEqualsAddr2line() {
        List<String> out = run("bt -l").lines().toList();
        long kaslr = session.kernel().kaslrOffset();
        List<Long> pcs = new ArrayList<>();
        List<List<String>> ours = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            Matcher m = FRAME.matcher(out.get(i));
            if (!m.find()) {
                continue;
            }
            long pc = Long.parseUnsignedLong(m.group(2), 16);
            // #0 is where the CPU was (its RIP from the dump); the others are return addresses: their call
            pcs.add(pcs.isEmpty() ? pc - kaslr : pc - 1 - kaslr);
            List<String> lines = new ArrayList<>();
            for (int j = i + 1; j < out.size() && out.get(j).startsWith("    ") && out.get(j).contains("/"); j++) {
                lines.add(out.get(j).trim());
            }
            ours.add(lines);
        }
        assertThat(pcs).hasSize(11);
        List<String> cmd = new ArrayList<>(List.of("addr2line", "-f", "-i", "-e", Fixtures.vmlinux().toString()));
        pcs.forEach(p -> cmd.add("0x" + Long.toHexString(p)));
        String[] a2l = Fixtures.run(cmd.toArray(String[]::new)).split("\n");
        int k = 0;
        for (int f = 0; f < pcs.size(); f++) {
            // addr2line: function / file:line pairs, innermost first; one pair per level
            List<String[]> levels = new ArrayList<>();
            int expectedLevels = 1 + ours.get(f).size() - 1;
            for (int l = 0; l < expectedLevels; l++) {
                levels.add(new String[] {a2l[k++], a2l[k++].replaceAll(" \\(discriminator \\d+\\)", "")});
            }
            assertThat(ours.get(f).get(0)).isEqualTo(levels.get(0)[1].replaceFirst(":(\\d+)$", ": $1"));
            for (int l = 1; l < levels.size(); l++) {
                assertThat(ours.get(f).get(l)).isEqualTo(levels.get(l - 1)[0] + "() inlined into " + levels.get(l)[0]
                        + "() at " + levels.get(l)[1].replaceFirst(":(\\d+)$", ": $1"));
            }
        }
        // the faulting module frame: crashlab.c:39, the line of the Oops
        assertThat(out).contains("    [exception RIP: create_oops.constprop.0+35]", "    /usr/src/crashlab/crashlab.c: 39");
        // inline chains were shown where the kernel inlined: delay_tsc, exc_page_fault
        assertThat(out).anyMatch(l -> l.contains("handle_page_fault() inlined into exc_page_fault()"));
    }

    @Test
    void disLinesOfTheModuleFunctionEqualAddr2lineOnTheKo() {
        List<String> out = run("dis -l create_oops.constprop.0").lines().toList();
        var ko = Fixtures.crashlabKo().toString();
        String section = "";
        long symValue = 0;
        try (var elf = org.coroner.elf.ElfFile.open(Fixtures.crashlabKo())) {
            var s = elf.symbols().byName("create_oops.constprop.0").orElseThrow();
            section = elf.section(s.shndx()).name();
            symValue = s.value();
        }
        String file = null;
        int checked = 0;
        for (String l : out) {
            if (!l.startsWith("0x")) {
                file = l;
                continue;
            }
            long off = Long.parseLong(l.replaceAll(".*<create_oops\\.constprop\\.0\\+?(\\d*)>.*", "$1").isEmpty() ? "0"
                    : l.replaceAll(".*<create_oops\\.constprop\\.0\\+?(\\d*)>.*", "$1"));
            String want = Fixtures.run("addr2line", "-e", ko, "-j", section, "0x" + Long.toHexString(symValue + off)).strip()
                    .replaceAll(" \\(discriminator \\d+\\)", "").replaceFirst(":(\\d+)$", ": $1");
            assertThat(file).as(l).isEqualTo(want);
            checked++;
        }
        assertThat(checked).isEqualTo(16);
    }

    @Test
    void btVShowsCreateOopsArgumentsFromDwarf() {
        List<String> out = run("bt -v").lines().toList();
        int ex = out.indexOf("    [exception RIP: create_oops.constprop.0+35]");
        assertThat(ex).isPositive();
        List<String> after = out.subList(ex, out.size());
        // d lives in %rbx at +0x23 (location list), and the exception frame saved %rbx
        String rbx = after.stream().filter(l -> l.contains("RBX: ")).findFirst().orElseThrow()
                .replaceAll(".*RBX: ([0-9a-f]{16}).*", "$1");
        assertThat(after).anyMatch(l -> l.startsWith("      d = (struct lab_dev *) 0x" + rbx.replaceFirst("^0+", "")
                + "   [parameter, in %rbx (saved in the exception frame at "));
        // the constprop clone has size and magic as DW_AT_const_value
        assertThat(after).contains("      size = (int) 4660 (0x1234)   [parameter, constant in this code (the compiler propagated it)]",
                "      magic = (long unsigned int) 4276993775 (0xfeedbeef)   [parameter, constant in this code (the compiler propagated it)]");
        // an entry value the caller cannot give is said so, with the reason, not guessed
        assertThat(out).anyMatch(l -> l.contains("which reached page_fault_oops by a tail call"));
    }

    /** What crash 8.0.2's {@code bt -F} printed for these words of the null dump's panic task. */
    @Test
    void btFNamesWordsAsCrashDoes() {
        List<String> out = run("bt -F").lines().toList();
        assertThat(out).contains(
                "    ffffcfdd404fbb58: [kmalloc-16]     [kmalloc-64]     ",
                "    ffffcfdd404fbb68: _printk_rb_static_descs+98280 0000000000000003 ",
                "    ffffcfdd404fbbb8: create_oops.constprop.0+35 0000000000000010 ",
                "    ffffcfdd404fbc30: bcbea6cb25f1b100 __this_module    ",
                "    ffffcfdd404fbc40: [kmalloc-16]     ffffcfdd404fbc88 ",
                "    ffffcfdd404fbc50: 0000000000000003 do_init_module+74 ",
                "    ffffcfdd404fbd40: 0000000000000000 do_syscall_64+93 ");
        // d (RBX at the fault) is a kmalloc-64 object: struct lab_dev is 0x30 bytes
        assertThat(new org.coroner.kernel.mm.SlabLookup(session.kernel()).cacheOf(0xffff8ae6c256e400L)).contains("kmalloc-64");
    }
}
