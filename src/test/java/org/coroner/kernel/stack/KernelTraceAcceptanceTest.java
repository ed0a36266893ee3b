package org.coroner.kernel.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.arch.x86_64.unwind.Frame;
import org.coroner.kernel.Tasks;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The acceptance test: with {@code panic_print=65} the kernel printed every task's stack
 * with its own ORC unwinder. For every such task our backtrace must list exactly the frames it
 * printed without {@code ?}. A task running at panic printed its stack from inside the panic
 * printing code while the dump shows it a little later, further into {@code panic}: there the
 * frames must be equal from the bottom up to the function both show (with different offsets), and
 * our trace may have more frames above it.
 */
@Tag("fixtures")
class KernelTraceAcceptanceTest {

    static List<String> kernelStyleFrames(Backtracer bt, Backtracer.Backtrace b) {
        List<String> out = new ArrayList<>();
        for (Frame f : b.frames()) {
            if (f.isException() || f.isUserRegs()) {
                continue; // the kernel prints these as register dumps, not as frame lines
            }
            out.add(bt.symbolizer().frame(f.pc(), f.isReturnAddress()).map(Symbolizer.Name::kernel)
                    .orElse("0x" + Long.toHexString(f.pc())));
        }
        return out;
    }

    static boolean matches(List<String> kernel, List<String> ours, boolean running) {
        if (kernel.equals(ours)) {
            return true;
        }
        if (!running) {
            return false;
        }
        int s = 0;
        while (s < kernel.size() && s < ours.size()
                && kernel.get(kernel.size() - 1 - s).equals(ours.get(ours.size() - 1 - s))) {
            s++;
        }
        if (s == kernel.size()) {
            return true;
        }
        if (s == ours.size()) {
            return false;
        }
        String k = kernel.get(kernel.size() - 1 - s);
        String o = ours.get(ours.size() - 1 - s);
        return function(k).equals(function(o));
    }

    private static String function(String frame) {
        int plus = frame.indexOf('+');
        return plus < 0 ? frame : frame.substring(0, plus);
    }

    @Test
    void everyTaskMatchesTheKernelsOwnTrace() {
        int total = 0;
        int matched = 0;
        List<String> failures = new ArrayList<>();
        for (String scenario : List.of("null", "mutex_abba")) {
            Backtracer bt = FixtureKernels.backtracer(scenario);
            for (ConsoleTraces c : ConsoleTraces.read(Fixtures.vmcoreDir(scenario).resolve("console.log"))) {
                total++;
                Optional<Tasks.Task> t = bt.tasks().all().stream().filter(x -> x.pid() == c.pid() && !x.idle()).findFirst();
                if (t.isEmpty()) {
                    failures.add(scenario + " pid " + c.pid() + ": no such task");
                    continue;
                }
                Backtracer.Backtrace b = bt.backtrace(t.get());
                List<String> ours = kernelStyleFrames(bt, b);
                if (matches(c.frames(), ours, c.running())) {
                    matched++;
                } else {
                    failures.add(scenario + " pid " + c.pid() + " " + c.name() + ":\n  kernel " + c.frames() + "\n  ours   " + ours);
                }
            }
        }
        System.out.printf("bt vs the kernel's own traces: %d/%d tasks match (%.1f%%)%n", matched, total,
                100.0 * matched / total);
        failures.forEach(System.out::println);
        assertTrue(total >= 100, "tasks with a kernel trace: " + total);
        assertEquals(total, matched, String.join("\n", failures));
    }

    @Test
    void nullPanicTaskHasTheOopsFrameAndNoStaleFrames() {
        Backtracer bt = FixtureKernels.backtracer("null");
        Tasks.Task insmod = bt.tasks().all().stream().filter(x -> x.pid() == 90).findFirst().orElseThrow();
        Backtracer.Backtrace b = bt.backtrace(insmod);
        assertEquals(1, b.cpu());
        Frame oops = b.frames().stream().filter(Frame::isException).findFirst().orElseThrow();
        assertEquals("create_oops.constprop.0+35", bt.symbolizer().lookup(oops.pc()).orElseThrow().crash());
        assertEquals("crashlab", bt.symbolizer().lookup(oops.pc()).orElseThrow().module());
        // The Oops registers as the kernel printed them (console.log: RSP 0018:ffffcfdd404fbbe0 ...).
        assertEquals(0xffffcfdd404fbbe0L, oops.regs().sp());
        assertEquals(0xffff8ae6c256e400L, oops.regs().get(org.coroner.arch.x86_64.unwind.Registers.BX));
        assertEquals(0xc0000000ffffefffL, oops.regs().get(org.coroner.arch.x86_64.unwind.Registers.CX));
        assertEquals(0x246, oops.regs().get(org.coroner.arch.x86_64.unwind.Registers.FLAGS));
        List<String> after = new ArrayList<>();
        boolean seen = false;
        for (Frame f : b.frames()) {
            if (f == oops) {
                seen = true;
            } else if (seen && !f.isUserRegs()) {
                after.add(bt.symbolizer().frame(f.pc(), true).orElseThrow().symbol());
            }
        }
        assertEquals(List.of("do_one_initcall", "do_init_module", "__do_sys_finit_module", "do_syscall_64",
                "entry_SYSCALL_64_after_hwframe"), after);
        Frame user = b.frames().get(b.frames().size() - 1);
        assertTrue(user.isUserRegs());
        assertEquals(0x47fbe9L, user.regs().ip());
        assertEquals(0x00007ffebb0b7038L, user.regs().sp());
        assertEquals(0x139L, user.regs().get(org.coroner.arch.x86_64.unwind.Registers.ORIG_AX));
    }
}
