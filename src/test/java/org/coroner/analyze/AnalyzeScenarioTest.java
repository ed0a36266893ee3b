package org.coroner.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.coroner.oops.report.DebugFiles;
import org.coroner.session.Session;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every crash scenario's own dump and console log ({@code scripts/make-scenario-dumps.sh}, which
 * {@code scripts/test.sh} runs first), analyzed: the verdict, where, and the fact it rests on.
 */
@Tag("fixtures")
class AnalyzeScenarioTest {
    static Path dir(String scenario) {
        String env = System.getenv("CORONER_DUMPS");
        Path base = env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "coroner", "dumps");
        Path d = base.resolve(scenario);
        assumeTrue(Files.isRegularFile(d.resolve("complete")), "no dump of " + scenario + ": run scripts/make-scenario-dumps.sh");
        return d;
    }

    @ParameterizedTest(name = "{0} dump: {1}")
    @CsvSource(delimiter = '|', value = {
            "null       | null-pointer-dereference | create_oops            | d->ops is NULL",
            "listdel    | use-after-list-del       | lab_list_use_after_del | victim->node (struct lab_dev, member node)",
            "uaf        | use-after-free           | crashlab_init          | freed kmalloc-64 object",
            "bug        | bug-on                   | lab_bug                | BUG_ON() assertion failed",
            "spin_abba  | spinlock-deadlock        | spin_ab                | holds spinlock lock_a [crashlab] and waits for spinlock lock_b",
            "mutex_abba | mutex-deadlock           | mutex_ab               | holds mutex mutex_a [crashlab] and waits for mutex mutex_b",
            "work       | null-pointer-dereference | lab_work_fn            | The pointer d is NULL",
            "timer      | null-pointer-dereference | lab_timer_fn           | ops->counter",
            "sysrq      | sysrq-triggered          |                        | /proc/sysrq-trigger",
            "oom        | out-of-memory            |                        | panic_on_oom"})
    void dump(String scenario, String kind, String function, String summary) throws Exception {
        Path d = dir(scenario);
        Analysis a;
        try (Session s = Session.open(Fixtures.vmlinux(), d.resolve("vmcore"), List.of(Fixtures.kernelDir()), false)) {
            a = new DumpAnalyzer(s).analyze();
        }
        assertThat(a.verdict().kind().id()).as(a.verdict().summary()).isEqualTo(kind);
        assertThat(a.verdict().summary()).contains(summary);
        if (function != null) {
            assertThat(a.verdict().location().function()).isEqualTo(function);
            assertThat(a.verdict().location().file()).endsWith("crashlab.c");
        }
        assertThat(a.evidence()).isNotEmpty().allSatisfy(e -> {
            assertThat(e.statement()).isNotBlank();
            assertThat(e.derivation()).isNotBlank();
        });
        String ev = a.evidence().stream().map(e -> e.statement() + " " + e.derivation()).collect(Collectors.joining("\n"));
        switch (scenario) {
            case "work" -> assertThat(a.context().callback()).contains("lab_work").contains("lab_work_fn");
            case "timer" -> {
                assertThat(a.context().callback()).contains("lab_timer").contains("lab_timer_fn");
                assertThat(a.context().execution().context()).isEqualTo("softirq");
            }
            case "uaf" -> assertThat(ev).contains("points into the FREE kmalloc-64 object").contains("freelist");
            // the CPU's own word, read at the fault handlers' frames (FaultSyndrome)
            case "null" -> assertThat(ev).contains("page_fault_oops+0xf9 received address = 0x8 (CR2, the faulting address)")
                    .contains("error_code = 0x0 (supervisor read access in kernel mode, not-present page)");
            case "listdel" -> assertThat(ev).contains("{next = LIST_POISON1, prev = LIST_POISON2}");
            case "spin_abba" -> assertThat(ev).contains("parameter 'lock' of native_queued_spin_lock_slowpath")
                    .contains("spin_ab+0x12 called _raw_spin_lock(&lock_a, ");
            default -> {
            }
        }
    }

    @org.junit.jupiter.api.Test
    void useAfterFreeUnderSlubDebugNamesTheFreeingStack() throws Exception {
        Path d = dir("qemu-uaf-slub_debug");
        Analysis a;
        try (Session s = Session.open(Fixtures.vmlinux(), d.resolve("zlib"), List.of(Fixtures.kernelDir()), false)) {
            a = new DumpAnalyzer(s).analyze();
        }
        assertThat(a.verdict().kind()).isEqualTo(Kind.USE_AFTER_FREE);
        assertThat(a.verdict().confidence()).isEqualTo(Confidence.HIGH);
        assertThat(a.verdict().location().function()).isEqualTo("lab_use_after_free");
        assertThat(a.verdict().summary()).contains("freed kmalloc-64 object").contains("(variable 'd')")
                .contains("freed by pid").contains("from lab_use_after_free+0x");
        String ev = a.evidence().stream().map(Evidence::statement).collect(Collectors.joining("\n"));
        assertThat(ev).contains("POISON_FREE").contains("so %rax held d->ops").contains("freeing stack: ")
                .contains("It had been allocated by pid");
    }

    @ParameterizedTest(name = "{0} log: {1}")
    @CsvSource(delimiter = '|', value = {
            "null       | null-pointer-dereference | d->ops is NULL",
            "listdel    | use-after-list-del       | struct lab_dev (list member node)",
            "uaf        | null-pointer-dereference | do_one_initcall",
            "bug        | bug-on                   | lab_bug",
            "spin_abba  | spinlock-deadlock        | holds lock_a and waits for lock_b",
            "mutex_abba | mutex-deadlock           | holds mutex_a and waits for mutex_b",
            "work       | null-pointer-dereference | lab_work_fn",
            "timer      | null-pointer-dereference | lab_timer_fn",
            "sysrq      | sysrq-triggered          | SysRq",
            "oom        | out-of-memory            | panic_on_oom"})
    void log(String scenario, String kind, String summary) {
        Path d = dir(scenario);
        Analysis a;
        try (DebugFiles debug = new DebugFiles(Fixtures.vmlinux(), List.of(Fixtures.kernelDir()))) {
            a = new LogAnalyzer(d.resolve("console.log"), debug).analyze();
        }
        assertThat(a.verdict().kind().id()).as(a.verdict().summary()).isEqualTo(kind);
        assertThat(a.verdict().summary()).contains(summary);
        switch (scenario) {
            case "work" -> assertThat(a.context().callback()).isEqualTo("workqueue events lab_work_fn [crashlab]");
            case "timer" -> {
                assertThat(a.context().callback()).isEqualTo("timer callback lab_timer_fn [crashlab]");
                assertThat(a.context().execution().context()).isEqualTo("softirq");
            }
            case "null" -> assertThat(a.context().execution().context()).isEqualTo("process");
            case "sysrq" -> assertThat(a.verdict().location().function()).isEqualTo("sysrq_handle_crash");
            case "spin_abba", "oom" -> assertThat(a.context().callback()).isNull();
            default -> {
            }
        }
    }
}
