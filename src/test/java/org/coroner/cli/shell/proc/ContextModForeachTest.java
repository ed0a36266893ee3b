package org.coroner.cli.shell.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.coroner.session.Session;
import org.coroner.testing.CrashLive;
import org.coroner.testing.CrashReference;
import org.coroner.testing.FixtureSessions;
import org.coroner.testing.Fixtures;
import org.coroner.testing.ShellRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code set}, {@code mod} and {@code foreach} against crash run live on the fixture dumps. */
@Tag("fixtures")
class ContextModForeachTest {
    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba", "qemu-null"})
    void setShowsAndChangesTheContextAsCrashDoesAndBtFollowsIt(String scenario) {
        Session s = FixtureSessions.session(scenario);
        CrashReference crash = CrashLive.crash(scenario);
        ShellRun sh = new ShellRun(s);
        try {
            assertThat(sh.run("set")).isEqualTo(crash.output("set"));
            assertThat(sh.run("set -c 0")).isEqualTo(crash.output("set -c 0"));
            String bt = sh.run("bt");
            assertThat(bt.lines().findFirst().orElseThrow()).startsWith("PID: ").contains("CPU: 0 ");
            assertThat(sh.run("set -c 1")).isEqualTo(crash.output("set -c 1"));
            assertThat(sh.run("bt").lines().findFirst().orElseThrow()).contains("CPU: 1 ");
            assertThat(sh.run("set -p")).isEqualTo(crash.output("set -p"));
            assertThat(sh.run("set")).isEqualTo(crash.output("set"));
            // a task crash cannot find in its PID hash is a context like any other here
            assertThat(sh.run("set 2")).contains("    PID: 2", "COMMAND: \"kthreadd\"", "  STATE: TASK_INTERRUPTIBLE \n");
            assertThat(sh.run("bt")).startsWith("PID: 2        TASK: ");
            sh.run("set 424242");
            assertThat(sh.errors()).isEqualTo("set: invalid task or pid value: 424242\n");
            assertThat(sh.run("set")).contains("    PID: 2\n"); // unchanged by the error
        } finally {
            sh.run("set -p");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba", "qemu-null"})
    void modListsLoadsAndShowsTaintsAsCrashDoes(String scenario) throws Exception {
        CrashReference crash = CrashLive.crash(scenario);
        try (Session s = Session.open(Fixtures.vmlinux(), FixtureSessions.vmcore(scenario), List.of(), false)) {
            ShellRun sh = new ShellRun(s);
            assertThat(sh.run("mod")).isEqualTo(crash.output("mod", 0));
            assertThat(sh.run(CrashLive.modLoad())).isEqualTo(crash.output(CrashLive.modLoad()));
            assertThat(sh.run("mod")).isEqualTo(crash.output("mod", 1));
            assertThat(sh.run("mod -t")).isEqualTo(crash.output("mod -t"));
            // the loaded file is the session's: bt -l finds crashlab's lines through it
            assertThat(s.moduleFiles().find("crashlab")).contains(Fixtures.crashlabKo());
            sh.run("mod -d crashlab");
            assertThat(s.moduleFiles().find("crashlab")).isEmpty();
            assertThat(sh.run("mod")).isEqualTo(crash.output("mod", 0));
            sh.run("mod -s qemu_fw_cfg " + Fixtures.crashlabKo());
            assertThat(sh.errors()).startsWith("mod: ").contains("does not match the loaded qemu_fw_cfg module");
            sh.run("mod -S " + Fixtures.kernelDir());
            assertThat(sh.errors()).isEmpty();
            assertThat(s.moduleFiles().find("qemu_fw_cfg")).contains(Fixtures.kernelDir().resolve("qemu_fw_cfg.ko"));
        }
    }

    @Test
    void foreachRunsAnyCommandOnTheTasksItSelects() {
        Session s = FixtureSessions.session("mutex_abba");
        ShellRun sh = new ShellRun(s);
        // a TaskSetCommand gets the whole set: one ps table of the uninterruptible tasks, the two deadlocked kthreads
        List<PsTest.Row> un = PsTest.rows(sh.run("foreach UN ps"));
        assertThat(un).extracting(PsTest.Row::comm).containsExactly("[lab_mutex_ab]", "[lab_mutex_ba]");
        assertThat(sh.run("foreach UN ps").lines().filter(l -> l.contains("PID    PPID")).count()).isOne();
        // foreach bt is bt of each task
        String bts = sh.run("foreach lab_mutex_ab lab_mutex_ba bt");
        assertThat(bts).isEqualTo(sh.run("bt " + un.get(0).pid() + " " + un.get(1).pid()));
        assertThat(bts).contains("mutex_lock", "mutex_ab", "mutex_ba");
        // regex, kernel/user, active
        assertThat(PsTest.rows(sh.run("foreach 'lab_mutex' ps"))).hasSize(2);
        assertThat(PsTest.rows(sh.run("foreach user ps"))).allSatisfy(r -> assertThat(r.comm()).doesNotStartWith("["));
        assertThat(PsTest.rows(sh.run("foreach kernel ps"))).allSatisfy(r -> assertThat(r.comm()).startsWith("["));
        assertThat(PsTest.rows(sh.run("foreach active ps"))).allSatisfy(r -> assertThat(r.active()).isTrue()).hasSize(2);
        // foreach set: crash's header line, then the task's context block
        String sets = sh.run("foreach 'lab_mutex' set");
        assertThat(sets.lines().filter(l -> l.startsWith("PID: ")).count()).isEqualTo(2);
        assertThat(sets).contains("COMMAND: \"lab_mutex_ab\"", "COMMAND: \"lab_mutex_ba\"", "TASK_UNINTERRUPTIBLE");
        // any other command runs once per task with the task as the context: ptov OFFSET: uses the context's CPU
        List<PsTest.Row> users = PsTest.rows(sh.run("foreach user ps"));
        String perCpu = sh.run("foreach user ptov 0:");
        List<String> cpus = perCpu.lines().filter(l -> l.startsWith("  [")).map(l -> l.substring(3, l.indexOf(']'))).toList();
        assertThat(cpus).hasSize(users.size()).containsExactlyElementsOf(users.stream().map(r -> Integer.toString(r.cpu())).toList());
        assertThat(sh.run("set")).contains("(PANIC)"); // the context is back
        sh.run("foreach bt nosuchcmd");
        sh.run("foreach 99999 bt");
        assertThat(sh.errors()).contains("foreach: invalid task or pid value: 99999");
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba", "qemu-null"})
    void foreachRuPsHasCrashsTasks(String scenario) {
        Session s = FixtureSessions.session(scenario);
        List<PsTest.Row> ours = PsTest.rows(new ShellRun(s).run("foreach RU ps"));
        List<PsTest.Row> theirs = PsTest.rows(CrashLive.crash(scenario).output("foreach RU ps"));
        assertThat(ours).allSatisfy(r -> assertThat(r.state()).isEqualTo("RU"));
        for (PsTest.Row c : theirs) {
            assertThat(ours).anySatisfy(r -> assertThat(List.of(r.active(), r.pid(), r.cpu(), r.task(), r.vsz(), r.comm()))
                    .isEqualTo(List.of(c.active(), c.pid(), c.cpu(), c.task(), c.vsz(), c.comm())));
        }
    }
}
