package org.coroner.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * The commands the shell tests compare with crash, run in one crash batch per dump
 * ({@link CrashReference}). Addresses in them come from crash's own fixture output
 * (tasklist.txt, bt.txt) or from the kernel's data read by the test, never from the answer under test.
 */
public final class CrashLive {
    private CrashLive() {
    }

    public static List<String> commands(String scenario) {
        List<String> c = new ArrayList<>();
        c.add("kmem -s");
        c.add("kmem -S");
        // tasks, context, modules
        c.add("mod");
        c.add(modLoad());
        c.add("mod");
        c.add("mod -t");
        c.add("ps");
        c.add("ps -t");
        c.add("ps -l");
        c.add("ps -S");
        c.add("list task_struct.tasks -s task_struct.pid,thread_info.cpu,real_parent -h init_task");
        c.add("set");
        c.add("set -c 0");
        c.add("set -c 1");
        c.add("set -p");
        c.add("foreach RU ps");
        return c;
    }

    /** crash's {@code mod -s} of crashlab.ko from the fixtures. */
    public static String modLoad() {
        return "mod -s crashlab " + Fixtures.crashlabKo();
    }

    public static CrashReference crash(String scenario) {
        return CrashReference.run(FixtureSessions.vmcore(scenario), commands(scenario));
    }
}
