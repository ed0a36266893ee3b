package org.coroner.cli.shell.mem;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.coroner.kernel.mm.MemoryInfo;
import org.coroner.session.Session;
import org.coroner.testing.CrashLive;
import org.coroner.testing.CrashReference;
import org.coroner.testing.FixtureSessions;
import org.coroner.testing.ShellRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kmem, vtop, ptov and search against crash run live on both fixture dumps: byte for byte, except
 * where crash is wrong (each exception is asserted against the kernel's own data).
 */
@Tag("fixtures")
class MemoryCommandsTest {
    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba", "qemu-null"})
    void everyMemoryCommandPrintsWhatCrashPrints(String scenario) {
        Session s = FixtureSessions.session(scenario);
        CrashReference crash = CrashLive.crash(scenario);
        ShellRun sh = new ShellRun(s);
        int equal = 0;
        List<String> compared = new ArrayList<>();
        for (String cmd : CrashLive.memoryCommands(scenario)) {
            if (cmd.equals("kmem -i") || cmd.startsWith("search -t")) {
                continue; // below: where crash 8.0.2 is wrong
            }
            String ours = sh.run(cmd);
            assertThat(sh.errors()).as(cmd).isEmpty();
            String theirs = crash.output(cmd);
            if (!ours.equals(theirs)) {
                // crash does not know the tasks missing from its PID hash: it cannot name the task
                // whose task_struct or stack holds an address; the kernel's task list can
                String without = withoutContextsCrashLacks(ours, crash);
                assertThat(without).as(cmd).isNotEqualTo(ours);
                ours = without;
            }
            assertThat(ours).as(cmd).isEqualTo(theirs);
            equal += ours.lines().count();
            compared.add(cmd);
        }
        assertThat(compared).hasSizeGreaterThan(20);
        assertThat(equal).isGreaterThan(100);
    }

    /** Removes the context blocks ({@code set}'s layout) of tasks that crash's ps does not list. */
    private static String withoutContextsCrashLacks(String out, CrashReference crash) {
        Set<String> known = new TreeSet<>();
        crash.lines("ps").stream().filter(l -> l.matches(".*\\b[0-9a-f]{16}\\b.*"))
                .forEach(l -> known.add(l.replaceFirst(".*\\b([0-9a-f]{16})\\b.*", "$1")));
        return java.util.regex.Pattern.compile("    PID: \\d+\nCOMMAND: .*\n   TASK: ([0-9a-f]+) .*\n    CPU: .*\n  STATE: .*\n\n")
                .matcher(out).replaceAll(m -> known.contains(m.group(1)) ? java.util.regex.Matcher.quoteReplacement(m.group()) : "");
    }

    /**
     * kmem -i equals crash's but for SLAB: crash 8.0.2 counts the PG_slab pages of the memory map,
     * only the head page of each multi-page slab; the kernel's counters (/proc/meminfo's Slab) count
     * every page.
     */
    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba", "qemu-null"})
    void kmemSummaryIsCrashsWithTheKernelsSlabCount(String scenario) {
        Session s = FixtureSessions.session(scenario);
        List<String> ours = new ShellRun(s).run("kmem -i").lines().toList();
        List<String> theirs = CrashLive.crash(scenario).lines("kmem -i");
        assertThat(ours).hasSameSizeAs(theirs).hasSize(18);
        MemoryInfo mi = new MemoryInfo(s.kernel(), s.memMap());
        for (int i = 0; i < ours.size(); i++) {
            if (theirs.get(i).trim().startsWith("SLAB ")) {
                long crashPages = Long.parseLong(theirs.get(i).trim().split("\\s+")[1]);
                assertThat(crashPages).isEqualTo(mi.mapCounts().slabPages());
                long slab = mi.nodeStat("NR_SLAB_RECLAIMABLE_B") + mi.nodeStat("NR_SLAB_UNRECLAIMABLE_B");
                assertThat(ours.get(i).trim().split("\\s+")[1]).isEqualTo(Long.toString(slab));
                // every page of every slab of every cache (2^order each), plus kmalloc's large pages
                long pages = 0;
                for (var c : s.slub().caches()) {
                    pages += s.slub().counts(c).slabs() << c.order();
                }
                assertThat(slab).isGreaterThan(crashPages).isGreaterThanOrEqualTo(pages);
            } else {
                assertThat(ours.get(i)).isEqualTo(theirs.get(i));
            }
        }
    }

    /**
     * search -t finds the value in every task's stack that holds it (crash only in the stacks of the
     * 3 tasks it knows, whose blocks ours repeats), and search -k lists every one of those places.
     */
    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba", "qemu-null"})
    void searchFindsTheValueInTheStacksThatHoldIt(String scenario) {
        Session s = FixtureSessions.session(scenario);
        CrashReference crash = CrashLive.crash(scenario);
        CrashLive.Addresses a = CrashLive.addresses(scenario);
        ShellRun sh = new ShellRun(s);
        String t = sh.run(String.format("search -t %x", a.panicTask()));
        String k = sh.run(String.format("search -k %x", a.panicTask()));
        // crash's blocks are ours
        for (String block : crash.output(String.format("search -t %x", a.panicTask())).split("\n\n")) {
            assertThat(t).contains(block.trim());
        }
        Set<String> stackHits = new TreeSet<>();
        long threadSize = s.backtracer().stacks().threadSize();
        String task = null;
        int tasks = 0;
        for (String l : t.lines().toList()) {
            if (l.startsWith("PID: ")) {
                task = l.replaceFirst(".*TASK: ([0-9a-f]+).*", "$1");
                tasks++;
            } else if (!l.isEmpty()) {
                long addr = Long.parseUnsignedLong(l.substring(0, l.indexOf(':')), 16);
                long stack = s.kernel().object("struct task_struct", Long.parseUnsignedLong(task, 16)).member("stack").u64();
                assertThat(addr - stack).isBetween(0L, threadSize - 8);
                assertThat(s.kernel().memory().u64(addr)).isEqualTo(a.panicTask());
                stackHits.add(l);
            }
        }
        assertThat(tasks).isPositive();
        assertThat(k.lines().toList()).containsAll(stackHits);
    }

    /**
     * search -u finds init's environment ("HOME=/", as crash's ps -a prints it) in its user memory,
     * inside [mm->env_start, mm->env_end), through init's own page tables.
     */
    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba", "qemu-null"})
    void searchFindsStringsInUserMemory(String scenario) {
        Session s = FixtureSessions.session(scenario);
        ShellRun sh = new ShellRun(s);
        try {
            sh.run("set 1");
            var init = s.current().orElseThrow();
            var mm = s.kernel().object("struct mm_struct", init.task().member("mm").u64());
            long envStart = mm.member("env_start").u64();
            long envEnd = mm.member("env_end").u64();
            List<String> hits = sh.run("search -u -c HOME=/").lines().toList();
            assertThat(sh.errors()).isEmpty();
            assertThat(hits).anySatisfy(h -> {
                long at = Long.parseUnsignedLong(h.substring(0, h.indexOf(':')), 16);
                assertThat(at).isBetween(envStart, envEnd - 6);
                assertThat(h.substring(h.indexOf(": ") + 2)).startsWith("HOME=/.TERM=linux");
            });
            String walk = sh.run(String.format("vtop -u %x", envStart));
            assertThat(walk).contains("   PGD: ", "   PTE: ", "  PAGE: ", "(PRESENT|").contains("USER");
        } finally {
            sh.run("set -p");
        }
    }

    @Test
    void errorsAreOneLineAndTheSessionGoesOn() {
        Session s = FixtureSessions.session("null");
        ShellRun sh = new ShellRun(s);
        sh.run("vtop -u -k 1000");
        assertThat(sh.errors()).isEqualTo("vtop: -u and -k options are mutually exclusive\n");
        sh.run("kmem -s nosuchcache");
        assertThat(sh.errors()).isEqualTo("kmem: invalid cache name or address: nosuchcache\n");
        sh.run("kmem -s ffff8ae6c0000000");
        assertThat(sh.errors()).isEqualTo("kmem: address is not allocated in slab subsystem: ffff8ae6c0000000\n");
        sh.run("kmem 7fffffffff000");
        assertThat(sh.errors()).isEqualTo("kmem: 7fffffffff000: physical address not found in mem map\n");
        sh.run("kmem xyz");
        assertThat(sh.errors()).isEqualTo("kmem: invalid address: xyz\n");
        sh.run("search -w 123456789");
        assertThat(sh.errors()).isEqualTo("search: value too large for -w option: 123456789\n");
        sh.run("vtop -c 99999 1000");
        assertThat(sh.errors()).isEqualTo("vtop: invalid task or pid value: 99999\n");
        sh.run("set 2; vtop 400000");
        assertThat(sh.errors()).isEqualTo("vtop: kthreadd (pid 2) has no user address space: a kernel thread\n");
        sh.run("set -p");
        assertThat(sh.run("ptov 1000")).contains("1000");
    }
}
