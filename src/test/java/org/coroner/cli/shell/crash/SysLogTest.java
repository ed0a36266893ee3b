package org.coroner.cli.shell.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.coroner.cli.shell.Shell;
import org.coroner.cli.shell.ShellCommands;
import org.coroner.kernel.Tasks;
import org.coroner.session.Session;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Tag;

/** {@code sys} and {@code log} against what crash printed for the fixture dumps. */
@Tag("fixtures")
class SysLogTest {
    static String run(Session s, String line) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Shell shell = new Shell(new PrintWriter(out), new PrintWriter(err));
        ShellCommands.registerAll(shell, s);
        shell.execute(line);
        assertThat(err.toString()).isEmpty();
        return out.toString();
    }

    /** crash's output without its start-up warnings and the `mod -s` table. */
    static List<String> crash(String scenario, String file) {
        return Fixtures.crashOutput(scenario, file);
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba"})
    void sysEqualsCrashButCountsEveryTask(String scenario) throws Exception {
        try (Session s = Session.open(Fixtures.vmlinux(), Fixtures.vmcoreDir(scenario).resolve("vmcore"), List.of(), false)) {
            List<String> ours = run(s, "sys").lines().toList();
            List<String> theirs = crash(scenario, "sys.txt");
            assertThat(ours).hasSameSizeAs(theirs);
            for (int i = 0; i < ours.size(); i++) {
                String o = ours.get(i);
                String c = theirs.get(i);
                if (c.contains("KERNEL:") || c.contains("DUMPFILE:")) {
                    // crash was given ./vmlinux and ./vmcore; the flags after the path must agree
                    assertThat(o.replaceAll(":\\s+\\S+", ":")).isEqualTo(c.replaceAll(":\\s+\\S+", ":"));
                } else if (c.contains("TASKS:")) {
                    // crash counts the PID hash (3 here); every task is the task list plus the idle tasks not on it
                    Set<String> listed = Files.readAllLines(Fixtures.vmcoreDir(scenario).resolve("crash/tasklist.txt")).stream()
                            .filter(l -> l.matches("^ffff[0-9a-f]{12}$")).collect(Collectors.toCollection(TreeSet::new));
                    Set<String> all = s.tasks().all().stream().map(t -> String.format("%016x", t.address()))
                            .collect(Collectors.toCollection(TreeSet::new));
                    assertThat(all).containsAll(listed);
                    Set<String> extra = new TreeSet<>(all);
                    extra.removeAll(listed);
                    // only per-CPU idle tasks (swapper/N, pid 0) are missing from init_task.tasks
                    for (Tasks.Task t : s.tasks().all()) {
                        if (extra.contains(String.format("%016x", t.address()))) {
                            assertThat(t.pid()).isZero();
                            assertThat(t.comm()).startsWith("swapper/");
                        }
                    }
                    assertThat(o).isEqualTo("       TASKS: " + all.size());
                    assertThat(all.size()).isEqualTo(listed.size() + extra.size());
                } else {
                    assertThat(o).isEqualTo(c);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba"})
    void logEqualsCrashLineForLine(String scenario) throws Exception {
        try (Session s = Session.open(Fixtures.vmlinux(), Fixtures.vmcoreDir(scenario).resolve("vmcore"), List.of(), false)) {
            List<String> ours = run(s, "log").lines().toList();
            List<String> theirs = crash(scenario, "log.txt");
            assertThat(ours.size()).isGreaterThan(1000);
            assertThat(ours).isEqualTo(theirs);
            // -t drops the timestamp, -m adds the level
            List<String> t = run(s, "log -t").lines().toList();
            assertThat(t.get(0)).isEqualTo(theirs.get(0).replaceFirst("^\\[\\s*[0-9.]+\\] ", ""));
            assertThat(run(s, "log -m").lines().findFirst().orElseThrow()).matches("^\\[\\s*[0-9.]+\\] <\\d>Linux version .*");
        }
    }
}
