package org.coroner.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.coroner.oops.report.DebugFiles;
import org.coroner.session.Session;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The dumps of Coroner's own module scripts/lab/coronerlab.c ({@code scripts/make-scenario-dumps.sh}
 * builds it and makes them; {@code scripts/test.sh} runs it first), analyzed from the dump and from
 * its console log: the verdict, the source line it names (checked against the module's source), and
 * the facts it rests on, compared with what the kernel printed.
 */
@Tag("fixtures")
class AnalyzeLabScenarioTest {
    /** The dump's directory, which keeps the coronerlab.ko it was made with (make-dumps.sh). */
    private static Path labModules(Path d) {
        assumeTrue(Files.isRegularFile(d.resolve("coronerlab.ko")), "no coronerlab.ko in " + d + ": run scripts/make-scenario-dumps.sh");
        return d;
    }

    private static Analysis dump(String scenario) throws Exception {
        Path d = AnalyzeScenarioTest.dir(scenario);
        try (Session s = Session.open(Fixtures.vmlinux(), d.resolve("vmcore"), List.of(labModules(d), Fixtures.kernelDir()), false)) {
            return new DumpAnalyzer(s).analyze();
        }
    }

    private static Analysis log(String scenario) {
        Path d = AnalyzeScenarioTest.dir(scenario);
        try (DebugFiles debug = new DebugFiles(Fixtures.vmlinux(), List.of(labModules(d), Fixtures.kernelDir()))) {
            return new LogAnalyzer(d.resolve("console.log"), debug).analyze();
        }
    }

    private static String console(String scenario) throws IOException {
        return Files.readString(AnalyzeScenarioTest.dir(scenario).resolve("console.log"));
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("console log has " + regex).isTrue();
        return m.group(1);
    }

    /** The line of scripts/lab/coronerlab.c the location names. */
    private static String sourceLine(CodeLocation at) throws IOException {
        assertThat(at).isNotNull();
        assertThat(at.file()).endsWith("coronerlab.c");
        assertThat(at.module()).isEqualTo("coronerlab");
        List<String> src = Files.readAllLines(Path.of("scripts/lab/coronerlab.c"));
        return src.get(at.line() - 1);
    }

    private static String evidence(Analysis a) {
        return a.evidence().stream().map(e -> e.statement() + " | " + e.derivation()).collect(Collectors.joining("\n"));
    }

    @ParameterizedTest(name = "{0} dump: {1}")
    @CsvSource(delimiter = '|', value = {
            "double_free     | double-free             | lab_double_free     | req_release(r);",
            "double_free_debug | double-free           | lab_double_free     | req_release(r);",
            "stack_overflow  | stack-overflow          | walk_tree           | frame[",
            "bad_pointer     | bad-pointer-dereference | count_hit           | ++r->ops->hits",
            "list_corruption | list-corruption         | lab_list_corruption | list_del(&r[1]->link)",
            "warning         | warning                 | check_state         | WARN_ON(r->state & 0x4)",
            "soft_lockup     | soft-lockup             | busy_poll           | spin_forever",
            "rcu_stall       | rcu-stall               | rcu_reader          | spin_forever",
            "rcu_blocked     | rcu-stall               | rcu_sleeper         | schedule_timeout_interruptible",
            "hung_completion | hung-task               | fw_loader           | wait_for_completion(&fw_ready)",
            "hung_mutex      | hung-task               | cfg_owner           | schedule_timeout_interruptible",
            "hung_semaphore  | hung-task               | io_owner            | schedule_timeout_interruptible",
            "rwsem_abba      | mutex-deadlock          | sem_lr              | down_write(&p->right)",
            "spin_heap       | spinlock-deadlock       | pair_fs             | spin_lock(&p->second)"})
    void dump(String scenario, String kind, String function, String line) throws Exception {
        Analysis a = dump(scenario);
        String log = console(scenario);
        assertThat(a.verdict().kind().id()).as(a.verdict().summary()).isEqualTo(kind);
        assertThat(a.verdict().location().function()).isEqualTo(function);
        assertThat(sourceLine(a.verdict().location())).contains(line);
        assertThat(a.evidence()).allSatisfy(e -> assertThat(e.derivation()).isNotBlank());
        String ev = evidence(a);
        String summary = a.verdict().summary();
        switch (scenario) {
            case "double_free" -> {
                // the object freed twice is the one the trap's registers hold (RBX in the kernel's report)
                String rbx = group(log, "RBX: ([0-9a-f]{16})");
                assertThat(summary).contains("object 0x" + rbx.replaceFirst("^0+", "")).contains("freed twice")
                        .contains("set_freepointer");
                assertThat(ev).contains("is the kmalloc-64 object being freed, and it is already on a freelist");
                assertThat(a.verdict().confidence()).isEqualTo(Confidence.HIGH);
            }
            case "double_free_debug" -> {
                // slub_debug=F reports and taints (no trap); the object it names is on a freelist in the dump
                String object = group(log, "Object (0x[0-9a-f]+) @offset=");
                assertThat(summary).contains("kmalloc-64 object " + object + " was freed twice").contains("Object already free");
                assertThat(ev).contains("is the FREE kmalloc-64 object " + object + ": on a freelist in the dump")
                        .contains("Freed in " + group(log, "Freed in (lab_double_free\\+0x[0-9a-f]+)"))
                        .contains("Allocated in lab_double_free+0x");
                assertThat(a.context().panic()).contains("panic_on_taint");
            }
            case "stack_overflow" -> {
                assertThat(ev).contains("stack guard page was hit").contains("the pointer is outside it")
                        .containsPattern("walk_tree\\.constprop\\.0 is \\d{2,} of the \\d+ frames: a recursion");
                assertThat(a.context().execution().context()).isEqualTo("NMI"); // the #DF runs on its IST stack
            }
            case "bad_pointer" -> {
                String addr = group(log, "non-canonical address (0x[0-9a-f]+)");
                // the pointer traced into the caller: count_hit.isra.0 gets r->ops in %rdi
                assertThat(summary).contains("The pointer r->ops held the bad value " + addr);
                assertThat(ev).contains("non-canonical").contains("%rdi = " + addr).contains("Variable 'r' (struct probe_req *)")
                        .contains("passed r->ops in it");
            }
            case "list_corruption" -> {
                // the dump still holds the value the check found: next->prev was overwritten
                String was = group(log, "next->prev should be [0-9a-f]+, but was ([0-9a-f]+)");
                String next = group(log, "\\(next=([0-9a-f]+)\\)");
                assertThat(ev).contains("The next entry 0x" + next).contains("->prev = 0x" + was + " in the dump, as the check saw")
                        .contains("kmalloc-64 object");
                assertThat(summary).contains("checked by __list_del_entry_valid()");
            }
            case "warning" -> assertThat(ev).contains("WARNING: CPU: " + group(log, "WARNING: CPU: (\\d+)"));
            case "soft_lockup" -> {
                String pid = group(log, "soft lockup - CPU#\\d+ stuck for \\d+s! \\[lab_busy_poll:(\\d+)\\]");
                assertThat(summary).contains("lab_busy_poll (pid " + pid + ")").contains("waits for no lock");
                assertThat(ev).contains("since it was last switched in").contains("not waiting for a lock");
            }
            case "rcu_stall" -> {
                String cpu = group(log, "rcu: \\t(\\d+)-\\S+: \\(\\d+ ticks this GP\\)");
                assertThat(summary).contains("CPU " + cpu + " reported no quiescent state").contains("lab_rcu_reader")
                        .contains("inside rcu_read_lock() (nesting 1)");
                // whichever CPU detected it (the idle one, or the stalled CPU itself: "self-detected stall"), the
                // verdict is the stalled CPU's task
                assertThat(ev).contains("rcu_read_lock_nesting is 1").contains("CPU " + cpu + " runs lab_rcu_reader");
            }
            case "rcu_blocked" -> {
                // a reader asleep inside rcu_read_lock(): the report names it as a blocked task, P<pid>
                String pid = group(log, "Tasks blocked on level-0 rcu_node \\(CPUs [^)]*\\): P(\\d+)");
                assertThat(summary).contains("lab_rcu_sleeper (pid " + pid + ") blocks the grace period")
                        .contains("inside rcu_read_lock() (nesting 1)");
                assertThat(ev).contains("state S (interruptible sleep)").contains("Before the stall the kernel warned: WARNING:")
                        .contains("rcu_note_context_switch");
            }
            case "hung_completion" -> {
                assertThat(summary).contains("lab_fw_loader").contains("waiting for completion fw_ready [coronerlab]");
                assertThat(ev).contains("its done count is 0: nobody has called complete() on it");
            }
            case "hung_mutex" -> {
                String owner = group(log, "task:lab_cfg_owner\\s+state:S.*?\\spid:(\\d+)");
                assertThat(summary).contains("lab_cfg_waiter").contains("waiting for mutex cfg_mutex [coronerlab] held by lab_cfg_owner"
                        + " (pid " + owner + ")").contains("sleeps (state S)");
                assertThat(ev).contains("struct mutex.owner");
            }
            case "hung_semaphore" -> {
                // a semaphore records no owner: the holder is the task whose code took it
                String owner = group(log, "task:lab_io_owner\\s+state:S.*?\\spid:(\\d+)");
                assertThat(summary).contains("lab_io_waiter").contains("waiting for semaphore io_sem [coronerlab] held by"
                        + " lab_io_owner (pid " + owner + ")").contains("sleeps (state S)");
                assertThat(ev).contains("struct semaphore_waiter").containsPattern("io_owner\\+0x[0-9a-f]+ called down\\(&io_sem, ");
            }
            case "rwsem_abba" -> {
                assertThat(summary).contains("lab_sem_lr").contains("lab_sem_rl").contains("kmalloc-96 object")
                        .contains("holds rwsem &p->left (+0x0 in the kmalloc-96 object").contains("waits for rwsem &p->right (+0x28")
                        .doesNotContain("__per_cpu_end");
                assertThat(ev).contains("struct rw_semaphore.owner").contains("struct rwsem_waiter");
                assertThat(a.context().cycle()).hasSize(4);
            }
            case "spin_heap" -> {
                assertThat(summary).contains("lab_pair_fs").contains("lab_pair_sf").contains("kmalloc-16 object")
                        .contains("holds spinlock &p->first (+0x0 in the kmalloc-16 object")
                        .contains("waits for spinlock &p->second (+0x4").doesNotContain("__per_cpu_end");
                assertThat(ev).contains("parameter 'lock' of native_queued_spin_lock_slowpath");
                // each holder proven from its code: the lock argument computed from a register the unwinder recovered
                // (the soft lockup names whichever of the two CPUs the watchdog caught first)
                String stuck = group(log, "soft lockup - CPU#\\d+ stuck for \\d+s! \\[lab_pair_\\w\\w:(\\d+)\\]");
                assertThat(ev).containsPattern("is held by lab_pair_fs \\(pid \\d+, CPU \\d\\): pair_fs\\+0x[0-9a-f]+ called"
                        + " _raw_spin_lock").containsPattern("is held by lab_pair_sf \\(pid \\d+, CPU \\d\\): pair_sf\\+0x")
                        .contains("(pid " + stuck + ", CPU ").contains("'s %rdi is the entry value of %rdi")
                        .doesNotContain("probably held");
            }
            default -> throw new AssertionError(scenario);
        }
    }

    @ParameterizedTest(name = "{0} log: {1}")
    @CsvSource(delimiter = '|', value = {
            "double_free     | double-free             | lab_double_free",
            "double_free_debug | double-free           | lab_double_free",
            "stack_overflow  | stack-overflow          | walk_tree",
            "bad_pointer     | bad-pointer-dereference | count_hit",
            "list_corruption | list-corruption         | lab_list_corruption",
            "warning         | warning                 | check_state",
            "soft_lockup     | soft-lockup             | busy_poll",
            "rcu_stall       | rcu-stall               | rcu_reader",
            "rcu_blocked     | rcu-stall               | rcu_sleeper",
            "hung_completion | hung-task               | fw_loader",
            "hung_mutex      | hung-task               | cfg_owner",
            "hung_semaphore  | hung-task               | io_owner",
            "rwsem_abba      | hung-task               | sem_lr",
            "spin_heap       | spinlock-deadlock       | "})
    void log(String scenario, String kind, String function) throws Exception {
        Analysis a = log(scenario);
        String log = console(scenario);
        assertThat(a.verdict().kind().id()).as(a.verdict().summary()).isEqualTo(kind);
        if (function != null) {
            assertThat(a.verdict().location().function()).isEqualTo(function);
            assertThat(a.verdict().location().file()).endsWith("coronerlab.c");
        }
        String ev = evidence(a);
        String summary = a.verdict().summary();
        switch (scenario) {
            case "stack_overflow" -> {
                assertThat(summary).contains("insmod (pid " + group(log, "PID: (\\d+) Comm: insmod") + ")")
                        .containsPattern("walk_tree\\.constprop\\.0 is \\d{2,} of the \\d+ frames");
                assertThat(a.context().execution().context()).isEqualTo("NMI");
            }
            case "double_free_debug" -> {
                assertThat(summary).contains("freed twice: the free from lab_double_free()").contains("Object already free");
                assertThat(ev).contains("Freed in " + group(log, "Freed in (lab_double_free\\+0x[0-9a-f]+)") + "/0x")
                        .contains("The first caller outside the allocator and list debugging is lab_double_free+0x");
            }
            case "double_free", "list_corruption" -> {
                assertThat(ev).contains("The first caller outside the allocator and list debugging is " + function + "+0x");
                // the line of the call (return address - 1), as from the dump
                assertThat(sourceLine(a.verdict().location())).contains(scenario.equals("double_free") ? "req_release(r);"
                        : "list_del(&r[1]->link)");
            }
            case "bad_pointer" -> assertThat(summary).contains(group(log, "non-canonical address (0x[0-9a-f]+)"));
            case "soft_lockup" -> assertThat(summary).contains("lab_busy_poll (pid "
                    + group(log, "\\[lab_busy_poll:(\\d+)\\]") + ")").contains("in no lock slow path");
            case "rcu_stall" -> assertThat(summary).contains("CPU " + group(log, "rcu: \\t(\\d+)-\\S+: \\(")
                    + " reported no quiescent state").contains("lab_rcu_reader");
            case "rcu_blocked" -> assertThat(summary).contains("lab_rcu_sleeper (pid "
                    + group(log, "rcu_node \\(CPUs [^)]*\\): P(\\d+)") + ") blocks the grace period");
            case "hung_completion" -> assertThat(ev).contains("waits for fw_ready.")
                    .containsPattern("fw_loader\\+0x[0-9a-f]+ calls wait_for_completion\\(&fw_ready\\)");
            case "hung_semaphore" -> assertThat(summary).contains("waits for io_sem, held by lab_io_owner (pid "
                    + group(log, "task:lab_io_owner\\s+state:S.*?\\spid:(\\d+)") + ") (state S)");
            case "hung_mutex" -> {
                String owner = group(log, "task:lab_cfg_owner\\s+state:S.*?\\spid:(\\d+)");
                assertThat(ev).contains("waits for cfg_mutex").contains("lab_cfg_owner (pid " + owner + "), state S in the log's"
                        + " task dump, holds cfg_mutex: cfg_owner+0x");
                assertThat(summary).contains("held by lab_cfg_owner (pid " + owner + ") (state S)");
            }
            case "spin_heap" -> {
                // the lock the soft-locked CPU spins on is its slow path's 'lock' (DWARF: %rbx) in the registers the
                // report printed; the other locks follow from the code's constant offsets between the calls
                String rbx = group(log, "soft lockup - CPU#\\d+ [^\\n]*\\n(?:[^\\n]*\\n){0,8}?[^\\n]*RBX: ([0-9a-f]{16})");
                assertThat(summary).containsPattern("lab_pair_(fs|sf) \\(pid \\d+\\) holds 0x[0-9a-f]+ and waits for 0x"
                        + rbx.replaceFirst("^0+", "")).contains("lab_pair_fs").contains("lab_pair_sf");
                assertThat(ev).contains("the waited-for lock from the slow path's 'lock' (DWARF) in the registers the log printed");
            }
            case "rwsem_abba" -> assertThat(ev).contains("lab_sem_lr (pid " + group(log, "task lab_sem_lr:(\\d+) blocked") + ")")
                    .contains("a lock whose address its code computes at run time");
            default -> {
            }
        }
    }
}
