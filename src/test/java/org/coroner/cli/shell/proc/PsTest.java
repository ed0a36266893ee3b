package org.coroner.cli.shell.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.coroner.session.Session;
import org.coroner.testing.CrashLive;
import org.coroner.testing.CrashReference;
import org.coroner.testing.FixtureSessions;
import org.coroner.testing.Fixtures;
import org.coroner.testing.ShellRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ps} against three independent sources: the task list crash read ({@code tasklist.txt}:
 * PID, COMM, TASK), the kernel's own task dump in the console log (PPID and state, printed by
 * {@code panic_print}), and crash run live (each task's CPU from {@code list task_struct.tasks},
 * and crash's own {@code ps} lines for the three tasks it finds).
 */
@Tag("fixtures")
class PsTest {
    /** {@code >       0       0   0  ffffffff8981aa40  RU   0.0        0        0  [swapper/0]}. */
    static final Pattern ROW = Pattern.compile(
            "^([> ]) +(\\d+) +(-?\\d+) +(\\d+)  ([0-9a-f]{16}) +([A-Z?]{2}) +(\\d+\\.\\d) +(\\d+) +(\\d+)  (.*)$");
    private static final Pattern KERNEL_TASK = Pattern.compile(
            "task:(.{15}) state:(\\S)\\s.*?pid:(\\d+)\\s+ppid:(\\d+)");

    record Row(boolean active, int pid, int ppid, int cpu, String task, String state, String mem, long vsz, long rss,
               String comm) {
        static Row of(String line) {
            Matcher m = ROW.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("not a ps line: " + line);
            }
            return new Row(m.group(1).equals(">"), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)), m.group(5), m.group(6), m.group(7), Long.parseLong(m.group(8)),
                    Long.parseLong(m.group(9)), m.group(10));
        }
    }

    static List<Row> rows(String out) {
        return out.lines().filter(l -> ROW.matcher(l).matches()).map(Row::of).toList();
    }

    /** The kernel's letters (sched_show_task) as crash's two-letter states. */
    private static String state(String letter) {
        return switch (letter) {
            case "R" -> "RU";
            case "S" -> "IN";
            case "D" -> "UN";
            case "I" -> "ID";
            case "T" -> "ST";
            case "t" -> "TR";
            case "Z" -> "ZO";
            case "X" -> "DE";
            case "P" -> "PA";
            default -> letter;
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba", "qemu-null"})
    void oneLinePerTaskWithTheKernelsPidsParentsCpusAndStates(String scenario) throws Exception {
        Session s = FixtureSessions.session(scenario);
        CrashReference crash = CrashLive.crash(scenario);
        String out = new ShellRun(s).run("ps");
        List<String> lines = out.lines().toList();
        assertThat(lines.get(0)).isEqualTo(crash.lines("ps").stream().filter(l -> l.contains("PID    PPID")).findFirst().orElseThrow());
        List<Row> rows = rows(out);
        assertThat(rows).hasSize(lines.size() - 1);

        // every task on init_task.tasks with pid and comm (crash's tasklist.txt, or crash's list live for the
        // QEMU dump); ps has each once, plus the idle tasks
        Map<String, String[]> listed = new HashMap<>();
        java.nio.file.Path tasklist = Fixtures.vmcoreDir(scenario).resolve("crash/tasklist.txt");
        List<String> tl = scenario.startsWith("qemu-") ? crash.lines(CrashLive.TASK_LIST) : Files.readAllLines(tasklist);
        for (int i = 0; i < tl.size(); i++) {
            if (tl.get(i).matches("^[0-9a-f]{16}$")) {
                String pid = tl.get(i + 1).replaceAll("\\D", "");
                String comm = tl.get(i + 2).replaceFirst("^\\s*comm = \"", "").replaceFirst("(\\\\000)*\",?$", "");
                listed.put(tl.get(i), new String[] {pid, comm});
            }
        }
        assertThat(listed).hasSizeGreaterThan(50);
        Map<String, Row> byTask = new HashMap<>();
        for (Row r : rows) {
            assertThat(byTask.put(r.task(), r)).as("one line per task: %s", r.task()).isNull();
        }
        for (Map.Entry<String, String[]> e : listed.entrySet()) {
            Row r = byTask.get(e.getKey());
            assertThat(r).as("task %s of tasklist.txt", e.getKey()).isNotNull();
            assertThat(r.pid()).isEqualTo(Integer.parseInt(e.getValue()[0]));
            assertThat(r.comm().replaceAll("^\\[|\\]$", "")).isEqualTo(e.getValue()[1]);
        }
        List<Row> idle = rows.stream().filter(r -> !listed.containsKey(r.task())).toList();
        assertThat(idle).isNotEmpty().allSatisfy(r -> {
            assertThat(r.pid()).isZero();
            assertThat(r.comm()).startsWith("[swapper/");
        });

        // the kernel's own task dump: ppid and state of every task it printed
        Map<Integer, String[]> kernel = new HashMap<>();
        Matcher m = KERNEL_TASK.matcher(Files.readString(FixtureSessions.vmcore(scenario).resolveSibling("console.log")));
        while (m.find()) {
            kernel.put(Integer.parseInt(m.group(3)), new String[] {m.group(4), state(m.group(2)), m.group(1).trim()});
        }
        int checked = 0;
        for (Row r : rows) {
            String[] k = kernel.get(r.pid());
            if (r.pid() == 0 || k == null) {
                continue;
            }
            assertThat(r.ppid()).as("ppid of %d", r.pid()).isEqualTo(Integer.parseInt(k[0]));
            assertThat(r.state()).as("state of %d", r.pid()).isEqualTo(k[1]);
            assertThat(r.comm().replaceAll("^\\[|\\]$", "")).startsWith(k[2]);
            checked++;
        }
        if (!kernel.isEmpty()) { // the QEMU dump's kernel was not asked to print its tasks (panic_print)
            assertThat(checked).isEqualTo(listed.size() - 1); // all but init_task (pid 0)
        }

        // crash's list: each task's CPU (thread_info.cpu) and parent
        Map<String, Integer> cpus = new HashMap<>();
        String task = null;
        for (String l : crash.lines(CrashLive.TASK_LIST)) {
            if (l.matches("^[0-9a-f]{16}$")) {
                task = l;
            } else if (l.trim().startsWith("thread_info.cpu = ")) {
                cpus.put(task, Integer.parseInt(l.trim().replaceAll("\\D", "")));
            }
        }
        assertThat(cpus).hasSameSizeAs(listed);
        cpus.forEach((t, cpu) -> assertThat(byTask.get(t).cpu()).as("cpu of %s", t).isEqualTo(cpu));

        // crash's ps finds three tasks: the same PID, CPU, TASK, state, VSZ, command, and the same '>'
        List<Row> theirs = rows(crash.output("ps"));
        assertThat(theirs).hasSize(3);
        for (Row c : theirs) {
            Row r = byTask.get(c.task());
            assertThat(List.of(r.active(), r.pid(), r.cpu(), r.state(), r.vsz(), r.comm()))
                    .isEqualTo(List.of(c.active(), c.pid(), c.cpu(), c.state(), c.vsz(), c.comm()));
        }
        Set<String> activeOurs = new HashSet<>();
        rows.stream().filter(Row::active).forEach(r -> activeOurs.add(r.task()));
        Set<String> activeCrash = new HashSet<>();
        theirs.stream().filter(Row::active).forEach(r -> activeCrash.add(r.task()));
        assertThat(activeOurs).isEqualTo(activeCrash).hasSize(s.kernel().cpuMask("__cpu_possible_mask").size());
    }

    /** {@code ps -t}, {@code ps -l} and crash's per-state counts, for the tasks crash knows. */
    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba", "qemu-null"})
    void timesLastRunAndStateSummary(String scenario) {
        Session s = FixtureSessions.session(scenario);
        CrashReference crash = CrashLive.crash(scenario);
        ShellRun sh = new ShellRun(s);
        String times = sh.run("ps -t");
        assertThat(blocksOf(times.lines().toList(), crash.lines("ps -t"), 5)).isEqualTo(3);
        List<String> last = sh.run("ps -l").lines().toList();
        for (String l : crash.lines("ps -l")) {
            // crash pads the stamp to the width of its own first (largest) one; ours to the largest of all tasks
            String tail = l.substring(l.indexOf(']') + 1);
            String stamp = l.substring(1, l.indexOf(']')).trim();
            assertThat(last).anySatisfy(o -> {
                assertThat(o.substring(o.indexOf(']') + 1)).isEqualTo(tail);
                assertThat(o.substring(1, o.indexOf(']')).trim()).isEqualTo(stamp);
            });
        }
        // the panic task's command line and environment, read from its user memory through its page tables
        String args = sh.run(CrashLive.psArguments(scenario));
        assertThat(args).isEqualTo(crash.output(CrashLive.psArguments(scenario)));
        // how long ago each task ran, against its CPU's run-queue clock: crash's lines are ours
        List<String> ago = sh.run("ps -m").lines().toList();
        assertThat(ago).containsAll(crash.lines("ps -m")).hasSize(s.tasks().all().size());
        // the state summary counts every task
        Map<String, Integer> count = new HashMap<>();
        for (Row r : rows(sh.run("ps"))) {
            count.merge(r.state(), 1, Integer::sum);
        }
        List<String> summary = new ArrayList<>();
        sh.run("ps -S").lines().forEach(summary::add);
        assertThat(summary).hasSize(count.size());
        for (String l : summary) {
            String[] kv = l.trim().split(": ");
            assertThat(Integer.parseInt(kv[1])).isEqualTo(count.get(kv[0]));
        }
    }

    /**
     * {@code ps -g}, {@code ps -r} and {@code ps -y}: crash's block or line for each task it knows
     * is ours, byte for byte; ours covers every task, and the policies agree with the kernel's own
     * invariant (a SCHED_FIFO task has an rt_priority of 1-99, a SCHED_NORMAL one 0).
     */
    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba", "qemu-null"})
    void threadGroupsResourceLimitsAndPolicies(String scenario) {
        Session s = FixtureSessions.session(scenario);
        CrashReference crash = CrashLive.crash(scenario);
        ShellRun sh = new ShellRun(s);
        List<org.coroner.kernel.Tasks.Task> tasks = s.tasks().all();

        // -r: 16 limits per task, crash's blocks verbatim (header, column heads, limits, blank line)
        List<String> limits = sh.run("ps -r").lines().toList();
        assertThat(blocksOf(limits, crash.lines("ps -r"), 19)).isEqualTo(3);
        assertThat(limits.stream().filter(l -> l.startsWith("PID: "))).hasSameSizeAs(tasks);
        assertThat(limits).contains("      RLIMIT     CURRENT       MAXIMUM  ", "      NOFILE      1024          4096    ");

        // -g: one block per thread group, each task in exactly one of them
        List<String> groups = sh.run("ps -g").lines().toList();
        List<String> crashGroups = crash.lines("ps -g");
        int at = 0;
        for (int i = 0; i < crashGroups.size(); i++) {
            if (crashGroups.get(i).startsWith("PID: ")) {
                int end = crashGroups.subList(i, crashGroups.size()).indexOf("") + i;
                int k = groups.indexOf(crashGroups.get(i));
                assertThat(k).as(crashGroups.get(i)).isNotNegative();
                assertThat(groups.subList(k, k + end - i + 1)).isEqualTo(crashGroups.subList(i, end + 1));
                at++;
            }
        }
        assertThat(at).isGreaterThanOrEqualTo(2);
        long groupCount = tasks.stream().map(org.coroner.kernel.Tasks.Task::tgid).distinct().count();
        assertThat(groups.stream().filter(l -> l.startsWith("PID: "))).hasSize((int) groupCount);
        assertThat(groups.stream().filter(l -> l.trim().startsWith("PID: "))).hasSameSizeAs(tasks);

        // -y: crash's NORMAL tasks are among ours; every task has one policy; FIFO and NORMAL agree with rt_priority
        List<Row> normal = rows(sh.run("ps -y NORMAL"));
        for (Row c : rows(crash.output("ps -y NORMAL"))) {
            assertThat(normal).anySatisfy(r -> assertThat(List.of(r.task(), r.pid(), r.comm())).isEqualTo(List.of(c.task(), c.pid(), c.comm())));
        }
        List<Row> fifo = rows(sh.run("ps -y fifo"));
        assertThat(rows(crash.output("ps -y FIFO"))).allSatisfy(c -> assertThat(fifo).anySatisfy(r -> assertThat(r.task()).isEqualTo(c.task())));
        assertThat(fifo).isNotEmpty().allSatisfy(r -> assertThat(r.comm()).startsWith("["));
        Map<String, org.coroner.kernel.Tasks.Task> byAddress = new HashMap<>();
        tasks.forEach(t -> byAddress.put(String.format("%016x", t.address()), t));
        for (Row r : fifo) {
            assertThat(byAddress.get(r.task()).task().member("rt_priority").u64()).as(r.comm()).isBetween(1L, 99L);
        }
        for (Row r : normal) {
            assertThat(byAddress.get(r.task()).task().member("rt_priority").u64()).as(r.comm()).isZero();
        }
        int sum = 0;
        for (String policy : List.of("0", "1", "2", "3", "4", "5", "6")) {
            sum += rows(sh.run("ps -y " + policy)).size();
        }
        assertThat(sum).isEqualTo(tasks.size());
        assertThat(rows(sh.run("ps -y 0x1"))).isEqualTo(fifo);
        assertThat(rows(sh.run("ps -y NORMAL,FIFO"))).hasSize(normal.size() + fifo.size());
        assertThat(sh.run("ps -y 7")).isEmpty();
        assertThat(sh.errors()).contains("7: invalid scheduling policy");
    }

    /** How many of crash's blocks (a {@code PID:} line and the {@code n - 1} after it) are in ours as they are. */
    private static int blocksOf(List<String> ours, List<String> crash, int n) {
        int found = 0;
        for (int i = 0; i < crash.size(); i++) {
            if (crash.get(i).startsWith("PID: ")) {
                int at = ours.indexOf(crash.get(i));
                assertThat(at).as(crash.get(i)).isNotNegative();
                assertThat(ours.subList(at, at + n)).isEqualTo(crash.subList(i, i + n));
                found++;
            }
        }
        return found;
    }
}
