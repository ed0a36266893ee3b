package org.coroner.kernel.stack;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.coroner.cli.shell.bt.BtCommand;

/**
 * Benchmark (run by scripts/bench-foreach-bt.sh, not a test): opens a fixture dump cold and runs
 * {@code foreach bt}; prints the times. Usage: ForeachBtBench SCENARIO [COMMAND...]
 */
public final class ForeachBtBench {
    private ForeachBtBench() {
    }

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        Backtracer bt = FixtureKernels.backtracer(args[0]);
        long t1 = System.nanoTime();
        StringWriter sw = new StringWriter();
        new BtCommand(bt).runOn(bt.tasks().all(), List.of(), new PrintWriter(sw));
        long t2 = System.nanoTime();
        if (args.length > 1 && args[1].equals("-v")) {
            System.out.print(sw);
        }
        System.out.printf("open %d ms, foreach bt %d ms (%d tasks, %d lines)%n", (t1 - t0) / 1_000_000,
                (t2 - t1) / 1_000_000, bt.tasks().all().size(), sw.toString().lines().count());
    }
}
