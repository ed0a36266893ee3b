package org.coroner.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;

import org.coroner.oops.report.DebugFiles;
import org.coroner.session.Session;
import org.coroner.testing.Arm64Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code coroner analyze} on the arm64 dumps and console logs of {@code scripts/make-arm64-dumps.sh}:
 * the same verdicts x86_64 gets for the same crashlab scenario ({@link AnalyzeScenarioTest}), from
 * arm64's own facts (FAR/ESR, {@code ldr} code, frame records, x19..x28, PAC-signed lr).
 */
@Tag("fixtures")
class Arm64AnalyzeTest {
    private static Analysis dump(String scenario, String format) throws Exception {
        try (Session s = Arm64Fixtures.open(scenario, format)) {
            return new DumpAnalyzer(s).analyze();
        }
    }

    private static String evidence(Analysis a) {
        return a.evidence().stream().map(e -> e.statement() + " | " + e.derivation()).collect(Collectors.joining("\n"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"null, zlib", "null, elf", "pac, zlib", "pac, elf"})
    void nullPointerFromTheDump(String scenario, String format) throws Exception {
        Analysis a = dump(scenario, format);
        assertThat(a.verdict().kind()).as(a.verdict().summary()).isEqualTo(Kind.NULL_POINTER_DEREFERENCE);
        assertThat(a.verdict().confidence()).isEqualTo(Confidence.HIGH);
        assertThat(a.verdict().summary()).contains("The pointer d->ops is NULL")
                .contains("ops->counter (member counter of struct lab_ops at +0x8)");
        assertThat(a.verdict().location().function()).isEqualTo("create_oops");
        assertThat(a.verdict().location().file()).endsWith("crashlab.c");
        assertThat(a.verdict().location().line()).isEqualTo(39);
        assertThat(a.verdict().location().module()).isEqualTo("crashlab");
        String ev = evidence(a);
        // FAR and ESR as do_mem_abort received them, the ldr and its base register walked back to DWARF
        assertThat(ev).contains("do_mem_abort+0x4c received far = 0x8 (FAR_EL1")
                .contains("esr = 0x96000006 (EC 0x25 DABT (current EL): data abort, DFSC 0x6 level 2 translation fault, a read)")
                .contains("The faulting instruction is ldr    x1, [x2, #8] at create_oops.constprop.0+0x44")
                .contains("It accesses [x2, #0x8] = 0x8: x2 = 0x0.")
                .contains("x2 was loaded by ldr    x2, [x19, #40] at create_oops.constprop.0+0x34")
                .contains("Parameter 'd' (struct lab_dev *) of create_oops() lives in x19")
                .contains("struct lab_dev has member 'ops' at +0x28 (type struct lab_ops *), so x2 held d->ops.")
                .contains("The faulting address 0x8 is NULL + 0x8.");
        Context c = a.context();
        assertThat(c.task().comm()).isEqualTo("insmod");
        assertThat(c.execution().context()).isEqualTo("process");
        assertThat(c.execution().derivation()).contains("thread_info.preempt_count");
        // the crashing task's backtrace with arguments: the exception frame, then the PAC-signed lr of its callers
        Context.FrameInfo fault = c.backtrace().stream().filter(Context.FrameInfo::exception).findFirst().orElseThrow();
        assertThat(fault.symbol()).isEqualTo("create_oops.constprop.0+0x44");
        assertThat(fault.line()).isEqualTo(39);
        assertThat(fault.arguments()).anySatisfy(arg -> assertThat(arg).startsWith("d = (struct lab_dev *) 0x"));
        assertThat(c.backtrace().get(fault.level() + 1).symbol()).isEqualTo("lab_null+0x34");
        assertThat(c.backtrace()).anySatisfy(f -> assertThat(f.symbol()).isEqualTo("do_mem_abort+0x4c"));
        assertThat(c.cpus()).hasSize(2).filteredOn(Context.CpuInfo::panicked).singleElement()
                .satisfies(cpu -> assertThat(cpu.task().comm()).isEqualTo("insmod"));
    }

    /**
     * The other crashlab scenarios on arm64, as on x86_64: the verdict, where, and for the spinlock
     * ABBA the holders proven from arm64's inlined spin_lock (ldaxr/stxr and stlrb, laid out of order).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "listdel   | use-after-list-del       | lab_list_use_after_del | 65 | victim->node (struct lab_dev, member node) was deleted with list_del()",
            "uaf       | use-after-free           | lab_use_after_free     | 75 | the freed kmalloc-128 object",
            "bug       | bug-on                   | lab_bug                | 82 | A BUG_ON() assertion failed in lab_bug()",
            "spin_abba | spinlock-deadlock        | spin_ab                | 89 | holds spinlock lock_a [crashlab] and waits for spinlock lock_b [crashlab]",
            "work      | null-pointer-dereference | lab_work_fn            | 130 | A NULL pointer was dereferenced at offset 0x28 in lab_work_fn()",
            "timer     | null-pointer-dereference | lab_timer_fn           | 138 | A NULL pointer was dereferenced at offset 0x8 in lab_timer_fn()"})
    void crashlabScenariosFromTheDump(String scenario, String kind, String function, int line, String summary) throws Exception {
        Analysis a = dump(scenario, "zlib");
        assertThat(a.verdict().kind().id()).as(a.verdict().summary()).isEqualTo(kind);
        assertThat(a.verdict().summary()).contains(summary);
        assertThat(a.verdict().location().function()).isEqualTo(function);
        assertThat(a.verdict().location().line()).isEqualTo(line);
        assertThat(a.verdict().location().module()).isEqualTo("crashlab");
        String ev = evidence(a);
        switch (scenario) {
            // the NULL call's caller: the blr before the return address (arm64 instructions are 4 bytes)
            case "uaf" -> assertThat(a.verdict().location().symbol()).isEqualTo("lab_use_after_free+0x68");
            case "spin_abba" -> {
                assertThat(a.verdict().summary()).contains("holds spinlock lock_b [crashlab] and waits for spinlock lock_a [crashlab]");
                assertThat(ev).containsPattern("spin_ab\\+0x[0-9a-f]+ ldaxr took &lock_a \\(0x[0-9a-f]+\\) and every path from the entry of spin_ab")
                        .containsPattern("spin_ba\\+0x[0-9a-f]+ ldaxr took &lock_b")
                        .contains("arm64's inlined spin_lock");
            }
            default -> {
            }
        }
    }

    /**
     * coronerlab's scenarios on arm64 (scripts/make-arm64-dumps.sh; not rcu_blocked: Debian's arm64
     * kernel has no preemptible RCU): the verdict, the function, its source line, and the holder
     * each sleeping-lock or spinlock scenario names.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "double_free     | double-free             | req_release         | kfree(r);                      | freed twice",
            "stack_overflow  | stack-overflow          | walk_tree           | walk_tree(                     | overflowed in walk_tree()",
            "bad_pointer     | bad-pointer-dereference | count_hit           | ++r->ops->hits                 | A bad pointer",
            "list_corruption | list-corruption         | lab_list_corruption | list_del(&r[1]->link)          | corrupted list",
            "warning         | warning                 | check_state         | WARN_ON(r->state & 0x4)        | panic_on_warn made it fatal",
            "soft_lockup     | soft-lockup             | busy_poll           | cpu_relax()                    | it waits for no lock",
            "rcu_stall       | rcu-stall               | rcu_reader          | rcu_reader(                    | runs lab_rcu_reader",
            "hung_completion | hung-task               | fw_loader           | wait_for_completion(&fw_ready) | lab_fw_loader",
            "hung_mutex      | hung-task               | cfg_owner           | schedule_timeout_interruptible | waiting for mutex cfg_mutex [coronerlab] held by lab_cfg_owner",
            "hung_semaphore  | hung-task               | io_owner            | schedule_timeout_interruptible | waiting for semaphore io_sem [coronerlab] held by lab_io_owner",
            "rwsem_abba      | mutex-deadlock          | sem_lr              | down_write(&p->right)          | holds rwsem &p->left",
            "spin_heap       | spinlock-deadlock       | pair_fs             | spin_lock(&p->second)          | holds spinlock &p->first"})
    void coronerlabScenariosFromTheDump(String scenario, String kind, String function, String line, String summary) throws Exception {
        Analysis a;
        try (Session s = Session.open(Arm64Fixtures.vmlinux(), Arm64Fixtures.dumpDir(scenario).resolve("zlib"),
                List.of(Arm64Fixtures.dumpDir(scenario)), false)) {
            a = new DumpAnalyzer(s).analyze();
        }
        assertThat(a.verdict().kind().id()).as(a.verdict().summary()).isEqualTo(kind);
        assertThat(a.verdict().summary()).contains(summary);
        assertThat(a.verdict().location().function()).isEqualTo(function);
        assertThat(a.verdict().location().module()).isEqualTo("coronerlab");
        assertThat(a.verdict().location().file()).endsWith("coronerlab.c");
        List<String> src = java.nio.file.Files.readAllLines(java.nio.file.Path.of("scripts/lab/coronerlab.c"));
        assertThat(src.get(a.verdict().location().line() - 1)).contains(line);
        assertThat(a.evidence()).allSatisfy(e -> assertThat(e.derivation()).isNotBlank());
    }

    @ParameterizedTest(name = "mutex_abba {0}")
    @CsvSource({"zlib", "elf"})
    void mutexCycleFromTheDump(String format) throws Exception {
        Analysis a = dump("mutex_abba", format);
        assertThat(a.verdict().kind()).as(a.verdict().summary()).isEqualTo(Kind.MUTEX_DEADLOCK);
        assertThat(a.verdict().confidence()).isEqualTo(Confidence.HIGH);
        assertThat(a.verdict().summary())
                .containsPattern("lab_mutex_ab \\(pid \\d+\\) holds mutex mutex_a \\[crashlab\\] and waits for mutex mutex_b \\[crashlab\\]")
                .containsPattern("lab_mutex_ba \\(pid \\d+\\) holds mutex mutex_b \\[crashlab\\] and waits for mutex mutex_a \\[crashlab\\]");
        assertThat(a.verdict().location().function()).isEqualTo("mutex_ab");
        assertThat(a.verdict().location().file()).endsWith("crashlab.c");
        List<Context.Edge> cycle = a.context().cycle();
        assertThat(cycle).hasSize(4);
        // each edge has its evidence: the waiter record on the task's stack, the lock word's owner
        assertThat(cycle).filteredOn(e -> e.relation().equals("waits-for")).hasSize(2).allSatisfy(e -> {
            assertThat(e.evidence()).contains("waits in __mutex_lock.constprop.0 for the mutex mutex_");
            assertThat(e.derivation()).containsPattern("its struct mutex_waiter at 0x[0-9a-f]+ on its stack \\(->task = the task\\)"
                    + " is linked on struct mutex.wait_list at 0x[0-9a-f]+");
        });
        assertThat(cycle).filteredOn(e -> e.relation().equals("held-by")).hasSize(2).allSatisfy(e ->
                assertThat(e.derivation()).containsPattern("struct mutex.owner at 0x[0-9a-f]+ = 0x[0-9a-f]+: task 0x[0-9a-f]+, flags WAITERS"));
        assertThat(a.context().blockedTasks()).extracting(b -> b.task().comm() + " " + b.waitsOn() + " " + b.owner())
                .anySatisfy(t -> assertThat(t).startsWith("lab_mutex_ab mutex mutex_b [crashlab] lab_mutex_ba (pid "))
                .anySatisfy(t -> assertThat(t).startsWith("lab_mutex_ba mutex mutex_a [crashlab] lab_mutex_ab (pid "));
    }

    /**
     * The lock calls of mutex_ab as it is in the dump: its bl goes through the module's PLT entry to
     * mutex_lock, its x0 is made by adrp/add (+0x20 for mutex_a); the addresses they give are the
     * locks the waiter records on the stacks name.
     */
    @ParameterizedTest(name = "mutex_abba {0}: lock calls from arm64 code")
    @CsvSource({"zlib"})
    void lockCallsFromArm64Code(String format) throws Exception {
        try (Session s = Arm64Fixtures.open("mutex_abba", format)) {
            Locks locks = new Locks(s);
            Locks.Wait ab = locks.waits().stream().filter(w -> w.task().comm().equals("lab_mutex_ab")).findFirst().orElseThrow();
            Locks.Wait ba = locks.waits().stream().filter(w -> w.task().comm().equals("lab_mutex_ba")).findFirst().orElseThrow();
            assertThat(locks.lockName(ab.lock())).isEqualTo("mutex_b [crashlab]");
            assertThat(locks.lockName(ba.lock())).isEqualTo("mutex_a [crashlab]");
            var trace = s.backtracer().trace(ab.task());
            var frame = trace.frames().stream().filter(f -> s.backtracer().symbolizer().function(f.lookupPc()).equals("mutex_ab"))
                    .findFirst().orElseThrow();
            LockCalls calls = new LockCalls(s);
            LockCalls.Call now = calls.callAt(frame.pc()).orElseThrow();
            assertThat(now.at()).isEqualTo("mutex_ab+0x38");
            assertThat(now.callee()).isEqualTo("mutex_lock");
            assertThat(now.lock()).isEqualTo(ab.lock());
            LockCalls.Held held = calls.heldBy(trace, ba.lock(), "mutex_a").orElseThrow();
            assertThat(held.text()).startsWith(String.format("mutex_ab+0x28 called mutex_lock(&mutex_a, 0x%x) and no unlock", ba.lock()));
            assertThat(held.derivation()).contains("their x0, traced to constants");
            assertThat(calls.heldBy(trace, ab.lock(), "mutex_b")).isEmpty();
        }
    }

    @ParameterizedTest(name = "sysrq {0}")
    @CsvSource({"zlib", "elf"})
    void sysrqFromTheDump(String format) throws Exception {
        Analysis a = dump("sysrq", format);
        assertThat(a.verdict().kind()).isEqualTo(Kind.SYSRQ_TRIGGERED);
        assertThat(a.verdict().summary()).contains("written to /proc/sysrq-trigger by init (pid 1)");
        assertThat(a.verdict().location().function()).isEqualTo("sysrq_handle_crash");
        assertThat(a.verdict().location().file()).endsWith("drivers/tty/sysrq.c");
        assertThat(evidence(a)).contains("is write_sysrq_trigger.");
    }

    @ParameterizedTest(name = "{0} log")
    @CsvSource(delimiter = '|', value = {
            "null       | null-pointer-dereference | The pointer d->ops is NULL and ops->counter",
            "pac        | null-pointer-dereference | The pointer d->ops is NULL and ops->counter",
            "mutex_abba | mutex-deadlock           | lab_mutex_ab (pid {lab_mutex_ab}) holds mutex_a and waits for mutex_b; lab_mutex_ba (pid {lab_mutex_ba}) holds mutex_b and waits for mutex_a",
            "sysrq      | sysrq-triggered          | SysRq",
            "spin_abba  | spinlock-deadlock        | holds lock_a and waits for lock_b"})
    void consoleLog(String scenario, String kind, String summary) {
        Analysis a;
        try (DebugFiles debug = new DebugFiles(Arm64Fixtures.vmlinux(), List.of(Arm64Fixtures.modulesDir()))) {
            a = new LogAnalyzer(Arm64Fixtures.dumpDir(scenario).resolve("console.log"), debug).analyze();
        }
        assertThat(a.verdict().kind().id()).as(a.verdict().summary()).isEqualTo(kind);
        assertThat(a.verdict().summary()).contains(withPidsFromLog(summary, Arm64Fixtures.dumpDir(scenario).resolve("console.log")));
        String ev = evidence(a);
        switch (scenario) {
            case "null", "pac" -> {
                assertThat(a.verdict().location().function()).isEqualTo("create_oops");
                assertThat(a.verdict().location().line()).isEqualTo(39);
                assertThat(ev).contains("accesses memory at [x2, #0x8]; x2 = 0x0 in the report's registers")
                        .contains("x2 was loaded by ldr    x2, [x19, #40]")
                        .contains("parameter 'd' of create_oops() lives in x19");
                assertThat(a.context().execution().context()).isEqualTo("process");
            }
            case "mutex_abba" -> {
                assertThat(a.verdict().location().function()).isEqualTo("mutex_ab");
                assertThat(ev).contains("mutex_ab+0x38 calls mutex_lock(&mutex_b)")
                        .contains("mutex_ab+0x28 called mutex_lock(&mutex_a) and no unlock of it comes before mutex_ab+0x38");
            }
            case "sysrq" -> {
                // the Call trace prints the lr of sysrq_handle_crash's noreturn call: the next function's first byte
                assertThat(a.verdict().location().function()).isEqualTo("sysrq_handle_crash");
                assertThat(a.context().callback()).isNull();
            }
            case "spin_abba" -> {
                // the holders from the .ko's code: arm64's inlined spin_lock on every path to the slow-path call
                assertThat(a.verdict().summary()).contains("holds lock_b and waits for lock_a");
                assertThat(ev).containsPattern("spin_ab\\+0x[0-9a-f]+ ldaxr took &lock_a on every path from the entry of spin_ab")
                        .containsPattern("spin_ab\\+0x[0-9a-f]+ calls queued_spin_lock_slowpath\\(&lock_b\\)");
            }
            default -> {
            }
        }
    }

    /** {@code {COMM}} replaced by the pid the hung-task report in the log gives that task (dumps made here differ in pids). */
    private static String withPidsFromLog(String text, java.nio.file.Path log) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([a-z_]+)\\}").matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String comm = m.group(1);
            String pid;
            try {
                pid = java.nio.file.Files.readAllLines(log).stream()
                        .map(l -> java.util.regex.Pattern.compile("INFO: task " + comm + ":(\\d+) blocked").matcher(l))
                        .filter(java.util.regex.Matcher::find).map(x -> x.group(1)).findFirst().orElseThrow();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            m.appendReplacement(sb, pid);
        }
        return m.appendTail(sb).toString();
    }
}
