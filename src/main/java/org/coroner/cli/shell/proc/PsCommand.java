package org.coroner.cli.shell.proc;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.CrashFormat;
import org.coroner.cli.shell.TaskSetCommand;
import org.coroner.cli.shell.TaskSelection;
import org.coroner.cli.shell.bt.BacktracePrinter;
import org.coroner.kernel.Kernel;
import org.coroner.kernel.SystemInfo;
import org.coroner.kernel.TaskMemoryUsage;
import org.coroner.kernel.Tasks;
import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;
import org.coroner.session.Session;

/**
 * crash's {@code ps}: one line per task of the kernel (every task: idle tasks, processes, threads;
 * not only those in the PID hash), {@code >} marking the task running on a CPU at the dump, kernel
 * threads in brackets; or per task its times, last run, parents, children or arguments.
 */
public final class PsCommand implements TaskSetCommand {
    private static final long PF_KTHREAD = 0x00200000L;
    private final Session s;

    public PsCommand(Session s) {
        this.s = s;
    }

    @Override
    public String name() {
        return "ps";
    }

    @Override
    public boolean keepsQuotes() {
        return true; // 'regex' selects tasks by command name
    }

    @Override
    public String summary() {
        return "process status: every task with PID, PPID, CPU, address, state, memory and command";
    }

    @Override
    public String help() {
        return """
                ps [-k|-u|-G|-y POLICY] [-s] [-t|-l|-m [-C CPUS]|-p|-c|-a|-g|-r|-S|-A] [PID | TASK | COMMAND | 'REGEX']...
                  Lists every task of the kernel: the per-CPU idle tasks, every process and every
                  thread, found on the task list (not only in the PID hash). Columns:
                    PID PPID CPU TASK ST %MEM VSZ RSS COMM
                  '>' marks the task running on a CPU when the dump was taken; kernel threads have
                  their command in brackets. ST is RU, IN, UN, ID, ST, TR, ZO, DE, PA, WA or NE.
                  %MEM, VSZ and RSS (KiB) come from the task's mm (file, anon and shmem pages).
                  -k        kernel threads only       -u  user tasks only
                  -G        thread group leaders only
                  -y POLICY the tasks of these scheduling policies only: NORMAL, FIFO, RR, BATCH,
                            ISO, IDLE, DEADLINE or their numbers, separated by commas
                  -s        the kernel stack pointer (KSTACKP) instead of the task address
                  -t        run time, start time, user and system time of each task
                  -l        the last time each task ran (sched_info.last_arrival), latest first
                  -m        how long ago that was (its CPU's run-queue clock less it), D HH:MM:SS.mmm
                  -C CPUS   with -l or -m: the tasks of each CPU (0,2-3 or a)
                  -p        each task's parents up to PID 0      -c  each task's children
                  -a        each task's command line and environment, read from its user memory
                  -g        each thread group: its leader, then its other threads
                  -r        each task's resource limits (signal->rlim), current and maximum
                  -S        how many tasks are in each state
                  -A        only the tasks running on a CPU
                  Tasks can be named by PID, task address, command name or 'regular expression'.""";
    }

    private record Options(boolean kernel, boolean user, boolean group, boolean kstackp, char mode, List<Integer> cpus,
                           long policies) {
    }

    /** The kernel's scheduling policies (SCHED_NORMAL 0 to SCHED_DEADLINE 6), as crash names them. */
    private static final List<String> POLICIES = List.of("NORMAL", "FIFO", "RR", "BATCH", "ISO", "IDLE", "DEADLINE");

    /** RLIMIT_CPU (0) to RLIMIT_RTTIME (15), as crash names them. */
    private static final List<String> RLIMITS = List.of("CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NPROC",
            "NOFILE", "MEMLOCK", "AS", "LOCKS", "SIGPENDING", "MSGQUEUE", "NICE", "RTPRIO", "RTTIME");

    @Override
    public void run(List<String> args, PrintWriter out) {
        List<String> selectors = new ArrayList<>();
        Options o = parse(args, selectors);
        List<Tasks.Task> all = s.tasks().all();
        List<Tasks.Task> chosen;
        if (selectors.isEmpty()) {
            chosen = all;
        } else {
            if (o.mode() == 'S') {
                throw new CommandException("-S option takes no arguments");
            }
            Set<Tasks.Task> picked = new LinkedHashSet<>();
            for (String sel : selectors) {
                picked.addAll(select(all, sel, o.group()));
            }
            // crash prints in task order, whatever the order of the arguments
            chosen = all.stream().filter(picked::contains).toList();
        }
        print(chosen, o, !selectors.isEmpty(), out);
    }

