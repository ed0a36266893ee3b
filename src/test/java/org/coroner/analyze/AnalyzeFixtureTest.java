package org.coroner.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.coroner.oops.report.DebugFiles;
import org.coroner.session.Session;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The acceptance cases: the two shared fixture dumps and their console logs. */
@Tag("fixtures")
class AnalyzeFixtureTest {
    static Analysis dump(Path vmcore) throws Exception {
        try (Session s = Session.open(Fixtures.vmlinux(), vmcore, List.of(Fixtures.kernelDir()), false)) {
            return new DumpAnalyzer(s).analyze();
        }
    }

    static Analysis log(Path log) {
        try (DebugFiles d = new DebugFiles(Fixtures.vmlinux(), List.of(Fixtures.kernelDir()))) {
            return new LogAnalyzer(log, d).analyze();
        }
    }

    static String evidence(Analysis a) {
        return a.evidence().stream().map(e -> e.statement() + " | " + e.derivation()).collect(Collectors.joining("\n"));
    }

    @Test
    void nullDumpNamesDOpsAsTheNullPointerAndOpsCounterAsTheAccess() throws Exception {
        Analysis a = dump(Fixtures.vmcoreDir("null").resolve("vmcore"));
        assertThat(a.verdict().kind()).isEqualTo(Kind.NULL_POINTER_DEREFERENCE);
        assertThat(a.verdict().confidence()).isEqualTo(Confidence.HIGH);
        assertThat(a.verdict().location().function()).isEqualTo("create_oops");
        assertThat(a.verdict().location().file()).endsWith("crashlab.c");
        assertThat(a.verdict().location().line()).isEqualTo(39);
        assertThat(a.verdict().location().module()).isEqualTo("crashlab");
        assertThat(a.verdict().summary()).contains("d->ops is NULL").contains("ops->counter").contains("struct lab_ops");
        String ev = evidence(a);
        // each link, and where it came from
        assertThat(ev).contains("addq   $0x1234,0x8(%rax)");
        assertThat(ev).contains("%rax was loaded by mov    0x28(%rbx),%rax");
        assertThat(ev).contains("Parameter 'd' (struct lab_dev *) of create_oops() lives in %rbx");
        assertThat(ev).contains("struct lab_dev has member 'ops' at +0x28");
        assertThat(ev).contains("the faulting access is ops->counter");
        assertThat(ev).contains("exception frame (struct pt_regs)");
        // the registers the evidence quotes are the dump's: d is the task's kzalloc'd lab_dev
        assertThat(a.context().backtrace()).anySatisfy(f -> {
            assertThat(f.exception()).isTrue();
            assertThat(f.symbol()).startsWith("create_oops.constprop.0+0x23");
            assertThat(f.arguments()).anySatisfy(arg -> assertThat(arg).startsWith("d = (struct lab_dev *) 0xffff"));
        });
        assertThat(a.context().task().comm()).isEqualTo("insmod");
        assertThat(a.context().execution().context()).isEqualTo("process");
        assertThat(a.context().panic()).isEqualTo("Fatal exception");
        assertThat(a.context().taint()).anySatisfy(t -> assertThat(t).startsWith("O "));
    }

    @Test
    void mutexAbbaDumpIsADeadlockCycleWithEvidenceOnEachEdge() throws Exception {
        Analysis a = dump(Fixtures.vmcoreDir("mutex_abba").resolve("vmcore"));
        assertThat(a.verdict().kind()).isEqualTo(Kind.MUTEX_DEADLOCK);
        assertThat(a.verdict().summary())
                .contains("lab_mutex_ab (pid 92) holds mutex mutex_a [crashlab] and waits for mutex mutex_b [crashlab]")
                .contains("lab_mutex_ba (pid 93) holds mutex mutex_b [crashlab] and waits for mutex mutex_a [crashlab]");
        List<Context.Edge> cycle = a.context().cycle();
        assertThat(cycle).hasSize(4);
        assertThat(cycle).extracting(Context.Edge::relation).containsExactly("waits-for", "held-by", "waits-for", "held-by");
        for (Context.Edge e : cycle) {
            assertThat(e.evidence()).isNotBlank();
            assertThat(e.derivation()).containsAnyOf("struct mutex_waiter", "struct mutex.owner");
        }
        // the owners are read from the lock words: mutex_b's owner is lab_mutex_ba
        assertThat(evidence(a)).contains("mutex_b [crashlab] is held by lab_mutex_ba (pid 93)")
                .contains("mutex_a [crashlab] is held by lab_mutex_ab (pid 92)");
        assertThat(a.context().blockedTasks()).extracting(b -> b.task().comm()).contains("lab_mutex_ab", "lab_mutex_ba");
        assertThat(a.context().blockedTasks()).filteredOn(b -> b.task().comm().equals("lab_mutex_ab"))
                .singleElement().satisfies(b -> {
                    assertThat(b.waitsOn()).isEqualTo("mutex mutex_b [crashlab]");
                    assertThat(b.owner()).isEqualTo("lab_mutex_ba (pid 93)");
                    assertThat(b.blockedSeconds()).isGreaterThan(8.0);
                });
    }

    @Test
    void theLogsGiveTheSameVerdicts() {
        Analysis n = log(Fixtures.vmcoreDir("null").resolve("console.log"));
        assertThat(n.verdict().kind()).isEqualTo(Kind.NULL_POINTER_DEREFERENCE);
        assertThat(n.verdict().location().function()).isEqualTo("create_oops");
        assertThat(n.verdict().location().line()).isEqualTo(39);
        assertThat(n.verdict().summary()).contains("d->ops is NULL").contains("ops->counter");

        Analysis m = log(Fixtures.vmcoreDir("mutex_abba").resolve("console.log"));
        assertThat(m.verdict().kind()).isEqualTo(Kind.MUTEX_DEADLOCK);
        assertThat(m.verdict().summary()).contains("lab_mutex_ab (pid 92) holds mutex_a and waits for mutex_b")
                .contains("lab_mutex_ba (pid 93) holds mutex_b and waits for mutex_a");
        assertThat(evidence(m)).contains("mutex_ab+0xc called mutex_lock(&mutex_a)").contains("relocations");

        Analysis l = log(Fixtures.consoleLog("listdel.log"));
        assertThat(l.verdict().kind()).isEqualTo(Kind.USE_AFTER_LIST_DEL);
        assertThat(l.verdict().summary()).contains("struct lab_dev").contains("list member node");

        Analysis q = log(Fixtures.consoleLog("sysrq.log"));
        assertThat(q.verdict().kind()).isEqualTo(Kind.SYSRQ_TRIGGERED);
    }
}
