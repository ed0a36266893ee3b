package org.coroner.kernel.stack;

import java.nio.file.Path;

/** How many distinct tasks the kernel listed in a console log ({@code panic_print}'s task dump). */
public final class Arm64ConsoleTasks {
    private Arm64ConsoleTasks() {
    }

    public static long pids(Path log) {
        return ConsoleTraces.read(log).stream().mapToInt(ConsoleTraces::pid).distinct().count();
    }
}
