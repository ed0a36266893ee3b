package org.coroner.kernel.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.arch.arm64.unwind.Arm64Frame;
import org.coroner.kernel.Tasks;
import org.coroner.session.Session;
import org.coroner.testing.Arm64Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The arm64 acceptance test: with {@code panic_print=65} the arm64 kernel printed every task's
 * stack with its own frame-record unwinder. For every such task of every arm64 dump, in both dump
 * formats, {@code bt} must list exactly the kernel's frames; a task running at panic printed its
 * stack from inside the panic printing code while the dump shows it further into {@code panic}:
 * equal from the bottom up to the function both show, more frames above allowed
 * ({@link KernelTraceAcceptanceTest#matches}). A task running on another CPU was printed from its
 * stale switch frame ({@code thread.cpu_context}) while it kept running and rewriting that stack
 * until the CPU stopped: the kernel's frames must begin the unwind from that same switch frame in
 * the dump, and {@code bt}'s own trace, from the CPU's registers, must reach the stack's end.
 */
@Tag("fixtures")
class Arm64TraceAcceptanceTest {

    /** Our frames as the arm64 kernel prints them: {@code %pSb} of the pc, no {@code - 4} for return addresses. */
    static List<String> kernelStyleFrames(Backtracer bt, Arm64Backtraces.Backtrace b) {
        List<String> out = new ArrayList<>();
        for (Arm64Frame f : b.frames()) {
            if (f.isCall()) {
                out.add(bt.symbolizer().lookup(f.pc()).map(Symbolizer.Name::kernel).orElse("0x" + Long.toHexString(f.pc())));
            }
        }
        return out;
    }

    private static boolean startsWith(List<String> ours, List<String> kernel) {
        return !kernel.isEmpty() && ours.size() >= kernel.size() && ours.subList(0, kernel.size()).equals(kernel);
    }

    @Test
    void everyTaskMatchesTheKernelsOwnTrace() throws Exception {
        int total = 0;
        int matched = 0;
        int switchFrames = 0;
        List<String> failures = new ArrayList<>();
        for (String scenario : Arm64Fixtures.SCENARIOS) {
            for (String format : List.of("zlib", "elf")) {
                try (Session s = Arm64Fixtures.open(scenario, format)) {
                    Backtracer bt = s.backtracer();
                    for (ConsoleTraces c : ConsoleTraces.read(Arm64Fixtures.dumpDir(scenario).resolve("console.log"))) {
                        total++;
                        Optional<Tasks.Task> t = bt.tasks().all().stream().filter(x -> x.pid() == c.pid() && !x.idle()).findFirst();
                        if (t.isEmpty()) {
                            failures.add(scenario + "/" + format + " pid " + c.pid() + ": no such task");
                            continue;
                        }
                        Arm64Backtraces.Backtrace b = bt.arm64Backtrace(t.get());
                        Optional<Tasks.Task> printer = bt.panicTask();
                        if (b.cpu() >= 0 && !printer.equals(t)) {
                            // Running on another CPU: the kernel unwound its stale switch frame
                            // (thread.cpu_context); bt starts from that CPU's registers and must reach the end.
                            if (!b.complete()) {
                                failures.add(scenario + "/" + format + " pid " + c.pid() + " on cpu " + b.cpu()
                                        + ": incomplete from the CPU's registers: " + b.detail());
                                continue;
                            }
                            b = bt.arm64().orElseThrow().backtrace(t.get(), Optional.empty());
                            switchFrames++;
                        }
                        List<String> ours = kernelStyleFrames(bt, b);
                        boolean elsewhere = b.start() != Backtracer.Start.CPU_REGISTERS && bt.activeCpu(t.get().address()).isPresent();
                        if (elsewhere ? startsWith(ours, c.frames()) : KernelTraceAcceptanceTest.matches(c.frames(), ours, c.running())) {
                            matched++;
                        } else {
                            failures.add(scenario + "/" + format + " pid " + c.pid() + " " + c.name() + ":\n  kernel "
                                    + c.frames() + "\n  ours   " + ours + " " + b.detail());
                        }
                    }
                }
            }
        }
        System.out.printf("arm64 bt vs the kernel's own traces: %d/%d tasks match (%.1f%%)%n", matched, total,
                100.0 * matched / total);
        System.out.printf("  (%d of them running on another CPU: the kernel's frames begin our unwind of the"
                + " same switch frame; from the CPU's registers their trace is complete)%n", switchFrames);
        failures.forEach(System.out::println);
        assertTrue(total >= 100, "tasks with a kernel trace: " + total);
        assertEquals(total, matched, String.join("\n", failures));
    }
}
