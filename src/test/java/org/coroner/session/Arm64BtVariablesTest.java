package org.coroner.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import org.coroner.arch.arm64.unwind.Arm64Frame;
import org.coroner.arch.arm64.unwind.Arm64Registers;
import org.coroner.dwarf.loc.FrameVariables;
import org.coroner.kernel.Tasks;
import org.coroner.kernel.stack.Arm64Backtraces;
import org.coroner.kernel.stack.Backtracer;
import org.coroner.testing.Arm64Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code bt -v} on arm64: the variables of each call frame from the frame-record unwind, registers
 * recovered by CFI (CFAs from the frame records), checked against facts the kernel printed or the
 * dump holds elsewhere: the Oops's ESR and fault address, the exception frame's pt_regs, the
 * registers of the Oops, the syscall's first argument in the user pt_regs.
 */
@Tag("fixtures")
class Arm64BtVariablesTest {
    record Framed(String function, List<FrameVariables.Value> values) {
        OptionalLong value(String name) {
            return values.stream().filter(v -> v.name().equals(name) && v.known()).map(FrameVariables.Value::value).findFirst()
                    .orElse(OptionalLong.empty());
        }
    }

    static List<Framed> frames(Session s, Arm64Backtraces.Backtrace b) {
        List<DebugInfo.FrameVariablesOf> vars = s.debugInfo().variables(b, s.backtracer());
        List<Framed> out = new ArrayList<>();
        int i = 0;
        for (Arm64Frame f : b.frames()) {
            if (f.isCall()) {
                out.add(new Framed(s.backtracer().symbolizer().lookup(f.pc()).orElseThrow().symbol(), vars.get(i++).values()));
            }
        }
        assertThat(i).isEqualTo(vars.size());
        return out;
    }

    static Framed frame(List<Framed> fs, String function) {
        return fs.stream().filter(f -> f.function().equals(function)).findFirst().orElseThrow(() -> new AssertionError(function));
    }

    @Test
    void theOopsTaskVariablesAreTheFactsOfTheFault() throws Exception {
        try (Session s = Arm64Fixtures.open("null", "zlib")) {
            Backtracer bt = s.backtracer();
            Arm64Backtraces.Backtrace b = bt.arm64Backtrace(bt.panicTask().orElseThrow());
            Arm64Frame oops = b.frames().stream().filter(Arm64Frame::isException).findFirst().orElseThrow();
            Arm64Registers user = b.frames().get(b.frames().size() - 1).regs();
            List<Framed> fs = frames(s, b);
            // console: "ESR = 0x0000000096000006", "Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008"
            List<String> console = Arm64ShellConsole.lines("null");
            long consoleEsr = Long.parseUnsignedLong(Arm64ShellConsole.after(console, "ESR = 0x"), 16);
            long consoleFar = Long.parseUnsignedLong(Arm64ShellConsole.after(console, "NULL pointer dereference at virtual address "), 16);
            Framed fault = frame(fs, "do_page_fault");
            assertThat(fault.value("esr")).hasValue(consoleEsr);
            assertThat(fault.value("far")).hasValue(consoleFar);
            assertThat(fault.value("regs")).hasValue(oops.regsAddress());
            assertThat(frame(fs, "die").value("regs")).hasValue(oops.regsAddress());
            assertThat(frame(fs, "create_oops.constprop.0").value("d")).hasValue(oops.regs().x(19));
            assertThat(frame(fs, "__do_sys_finit_module").value("fd")).hasValue(user.get(Arm64Registers.ORIG_X0));
            assertThat(frame(fs, "do_init_module").value("mod")).hasValue(s.backtracer().modules().all().stream()
                    .filter(m -> m.name().equals("crashlab")).findFirst().orElseThrow().address());
        }
    }

    @Test
    void mostVariablesOfEveryTaskHaveAValue() throws Exception {
        int known = 0;
        int total = 0;
        for (String scenario : Arm64Fixtures.SCENARIOS) {
            try (Session s = Arm64Fixtures.open(scenario, "zlib")) {
                for (Tasks.Task t : s.tasks().all()) {
                    Arm64Backtraces.Backtrace b = s.backtracer().arm64Backtrace(t);
                    for (Framed f : frames(s, b)) {
                        for (FrameVariables.Value v : f.values()) {
                            total++;
                            known += v.known() ? 1 : 0;
                        }
                    }
                }
            }
        }
        System.out.printf("arm64 bt -v: %d of %d variables of all frames of all tasks have a value (%.1f%%)%n", known, total,
                100.0 * known / total);
        assertThat(total).isGreaterThan(1000);
        assertThat(known * 100L / total).isGreaterThanOrEqualTo(60);
    }

    /**
     * The deadlocked mutex_abba kthreads wait in {@code __mutex_lock} on the two crashlab mutexes, in
     * opposite order: the lock each waits on is the one the other holds ({@code mutex->owner}).
     */
    @Test
    void theDeadlockedThreadsWaitOnTheMutexTheOtherHolds() throws Exception {
        try (Session s = Arm64Fixtures.open("mutex_abba", "elf")) {
            List<Tasks.Task> threads = new ArrayList<>();
            List<Long> waitedOn = new ArrayList<>();
            for (String comm : List.of("lab_mutex_ab", "lab_mutex_ba")) {
                Tasks.Task t = s.tasks().all().stream().filter(x -> x.comm().equals(comm)).findFirst().orElseThrow();
                threads.add(t);
                List<Framed> fs = frames(s, s.backtracer().arm64Backtrace(t));
                waitedOn.add(frame(fs, "__mutex_lock.constprop.0").value("lock").orElseThrow());
            }
            assertThat(waitedOn.get(0)).isNotEqualTo(waitedOn.get(1));
            for (int i = 0; i < 2; i++) {
                long owner = s.kernel().object("struct mutex", waitedOn.get(i)).member("owner").u64() & ~0x7L;
                assertThat(owner).isEqualTo(threads.get(1 - i).address());
            }
        }
    }
}
