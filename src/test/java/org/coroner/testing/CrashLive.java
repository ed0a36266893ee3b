package org.coroner.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The commands the shell tests compare with crash, run in one crash batch per dump
 * ({@link CrashReference}). Addresses in them come from crash's own fixture output
 * (tasklist.txt, bt.txt) or from the kernel's data read by the test, never from the answer under test.
 */
public final class CrashLive {
    private CrashLive() {
    }

    /** Every task on init_task.tasks with its PID, command and CPU, as crash reads them. */
    public static final String TASK_LIST = "list task_struct.tasks -s task_struct.pid,comm,thread_info.cpu -h init_task";

    /**
     * Addresses of a dump, read from crash's fixture output: the panic task and its first stack
     * slot and return address (bt.txt), crashlab's base (mod.txt), init_task and init's task_struct
     * (tasklist.txt).
     */
    public record Addresses(long panicTask, long stackSlot, long returnAddress, long moduleBase, long initTask,
                            long initProcess) {
        /** A word inside init's task_struct: a slab object of task_struct. */
        public long slabObject() {
            return initProcess + 0x100;
        }
    }

    public static Addresses addresses(String scenario) {
        if (scenario.startsWith("qemu-")) {
            return sessionAddresses(scenario);
        }
        try {
            String bt = Files.readString(Fixtures.vmcoreDir(scenario).resolve("crash/bt.txt"));
            String mod = Files.readString(Fixtures.vmcoreDir(scenario).resolve("crash/mod.txt"));
            List<String> tl = Files.readAllLines(Fixtures.vmcoreDir(scenario).resolve("crash/tasklist.txt")).stream()
                    .filter(l -> l.matches("^[0-9a-f]{16}$")).toList();
            Matcher task = Pattern.compile("TASK: ([0-9a-f]{16})").matcher(bt);
            Matcher frame = Pattern.compile("#0 \\[([0-9a-f]{16})\\] \\S+ at ([0-9a-f]{16})").matcher(bt);
            Matcher base = Pattern.compile("crashlab\\s+([0-9a-f]{16})").matcher(mod);
            if (!task.find() || !frame.find() || !base.find()) {
                throw new IllegalStateException("unexpected crash fixture output for " + scenario);
            }
            return new Addresses(hex(task.group(1)), hex(frame.group(1)), hex(frame.group(2)), hex(base.group(1)),
                    hex(tl.get(0)), hex(tl.get(1)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * For the QEMU dumps, which have no fixture output: the same kinds of addresses picked from the
     * session (crash answers the questions about them on its own).
     */
    private static Addresses sessionAddresses(String scenario) {
        var s = FixtureSessions.session(scenario);
        var panic = s.backtracer().panicTask().orElseThrow();
        var frames = s.backtracer().backtrace(panic).frames();
        var frame = frames.stream().filter(f -> f.isReturnAddress()).findFirst().orElseThrow();
        long base = s.backtracer().modules().all().stream().filter(m -> m.name().equals("crashlab")).findFirst()
                .orElseThrow().ranges().get(0).base();
        long init = s.tasks().all().stream().filter(t -> t.pid() == 1).findFirst().orElseThrow().address();
        return new Addresses(panic.address(), frame.slot(), frame.pc(), base, s.kernel().requireSymbol("init_task"), init);
    }

    private static long hex(String s) {
        return Long.parseUnsignedLong(s, 16);
    }

    /** The memory commands compared with crash. */
    public static List<String> memoryCommands(String scenario) {
        Addresses a = addresses(scenario);
        List<String> c = new ArrayList<>();
        c.add("kmem -i");
        c.add("kmem -z");
        c.add("kmem -f");
        for (long x : List.of(a.panicTask(), a.slabObject(), a.initTask(), a.stackSlot(), a.moduleBase() + 0x1e9,
                a.returnAddress(), 0x1234L, a.initProcess() - a.initProcess() % 0x1000)) {
            c.add(String.format("kmem %x", x));
        }
        c.add(String.format("kmem -s %x", a.slabObject()));
        c.add(String.format("kmem -S %x", a.slabObject()));
        c.add("kmem -s kmalloc-64");
        c.add("kmem -p 1000");
        c.add("kmem -v");
        for (long x : List.of(a.panicTask(), a.initTask(), a.stackSlot(), a.moduleBase() + 0x1e9, a.returnAddress())) {
            c.add(String.format("vtop %x", x));
        }
        c.add("ptov 1000 1234");
        c.add("ptov 1234:a");
        c.add(String.format("search -t %x", a.panicTask()));
        if (scenario.equals("null")) {
            // whole-memory searches take crash (and us) several seconds each: on one dump
            c.add(String.format("search -k %x", a.panicTask()));
            c.add("search -c crashlab_init");
            c.add(String.format("search -w %x", a.panicTask() & 0xffffffffL));
            c.add(String.format("search -p %x", a.panicTask()));
        }
        c.add(String.format("search -K -s %x -l 0x100000 %x", a.initProcess() & -0x100000L, a.initProcess()));
        c.add(String.format("search -h -s %x -l 0x2000 %x", a.initProcess() & -0x1000L, a.initProcess() & 0xffff));
        c.add(String.format("search -s %x -l 16384 %x", a.stackSlot() & -16384L, a.returnAddress()));
        c.add(String.format("search -m ffff -s %x -e %x %x", a.stackSlot() & -16384L, (a.stackSlot() & -16384L) + 16384,
                a.returnAddress() & ~0xffffL));
        return c;
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
        c.add("ps -m");
        c.add("ps -S");
        c.add("ps -g");
        c.add("ps -r");
        c.add("ps -y NORMAL");
        c.add("ps -y FIFO");
        c.add(TASK_LIST);
        c.add("set");
        c.add("set -c 0");
        c.add("set -c 1");
        c.add("set -p");
        c.add("foreach RU ps");
        c.add(psArguments(scenario));
        c.addAll(memoryCommands(scenario));
        return c;
    }

    /** {@code ps -a} of the panic task: its argv and environment, read through its user page tables. */
    public static String psArguments(String scenario) {
        return String.format("ps -a %x", addresses(scenario).panicTask());
    }

    /** crash's {@code mod -s} of crashlab.ko from the fixtures. */
    public static String modLoad() {
        return "mod -s crashlab " + Fixtures.crashlabKo();
    }

    public static CrashReference crash(String scenario) {
        return CrashReference.run(FixtureSessions.vmcore(scenario), commands(scenario));
    }
}
