package org.coroner.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.coroner.dwarf.loc.FrameVariables;
import org.coroner.kernel.Tasks;
import org.coroner.kernel.stack.Backtracer;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code bt -v} on both fixture dumps: how many parameters and locals of every frame of every task
 * have a value with CFI register recovery and entry values, against the registers the unwinder alone
 * knows; and values checked against facts found independently (the task's own address, module
 * symbols, the exception frame's address, the console log).
 */
@Tag("fixtures")
class BacktraceVariablesTest {
    private static final Map<String, Session> OPEN = new ConcurrentHashMap<>();

    static Session session(String scenario) {
        return OPEN.computeIfAbsent(scenario, s -> Session.open(Fixtures.vmlinux(), Fixtures.vmcoreDir(s).resolve("vmcore"),
                List.of(Fixtures.kernelDir()), false));
    }

    @AfterAll
    static void close() throws Exception {
        for (Session s : OPEN.values()) {
            s.close();
        }
    }

    /** Known / total over every variable of every frame of every task. */
    record Figures(int total, int known) {
    }

    static Figures figures(String scenario, boolean recover) {
        Session s = session(scenario);
        Backtracer bt = s.backtracer();
        int total = 0;
        int known = 0;
        for (Tasks.Task t : bt.tasks().all()) {
            Backtracer.Backtrace b = bt.backtrace(t);
            var frames = recover ? s.debugInfo().variables(b, bt) : s.debugInfo().variablesWithoutRecovery(b, bt);
            for (DebugInfo.FrameVariablesOf f : frames) {
                for (FrameVariables.Value v : f.values()) {
                    total++;
                    known += v.known() ? 1 : 0;
                }
            }
        }
        return new Figures(total, known);
    }

    /** A frame's function and its variables. */
    record Fn(String function, Backtracer.Backtrace trace, int index, List<FrameVariables.Value> values) {
        FrameVariables.Value own(String name) {
            return values.stream().filter(v -> v.name().equals(name) && !v.inlined()).findFirst().orElseThrow(
                    () -> new AssertionError(function + " has no variable " + name + ": " + values));
        }
    }

    static List<Fn> frames(String scenario, Tasks.Task t) {
        Session s = session(scenario);
        Backtracer bt = s.backtracer();
        Backtracer.Backtrace b = bt.backtrace(t);
        List<Fn> out = new ArrayList<>();
        for (DebugInfo.FrameVariablesOf f : s.debugInfo().variables(b, bt)) {
            var fr = b.frames().get(f.frame());
            out.add(new Fn(bt.symbolizer().frame(fr.pc(), fr.isReturnAddress()).map(n -> n.symbol()).orElse("?"), b, f.frame(),
                    f.values()));
        }
        return out;
    }

    static Tasks.Task task(String scenario, String comm) {
        return session(scenario).backtracer().tasks().all().stream().filter(t -> t.comm().equals(comm)).findFirst().orElseThrow();
    }

    static long moduleSymbol(String scenario, String name) {
        return session(scenario).backtracer().modules().all().stream().filter(m -> m.name().equals("crashlab")).findFirst()
                .orElseThrow().symbols().address(name).orElseThrow();
    }

    /** Every variable the unwinder's registers alone gave a value keeps that value with recovery. */
    @Test
    void recoveryKeepsEveryValueKnownWithoutIt() {
        for (String scenario : List.of("null", "mutex_abba")) {
            Session s = session(scenario);
            Backtracer bt = s.backtracer();
            int compared = 0;
            for (Tasks.Task t : bt.tasks().all()) {
                Backtracer.Backtrace b = bt.backtrace(t);
                var with = s.debugInfo().variables(b, bt);
                var without = s.debugInfo().variablesWithoutRecovery(b, bt);
                for (int f = 0; f < with.size(); f++) {
                    for (int v = 0; v < with.get(f).values().size(); v++) {
                        FrameVariables.Value a = without.get(f).values().get(v);
                        FrameVariables.Value c = with.get(f).values().get(v);
                        if (a.known()) {
                            assertThat(c.value()).as(t.comm() + " " + a).isEqualTo(a.value());
                            assertThat(c.address()).as(t.comm() + " " + a).isEqualTo(a.address());
                            compared++;
                        }
                    }
                }
            }
            assertThat(compared).isPositive();
        }
    }

    /**
     * Sleeping tasks: {@code __schedule}'s {@code prev} (callee-saved, from the switch frame) and
     * {@code schedule}'s {@code tsk} (recovered by CFI from the slot {@code __schedule} saved it in)
     * are the task itself; a kthread's {@code self} is its {@code worker_private}.
     */
    @Test
    void sleepingTasksFindThemselvesInTheirSchedulerFrames() {
        for (String scenario : List.of("null", "mutex_abba")) {
            int prev = 0;
            int tsk = 0;
            int self = 0;
            for (Tasks.Task t : session(scenario).backtracer().tasks().all()) {
                for (Fn f : frames(scenario, t)) {
                    if (f.function().equals("__schedule") && f.own("prev").value().isPresent()) {
                        assertThat(f.own("prev").value().getAsLong()).as(t.comm()).isEqualTo(t.address());
                        prev++;
                    }
                    if (f.function().equals("schedule") && f.own("tsk").value().isPresent()) {
                        assertThat(f.own("tsk").value().getAsLong()).as(t.comm()).isEqualTo(t.address());
                        tsk++;
                    }
                    if (f.function().equals("kthread") && f.own("self").value().isPresent()) {
                        assertThat(f.own("self").value().getAsLong()).as(t.comm())
                                .isEqualTo(t.task().member("worker_private").u64());
                        self++;
                    }
                }
            }
            System.out.printf("%s: __schedule prev = task in %d tasks, schedule tsk = task in %d, kthread self = worker_private"
                    + " in %d%n", scenario, prev, tsk, self);
            assertThat(prev).isGreaterThan(20);
            assertThat(tsk).isGreaterThan(20);
            assertThat(self).isGreaterThan(10);
        }
    }

    /** The mutex_abba kthreads wait on the mutex the other one holds: __mutex_lock's lock is crashlab's mutex_b / mutex_a. */
    @Test
    void mutexAbbaTasksWaitOnEachOthersMutex() {
        for (String[] c : new String[][] {{"lab_mutex_ab", "mutex_b", "mutex_ab"}, {"lab_mutex_ba", "mutex_a", "mutex_ba"}}) {
            List<Fn> fs = frames("mutex_abba", task("mutex_abba", c[0]));
            Fn lock = fs.stream().filter(f -> f.function().startsWith("__mutex_lock")).findFirst().orElseThrow();
            assertThat(lock.own("lock").value()).hasValue(moduleSymbol("mutex_abba", c[1]));
            assertThat(lock.own("lock").detail()).isEqualTo("<" + c[1] + ">");
            // kthread called the thread function through a retpoline: its threadfn is the function of the frame it called
            Fn kthread = fs.stream().filter(f -> f.function().equals("kthread")).findFirst().orElseThrow();
            assertThat(kthread.own("threadfn").value()).hasValue(moduleSymbol("mutex_abba", c[2]));
            // and the argument it passed (kthread_run(fn, NULL, ...)) is the thread function's entry value
            Fn fn = fs.get(kthread.index() - 1);
            assertThat(fn.function()).isEqualTo(c[2]);
            assertThat(fn.own("arg").value()).hasValue(kthread.own("data").value().getAsLong());
            assertThat(fn.own("arg").where()).contains("entry value of %rdi, passed by the call in kthread");
        }
    }

    /**
     * The null Oops: do_one_initcall's fn is crashlab's init function; the pt_regs pointer the fault
     * handlers pass each other is the exception frame the unwinder found, in every frame, whether
     * recovered from a saved register or from the caller's call site; panic's fmt is the console's text.
     */
    @Test
    void nullOopsArgumentsAgreeWithTheUnwinderAndTheConsole() throws Exception {
        List<Fn> fs = frames("null", task("null", "insmod"));
        Fn initcall = fs.stream().filter(f -> f.function().equals("do_one_initcall")).findFirst().orElseThrow();
        assertThat(initcall.own("fn").value()).hasValue(moduleSymbol("null", "init_module"));
        long ptRegs = fs.get(0).trace().frames().stream().filter(f -> f.isException()).findFirst().orElseThrow().regsAddress();
        int checked = 0;
        for (Fn f : fs) {
            for (FrameVariables.Value v : f.values()) {
                if (v.name().equals("regs") && v.type().equals("struct pt_regs *") && !f.function().startsWith("do_syscall")) {
                    assertThat(v.value()).as(f.function() + " " + v).hasValue(ptRegs);
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(4);
        Fn oopsEnd = fs.stream().filter(f -> f.function().startsWith("oops_end")).findFirst().orElseThrow();
        assertThat(oopsEnd.own("regs").where()).startsWith("entry value of %rsi, passed by the call in page_fault_oops");
        String console = java.nio.file.Files.readString(Fixtures.vmcoreDir("null").resolve("console.log"));
        Fn panic = fs.stream().filter(f -> f.function().equals("panic")).findFirst().orElseThrow();
        String fmt = panic.own("fmt").detail();
        assertThat(console).contains("Kernel panic - not syncing: " + fmt.substring(1, fmt.length() - 1));
        Fn pfo = fs.stream().filter(f -> f.function().equals("page_fault_oops")).findFirst().orElseThrow();
        assertThat(console).contains(String.format("NULL pointer dereference, address: %016x", pfo.own("address").value().getAsLong()));
        // page_fault_oops was reached by a tail call from do_user_addr_fault: its entry values are not exc_page_fault's call's
        assertThat(pfo.own("error_code").reason()).contains("went to do_user_addr_fault, which reached page_fault_oops by a tail call");
    }

    @Test
    void recoveryGivesValuesToMostVariablesOfEveryFrame() {
        for (String scenario : List.of("null", "mutex_abba")) {
            Figures before = figures(scenario, false);
            Figures after = figures(scenario, true);
            System.out.printf("bt -v %s: %d variables over every frame of every task; with a value: %d (%.1f%%) from the"
                            + " unwinder's registers alone, %d (%.1f%%) with CFI register recovery and entry values%n", scenario,
                    after.total(), before.known(), 100.0 * before.known() / before.total(), after.known(),
                    100.0 * after.known() / after.total());
            assertThat(after.total()).isEqualTo(before.total());
            // a third more of all variables get a value; the rest are optimized out or truly lost
            assertThat(after.known() - before.known()).isGreaterThan(after.total() / 3);
        }
    }

    /**
     * CFI's CFA equals ORC's on every frame but where the code switched stacks in inline assembly
     * ({@code call_on_irqstack}: {@code movq %rsp, (tos); movq tos, %rsp; call func}): there GCC's
     * CFI still counts from the old stack and ORC, told by objtool, finds the old SP through the IRQ
     * stack's top word ({@code sp_indirect}). ORC stays the unwinder of record.
     */
    @Test
    void cfiCfaAgreesWithOrcExceptAcrossIrqStackSwitches() {
        int frames = 0;
        List<String> mismatches = new ArrayList<>();
        for (String scenario : List.of("null", "mutex_abba")) {
            Session s = session(scenario);
            Backtracer bt = s.backtracer();
            for (Tasks.Task t : bt.tasks().all()) {
                Backtracer.Backtrace b = bt.backtrace(t);
                frames += b.frames().size();
                for (var m : s.debugInfo().registers(b, bt).cfaMismatches()) {
                    mismatches.add(scenario + ": " + m);
                    var f = b.frames().get(m.frame());
                    var orc = bt.orc().find(f.isReturnAddress() ? f.pc() - 1 : f.pc()).orElseThrow();
                    assertThat(orc.spReg()).as(m.toString()).isEqualTo(org.coroner.arch.x86_64.unwind.OrcEntry.REG_SP_INDIRECT);
                    // its call returned on the IRQ stack; its own caller's frame is on another stack
                    assertThat(f.stack().kind()).isEqualTo(org.coroner.arch.x86_64.unwind.StackArea.Kind.IRQ);
                    assertThat(b.frames().get(m.frame() + 1).stack().kind())
                            .isNotEqualTo(org.coroner.arch.x86_64.unwind.StackArea.Kind.IRQ);
                }
            }
        }
        System.out.println(frames + " frames; CFI's CFA differs from ORC's in " + mismatches.size() + ": " + mismatches);
        assertThat(mismatches.size()).isLessThan(frames / 20);
    }
}
