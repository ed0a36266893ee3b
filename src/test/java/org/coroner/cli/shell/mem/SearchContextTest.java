package org.coroner.cli.shell.mem;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import org.coroner.session.Session;
import org.coroner.testing.CrashLive;
import org.coroner.testing.CrashReference;
import org.coroner.testing.FixtureSessions;
import org.coroner.testing.ShellRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code search -x}: each hit between the values around it. crash 8.0.2 prints every block twice
 * (the whole list, then the list again); its distinct blocks, in order, are ours, and each context
 * line is what {@code rd} prints at that address.
 */
@Tag("fixtures")
class SearchContextTest {
    @ParameterizedTest
    @ValueSource(strings = {"null", "qemu-null"})
    void eachHitBetweenTheValuesAroundItAsCrashPrintsThem(String scenario) {
        Session s = FixtureSessions.session(scenario);
        long init = CrashLive.addresses(scenario).initTask();
        long page = init & -0x1000L;
        List<String> commands = List.of(
                String.format("search -x 2 -s %x -l 0x2000 %x", page, init),
                String.format("search -x 1 -w -s %x -l 0x400 %x", init, init >>> 32),
                String.format("search -x 3 -h -s %x -l 0x100 ffff", init));
        CrashReference crash = CrashReference.run(FixtureSessions.vmcore(scenario), commands);
        ShellRun sh = new ShellRun(s);
        int blocks = 0;
        for (String cmd : commands) {
            String ours = sh.run(cmd);
            assertThat(sh.errors()).as(cmd).isEmpty();
            List<String> mine = blocks(ours);
            assertThat(mine).as(cmd).isNotEmpty().doesNotHaveDuplicates();
            assertThat(new ArrayList<>(new LinkedHashSet<>(blocks(crash.output(cmd))))).as(cmd).isEqualTo(mine);
            int unit = cmd.contains(" -w ") ? 4 : cmd.contains(" -h ") ? 2 : 8;
            for (String block : mine) {
                List<String> lines = block.lines().toList();
                assertThat(lines.stream().filter(l -> l.matches("[0-9a-f]+:  [0-9a-f]{" + unit * 2 + "} "))).as(block).hasSize(1);
                for (String line : lines) {
                    if (line.matches("[0-9a-f]+:  [0-9a-f]+ ")) {
                        continue; // the hit
                    }
                    String addr = line.substring(0, line.indexOf(':'));
                    assertThat(sh.run("rd -" + unit * 8 + " " + addr + " " + valuesIn(line, unit))).as(line).isEqualTo(line + "\n");
                }
            }
            blocks += mine.size();
        }
        assertThat(blocks).isGreaterThanOrEqualTo(4);
    }

    /** How many values an rd line holds: the words of the unit's width after the address (at most a line's worth). */
    private static int valuesIn(String line, int unit) {
        int n = 0;
        for (String w : line.substring(line.indexOf(':') + 1).trim().split(" +")) {
            if (n == 16 / unit || !w.matches("[0-9a-f]{" + unit * 2 + "}")) {
                break;
            }
            n++;
        }
        return n;
    }

    private static List<String> blocks(String out) {
        List<String> b = new ArrayList<>();
        for (String block : out.split("\n\n")) {
            if (!block.isBlank()) {
                b.add(block.replaceAll("^\n+", "") + (block.endsWith("\n") ? "" : "\n"));
            }
        }
        return b;
    }
}