    @Override
    public void runOn(List<Tasks.Task> tasks, List<String> options, PrintWriter out) {
        List<String> selectors = new ArrayList<>();
        Options o = parse(options, selectors);
        if (!selectors.isEmpty()) {
            throw new CommandException("foreach ps takes options only: " + String.join(" ", selectors));
        }
        print(tasks, o, true, out);
    }

    private Options parse(List<String> args, List<String> selectors) {
        boolean kernel = false;
        boolean user = false;
        boolean group = false;
        boolean kstackp = false;
        char mode = 0;
        List<Integer> cpus = null;
        long policies = 0;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("-") || a.length() < 2) {
                selectors.add(a);
                continue;
            }
            if (a.equals("-C")) {
                if (i + 1 >= args.size()) {
                    throw new CommandException("-C needs a CPU list");
                }
                cpus = cpuList(args.get(++i));
                continue;
            }
            char[] letters = a.substring(1).toCharArray();
            for (int k = 0; k < letters.length; k++) {
                char c = letters[k];
                if (c == 'y') {
                    // -y POLICY or -yPOLICY
                    String spec = k + 1 < letters.length ? a.substring(k + 2) : null;
                    if (spec == null && i + 1 >= args.size()) {
                        throw new CommandException("-y needs a scheduling policy");
                    }
                    policies |= policies(spec != null ? spec : args.get(++i));
                    break;
                }
                switch (c) {
                    case 'k' -> kernel = true;
                    case 'u' -> user = true;
                    case 'G' -> group = true;
                    case 's' -> kstackp = true;
                    case 't', 'l', 'm', 'p', 'c', 'a', 'g', 'r', 'S', 'A' -> {
                        if (mode != 0 && mode != c) {
                            throw new CommandException("-" + mode + " and -" + c + " are mutually exclusive");
                        }
                        mode = c;
                    }
                    default -> throw new CommandException("invalid option: -" + c);
                }
            }
        }
        if (kernel && user) {
            throw new CommandException("-u and -k are mutually exclusive");
        }
        if (group && (mode == 'l' || mode == 'm')) {
            throw new CommandException("-G not supported with -" + mode + " option");
        }
        if (cpus != null && mode != 'l' && mode != 'm') {
            throw new CommandException("-C option is only applicable with -l and -m");
        }
        return new Options(kernel, user, group, kstackp, mode, cpus, policies);
    }

    /**
     * crash's {@code -y} list: each item a policy's name (a word that starts with it counts, as in
     * crash), its number or its number in hex ({@code 0x1}); the mask has bit N for policy N.
     */
    private static long policies(String spec) {
        long mask = 0;
        for (String item : spec.split(",", -1)) {
            String up = item.toUpperCase(java.util.Locale.ROOT);
            int found = -1;
            for (int n = 0; n < POLICIES.size() && found < 0; n++) {
                if (up.startsWith(POLICIES.get(n)) || up.equals(Integer.toString(n)) || up.equals("0X" + n)) {
                    found = n;
                }
            }
            if (found < 0) {
                throw new CommandException(item + ": invalid scheduling policy");
            }
            mask |= 1L << found;
        }
        return mask;
    }

    private List<Integer> cpuList(String spec) {
        List<Integer> possible = s.kernel().cpuMask("__cpu_possible_mask");
        if (spec.equals("a") || spec.equals("all")) {
            return possible;
        }
        List<Integer> out = new ArrayList<>();
        try {
            for (String part : spec.split(",")) {
                String[] r = part.split("-");
                for (int c = Integer.parseInt(r[0]); c <= Integer.parseInt(r[r.length - 1]); c++) {
                    if (!possible.contains(c)) {
                        throw new CommandException("invalid cpu number: " + c);
                    }
                    out.add(c);
                }
            }
        } catch (NumberFormatException e) {
            throw new CommandException("invalid cpu list: " + spec);
        }
        return out;
    }

    private List<Tasks.Task> select(List<Tasks.Task> all, String sel, boolean group) {
        if (sel.length() > 1 && sel.startsWith("'") && sel.endsWith("'")) {
            Pattern p;
            try {
                p = Pattern.compile(sel.substring(1, sel.length() - 1));
            } catch (PatternSyntaxException e) {
                throw new CommandException("invalid regular expression: " + sel);
            }
            return all.stream().filter(t -> p.matcher(t.comm()).find() && (!group || t.pid() == t.tgid())).toList();
        }
        List<Tasks.Task> ts = TaskSelection.resolve(s.tasks(), sel, true);
        if (group) {
            // a thread stands for its group leader
            List<Tasks.Task> leaders = new ArrayList<>();
            for (Tasks.Task t : ts) {
                all.stream().filter(x -> x.pid() == t.tgid()).findFirst().ifPresent(leaders::add);
            }
            return leaders;
        }
        return ts;
    }

    private void print(List<Tasks.Task> chosen, Options o, boolean selected, PrintWriter out) {
        List<Tasks.Task> tasks = chosen.stream().filter(t -> keep(t, o)).toList();
        switch (o.mode()) {
            case 'S' -> summary(tasks, out);
            case 't' -> times(tasks, out);
            case 'l', 'm' -> lastRun(tasks, o, out);
            case 'p' -> tasks.forEach(t -> {
                parents(t, out);
                out.println();
            });
            case 'c' -> tasks.forEach(t -> {
                children(t, out);
                out.println();
            });
            case 'a' -> tasks.forEach(t -> arguments(t, out));
            case 'g' -> threadGroups(tasks, selected, out);
            case 'r' -> tasks.forEach(t -> resourceLimits(t, out));
            default -> {
                List<Tasks.Task> rows = o.mode() == 'A' ? tasks.stream().filter(this::active).toList() : tasks;
                if (o.mode() == 'A' && rows.isEmpty() && selected) {
                    return;
                }
                out.printf("      PID    PPID  CPU %s  ST  %%MEM      VSZ      RSS  COMM%n",
                        o.kstackp() ? "    KSTACKP     " : "      TASK      ");
                long totalRam = totalRamPages();
                for (Tasks.Task t : rows) {
                    row(t, o.kstackp(), totalRam, out);
                }
            }
        }
    }

    private boolean keep(Tasks.Task t, Options o) {
        boolean kthread = isKernelThread(t);
        if (o.kernel() && !kthread || o.user() && kthread) {
            return false;
        }
        if (o.policies() != 0 && (o.policies() & 1L << Math.min(63, t.task().member("policy").u64())) == 0) {
            return false;
        }
        return !o.group() || t.pid() == t.tgid();
    }

    /** crash's test: PF_KTHREAD in {@code task->flags} (the idle tasks have it too). */
    static boolean isKernelThread(Tasks.Task t) {
        try {
            return (t.task().member("flags").u64() & PF_KTHREAD) != 0;
        } catch (FaultException e) {
            return t.pid() == 0;
        }
    }

    private boolean active(Tasks.Task t) {
        return s.backtracer().activeCpu(t.address()).isPresent();
    }

    private long totalRamPages() {
        Kernel k = s.kernel();
        return k.symbol("_totalram_pages").or(() -> k.symbol("totalram_pages")).map(a -> k.memory().u64(a)).orElse(0L);
    }

    private void row(Tasks.Task t, boolean kstackp, long totalRam, PrintWriter out) {
        TaskMemoryUsage mu = TaskMemoryUsage.of(s.kernel(), t, s.tasks().all());
        double pct = totalRam > 0 ? mu.rss() * 100.0 / totalRam : 0;
        String mem = String.format("%.1f", pct);
        if (mem.length() == 3) {
            mem = " " + mem;
        }
        String state = Tasks.stateCode(t.state(), t.exitState());
        String pointer = kstackp ? kernelStackPointer(t) : String.format("%016x", t.address());
        out.printf("%s%7d %7d %3d  %s %3s  %s %8d %8d  %s%n", active(t) ? "> " : "  ", t.pid(), t.ppid(), t.cpu(),
                pointer, state, mem, mu.totalVm() * 4, mu.rss() * 4, comm(t));
    }

    private String kernelStackPointer(Tasks.Task t) {
        if (active(t)) {
            return "    --------    ";
        }
        return String.format("%016x", t.task().member("thread.sp").u64());
    }

    static String comm(Tasks.Task t) {
        return isKernelThread(t) ? "[" + t.comm() + "]" : t.comm();
    }

    private void summary(List<Tasks.Task> tasks, PrintWriter out) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Tasks.Task t : tasks) {
            counts.merge(Tasks.stateCode(t.state(), t.exitState()), 1, Integer::sum);
        }
        counts.forEach((st, n) -> out.printf("  %s: %d%n", st, n));
    }

    private void times(List<Tasks.Task> tasks, PrintWriter out) {
        SystemInfo si = new SystemInfo(s.kernel());
        int hz = si.hz();
        long uptimeJiffies = si.jiffies() - ((1L << 32) - 300L * hz);
        List<Tasks.Task> sorted = new ArrayList<>(tasks);
        sorted.sort(Comparator.comparingLong(t -> t.task().member("start_time").u64()));
        for (Tasks.Task t : sorted) {
            long start = t.task().member("start_time").u64();
            long run = Math.max(0, uptimeJiffies - start / 1_000_000_000L * hz);
            out.println(header(t));
            out.println("    RUN TIME: " + org.coroner.cli.shell.crash.SysCommand.uptime(run / hz));
            out.println("  START TIME: " + Long.toUnsignedString(start));
            out.println("       UTIME: " + t.task().member("utime").u64());
            out.println("       STIME: " + t.task().member("stime").u64());
            out.println();
        }
    }

    /**
     * {@code -l}: when each task last ran ({@code sched_info.last_arrival}), latest first; {@code -m}:
     * how long ago that was against its CPU's run-queue clock; {@code -C}: grouped by CPU.
     */
    private void lastRun(List<Tasks.Task> tasks, Options o, PrintWriter out) {
        List<Tasks.Task> sorted = new ArrayList<>(tasks);
        sorted.sort(Comparator.comparingLong((Tasks.Task t) -> lastArrival(t)).reversed());
        int width = sorted.isEmpty() ? 1 : Long.toUnsignedString(lastArrival(sorted.get(0))).length();
        if (o.cpus() == null) {
            sorted.forEach(t -> out.println(lastRunLine(t, o.mode(), width, 0)));
            return;
        }
        for (int i = 0; i < o.cpus().size(); i++) {
            int cpu = o.cpus().get(i);
            out.printf("%sCPU: %d%n", i > 0 ? "\n" : "", cpu);
            int days = o.mode() == 'm' ? nanoseconds(rqClock(cpu)).indexOf(' ') : 0;
            sorted.stream().filter(t -> t.cpu() == cpu).forEach(t -> out.println(lastRunLine(t, o.mode(), width, days)));
        }
    }

    private String lastRunLine(Tasks.Task t, char mode, int width, int days) {
        String st = Tasks.stateCode(t.state(), t.exitState());
        if (mode == 'l') {
            return String.format("[%" + width + "d] [%s]  %s", lastArrival(t), st, header(t));
        }
        String ago = nanoseconds(Math.max(0, rqClock(t.cpu()) - lastArrival(t)));
        return String.format("[%s%s] [%s]  %s", " ".repeat(Math.max(0, days - ago.indexOf(' '))), ago, st, header(t));
    }

    private long rqClock(int cpu) {
        return s.kernel().perCpu("struct rq", "runqueues", cpu).member("clock").u64();
    }

    /** crash's {@code D HH:MM:SS.mmm}. */
    static String nanoseconds(long ns) {
        long ms = ns / 1_000_000;
        return String.format("%d %02d:%02d:%02d.%03d", ms / 86_400_000, ms / 3_600_000 % 24, ms / 60_000 % 60,
                ms / 1000 % 60, ms % 1000);
    }

    private static long lastArrival(Tasks.Task t) {
        return t.task().member("sched_info.last_arrival").u64();
    }

    private void parents(Tasks.Task t, PrintWriter out) {
        List<Tasks.Task> chain = new ArrayList<>();
        Tasks.Task cur = t;
        while (cur != null && chain.size() < 1000) {
            chain.add(0, cur);
            long parent = cur.task().member("real_parent").u64();
            if (parent == cur.address() || parent == 0) {
                break;
            }
            cur = TaskSelection.byAddress(s.tasks(), parent).orElse(null);
        }
        for (int i = 0; i < chain.size(); i++) {
            out.println(" ".repeat(i) + header(chain.get(i)));
        }
    }

    private void children(Tasks.Task t, PrintWriter out) {
        out.println(header(t));
        int n = 0;
        for (Tasks.Task c : s.tasks().all()) {
            if (c.address() != t.address() && c.task().member("real_parent").u64() == t.address()) {
                out.println("  " + header(c));
                n++;
            }
        }
        if (n == 0) {
            out.println("  (no children)");
        }
    }

    private void arguments(Tasks.Task t, PrintWriter out) {
        out.println(header(t));
        var mem = s.userMemory(t);
        if (mem.isEmpty()) {
            out.println("ps: no user stack");
            out.println();
            return;
        }
        var mm = s.kernel().object("struct mm_struct", t.task().member("mm").u64());
        try {
            List<String> argv = strings(mem.get(), mm.member("arg_start").u64(), mm.member("arg_end").u64());
            List<String> env = strings(mem.get(), mm.member("env_start").u64(), mm.member("env_end").u64());
            out.println("ARG: " + argv.stream().map(x -> x + " ").collect(java.util.stream.Collectors.joining()));
            for (int i = 0; i < env.size(); i++) {
                out.println((i == 0 ? "ENV: " : "     ") + env.get(i));
            }
            if (env.isEmpty()) {
                out.println("ENV: ");
            }
        } catch (FaultException e) {
            out.println("ps: cannot read the user stack: " + e.getMessage());
        }
        out.println();
    }

    /**
     * {@code -g}: each thread group once, its leader's header and then its other threads indented
     * (the idle tasks, all of thread group 0, are one group). A thread that was named stands for its
     * group; unnamed, only the leaders start a group.
     */
    private void threadGroups(List<Tasks.Task> tasks, boolean selected, PrintWriter out) {
        List<Tasks.Task> all = s.tasks().all();
        Set<Integer> shown = new java.util.HashSet<>();
        for (Tasks.Task t : tasks) {
            Tasks.Task leader = t;
            if (t.pid() != t.tgid()) {
                if (!selected) {
                    continue;
                }
                leader = all.stream().filter(x -> x.pid() == t.tgid()).findFirst().orElse(null);
                if (leader == null) {
                    continue;
                }
            }
            if (!shown.add(leader.tgid())) {
                continue;
            }
            out.println(header(leader));
            int threads = 0;
            for (Tasks.Task x : all) {
                if (x.tgid() == leader.tgid() && x.address() != leader.address()) {
                    out.println("  " + header(x));
                    threads++;
                }
            }
            if (threads == 0) {
                out.println("  (no threads)");
            }
            out.println();
        }
    }

    /** {@code -r}: the task's resource limits, {@code signal->rlim[]}, in crash's layout. */
    private void resourceLimits(Tasks.Task t, PrintWriter out) {
        out.println(header(t));
        var rlim = t.task().member("signal").deref().member("rlim");
        long n = Math.min(rlim.type().resolve().length(), RLIMITS.size());
        int nameWidth = RLIMITS.stream().mapToInt(String::length).max().orElse(0);
        int valueWidth = "(unlimited)".length();
        out.println("  " + CrashFormat.right("RLIMIT", nameWidth) + "   " + CrashFormat.center("CURRENT", valueWidth) + "   "
                + CrashFormat.center("MAXIMUM", valueWidth));
        for (int i = 0; i < n; i++) {
            var r = rlim.index(i);
            out.println("  " + CrashFormat.right(RLIMITS.get(i), nameWidth) + "   " + limit(r.member("rlim_cur").u64(), valueWidth)
                    + "   " + limit(r.member("rlim_max").u64(), valueWidth));
        }
        out.println();
    }

    private static String limit(long v, int width) {
        return v == -1L ? "(unlimited)" : CrashFormat.center(Long.toUnsignedString(v), width);
    }

    private static List<String> strings(VirtualMemory mem, long start, long end) {
        if (end <= start || end - start > 1 << 20) {
            return List.of();
        }
        byte[] b = mem.read(start, (int) (end - start));
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= b.length; i++) {
            if (i == b.length || b[i] == 0) {
                if (i > from) {
                    out.add(new String(b, from, i - from, StandardCharsets.UTF_8));
                }
                from = i + 1;
            }
        }
        return out;
    }

    /** crash's task header: {@code PID: 90       TASK: ffff8ae6c251b080  CPU: 1    COMMAND: "insmod"}. */
    static String header(Tasks.Task t) {
        return BacktracePrinter.header(t, -1);
    }
}
