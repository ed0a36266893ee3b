package org.coroner.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.coroner.session.Session;

/**
 * One {@link Session} per fixture dump per test JVM ({@code null}, {@code mutex_abba}, and
 * {@code qemu-null}: the QEMU dump that {@code scripts/make-dumps.sh} writes), with crashlab.ko
 * found through {@code --modules}. Opening a session costs a second; the tests share them.
 */
public final class FixtureSessions {
    private static final Map<String, Session> SESSIONS = new ConcurrentHashMap<>();

    private FixtureSessions() {
    }

    /** The dump file of a scenario: the two shared vmcores, or {@code qemu-null} from make-dumps.sh. */
    public static Path vmcore(String scenario) {
        if (scenario.startsWith("qemu-")) {
            String env = System.getenv("CORONER_DUMPS");
            Path base = env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "coroner", "dumps");
            return base.resolve(scenario).resolve("zlib");
        }
        return Fixtures.vmcoreDir(scenario).resolve("vmcore");
    }

    public static synchronized Session session(String scenario) {
        return SESSIONS.computeIfAbsent(scenario, s -> Session.open(Fixtures.vmlinux(), vmcore(s),
                List.of(Fixtures.kernelDir()), false));
    }
}
