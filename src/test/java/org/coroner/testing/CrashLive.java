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
        return c;
    }

    public static CrashReference crash(String scenario) {
        return CrashReference.run(FixtureSessions.vmcore(scenario), commands(scenario));
    }
}
