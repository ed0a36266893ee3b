package org.coroner.analyze;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.coroner.kernel.Tasks;
import org.coroner.kernel.stack.Backtracer;
import org.coroner.kernel.stack.TaskTrace;
import org.coroner.memory.FaultException;
import org.coroner.oops.decode.Hex;
import org.coroner.session.Session;

/**
 * A soft lockup, hard lockup or RCU stall that no lock wait explains: which CPU the kernel's report
 * says was stuck (kernel/watchdog.c, kernel/watchdog_hld.c, kernel/rcu/tree_stall.h), then, from a
 * dump, what that CPU was running, where its saved registers put it, and the task state that makes
 * it stuck: how long it has run since it was last switched in, its RCU read-side nesting.
 */
final class Stalls {
    private static final Pattern SOFT = Pattern.compile("soft lockup - CPU#(\\d+) stuck for (\\d+)s! \\[(.+):(\\d+)\\]");
    private static final Pattern HARD = Pattern.compile("Watchdog detected hard LOCKUP on cpu (\\d+)");
    /** A stalled CPU line of an RCU stall report: {@code rcu: \t1-....: (225 ticks this GP) idle=...}. */
    private static final Pattern RCU_CPU = Pattern.compile("rcu:\\s+(\\d+)-\\S*: \\((\\d+) (?:GPs behind|ticks this GP)\\)");
    private static final Pattern RCU_BY = Pattern.compile("\\((?:detected by \\d+, )?t=(\\d+) jiffies");
    private static final Pattern RCU_TASKS = Pattern.compile("Tasks blocked on level-\\d+ rcu_node \\(CPUs [^)]*\\):(.*)");

    private Stalls() {
    }

    /** A CPU (or, for RCU, a preempted reader task) the kernel's report names as stuck. */
    record Stuck(Integer cpu, Integer pid, String comm, String how) {
    }

    static List<Stuck> fromLog(KernelLog log, Kind kind) {
        List<Stuck> out = new ArrayList<>();
        String jiffies = null;
        for (String l : log.lines()) {
            String t = Verdicts.strip(l);
            Matcher m;
            if (kind == Kind.SOFT_LOCKUP && (m = SOFT.matcher(t)).find()) {
                out.add(new Stuck(Integer.valueOf(m.group(1)), Integer.valueOf(m.group(4)), m.group(3), "stuck for " + m.group(2) + " s"));
            } else if (kind == Kind.HARD_LOCKUP && (m = HARD.matcher(t)).find()) {
                out.add(new Stuck(Integer.valueOf(m.group(1)), null, null, "with interrupts off for watchdog_thresh"));
            } else if (kind == Kind.RCU_STALL) {
                if ((m = RCU_BY.matcher(t)).find() && jiffies == null) {
                    jiffies = m.group(1);
                }
                if ((m = RCU_CPU.matcher(l)).find()) {
                    out.add(new Stuck(Integer.valueOf(m.group(1)), null, null, m.group(2) + " ticks this GP"));
                } else if ((m = RCU_TASKS.matcher(t)).find()) {
                    Matcher p = Pattern.compile("P(\\d+)").matcher(m.group(1));
                    while (p.find()) {
                        out.add(new Stuck(null, Integer.valueOf(p.group(1)), null, "preempted inside an RCU read-side critical section"));
                    }
                }
            }
        }
        if (jiffies != null) {
            String j = jiffies;
            out.replaceAll(s -> new Stuck(s.cpu(), s.pid(), s.comm(), s.how() + ", grace period " + j + " jiffies old"));
        }
        return dedupe(out);
    }

    private static List<Stuck> dedupe(List<Stuck> in) {
        List<Stuck> out = new ArrayList<>();
        for (Stuck s : in) {
            if (out.stream().noneMatch(o -> java.util.Objects.equals(o.cpu(), s.cpu()) && java.util.Objects.equals(o.pid(), s.pid()))) {
                out.add(s);
            }
        }
        return out;
    }

    /** Explains the stall from the dump; returns false when the report names no CPU or task that can be read. */
    static boolean explain(Session s, Finding f, KernelLog log) {
        Backtracer bt = s.backtracer();
        List<Stuck> stuck = fromLog(log, f.kind);
        for (Stuck st : stuck) {
            try {
                Optional<Tasks.Task> task = st.cpu() != null ? bt.activeTask(st.cpu())
                        : bt.byPid(st.pid()).stream().findFirst();
                if (task.isEmpty() || task.get().idle() && task.get().pid() == 0) {
                    continue;
                }
                Tasks.Task t = task.get();
                TaskTrace b = bt.trace(t);
                String who = t.comm() + " (pid " + t.pid() + ")";
                String cpu = st.cpu() != null ? "CPU " + st.cpu() : who;
                f.add("log", "The kernel's report names " + cpu + ": " + st.how() + ".", "the " + f.kind.title() + " report in"
                        + " the printk ring buffer");
                earlierWarnings(f, log);
                Optional<DumpFault.Trap> trap = DumpFault.trap(bt, b.frames());
                DumpFault df = new DumpFault(s);
                if (trap.isPresent()) {
                    long rip = trap.get().frame().regs().pc();
                    f.location = df.location(rip);
                    f.add("register", (st.cpu() != null ? "CPU " + st.cpu() + " runs " : "") + who + "; the "
                                    + trap.get().entry().replaceFirst("^asm_", "") + " that stopped it saved " + trap.get().frame().regs().pcName() + " "
                                    + Hex.format(rip) + ", " + f.location.text() + ".",
                            "exception frame (struct pt_regs) at " + Hex.format(trap.get().frame().regsAddress())
                                    + " on the stack of " + who + (st.cpu() != null ? ", the task the runqueue of CPU " + st.cpu()
                                    + " has as current" : ""));
                } else {
                    // not running: where it went to sleep, the first frame outside the scheduler
                    b.frames().stream().filter(fr -> fr.returnAddress()
                            && !Locks.SCHEDULER.contains(bt.symbolizer().function(fr.lookupPc()))).findFirst().ifPresent(fr -> {
                                f.location = df.location(fr.lookupPc());
                                f.add("memory", who + " is not running: state " + stateName(t.state()) + " in "
                                        + DumpAnalyzer.frameName(bt, fr) + ".", "its task_struct.__state and its backtrace"
                                        + " (" + DumpAnalyzer.unwinder(s) + " from its switch frame)");
                            });
                }
                String state = taskState(s, t, f);
                f.confidence = trap.isPresent() ? Confidence.HIGH : Confidence.MEDIUM;
                f.summary = switch (f.kind) {
                    case RCU_STALL -> "RCU stall: " + (st.cpu() != null ? "CPU " + st.cpu() + " reported no quiescent state ("
                            + st.how() + "): it runs " + who : who + " blocks the grace period (" + st.how() + "), asleep")
                            + (f.location == null ? "" : " in " + f.location.text()) + state + ".";
                    case HARD_LOCKUP -> "Hard lockup: CPU " + st.cpu() + " ran " + who + " with interrupts off"
                            + (f.location == null ? "" : " in " + f.location.text()) + state + "; it waits for no lock.";
                    default -> "Soft lockup: CPU " + st.cpu() + " was " + st.how() + " running " + who
                            + (f.location == null ? "" : " in " + f.location.text()) + state + "; it waits for no lock.";
                };
                f.add("memory", "No frame of " + who + "'s backtrace is in a lock slow path: it is not waiting for a lock.",
                        "every frame of its backtrace (" + DumpAnalyzer.unwinder(s) + ") against the mutex, rwsem and spinlock slow paths");
                return true;
            } catch (FaultException | IllegalArgumentException | IllegalStateException e) {
                f.add("memory", "The task on the stuck CPU cannot be read: " + e.getMessage() + ".", "the dump");
            }
        }
        return false;
    }

    /**
     * A WARNING the kernel printed before an RCU stall (it taints W): for a reader that slept inside
     * rcu_read_lock(), rcu_note_context_switch() warns at that switch (kernel/rcu/tree_plugin.h).
     */
    private static void earlierWarnings(Finding f, KernelLog log) {
        if (f.kind != Kind.RCU_STALL) {
            return;
        }
        for (String l : log.lines()) {
            String t = Verdicts.strip(l);
            if (t.contains("detected stalls on CPUs/tasks") || t.contains("self-detected stall")) {
                return;
            }
            if (t.startsWith("WARNING: ")) {
                f.add("log", "Before the stall the kernel warned: " + t + ".", "the log before the stall report");
                return;
            }
        }
    }

    private static String stateName(long st) {
        return st == 0 ? "R (running)" : (st & 2) != 0 ? "D (uninterruptible sleep)" : (st & 1) != 0 ? "S (interruptible sleep)"
                : "0x" + Long.toHexString(st);
    }

    /** What keeps the task on its CPU: its run time since it was last switched in, its RCU read-side nesting. */
    private static String taskState(Session s, Tasks.Task t, Finding f) {
        StringBuilder out = new StringBuilder();
        try {
            if (t.state() != 0) {
                throw new IllegalStateException("not running"); // a sleeping task's run time says nothing of a stall
            }
            var task = t.task();
            long sum = task.member("se.sum_exec_runtime").u64();
            long prev = task.member("se.prev_sum_exec_runtime").u64();
            if (Long.compareUnsigned(sum, prev) >= 0) {
                double secs = (sum - prev) / 1e9;
                f.add("kernel", t.comm() + " has run " + String.format("%.2f", secs) + " s since it was last switched in.",
                        "task->se.sum_exec_runtime - se.prev_sum_exec_runtime (set when the scheduler picked it)");
                out.append(", on the CPU for ").append(String.format("%.1f", secs)).append(" s without scheduling");
            }
        } catch (FaultException | IllegalArgumentException | IllegalStateException e) {
            // no run time: the rest still stands
        }
        if (f.kind == Kind.RCU_STALL) {
            try {
                long nesting = t.task().member("rcu_read_lock_nesting").value();
                f.add("kernel", t.comm() + "'s rcu_read_lock_nesting is " + nesting + (nesting > 0
                                ? ": it is inside an RCU read-side critical section (rcu_read_lock() not yet unlocked), which"
                                + " holds up the grace period" : "."),
                        "task->rcu_read_lock_nesting (CONFIG_PREEMPT_RCU)");
                if (nesting > 0) {
                    out.append(", inside rcu_read_lock() (nesting ").append(nesting).append(")");
                }
            } catch (FaultException | IllegalArgumentException e) {
                // a kernel without preemptible RCU has no such member
            }
        }
        return out.toString();
    }

    private static final Pattern TASK_DUMP = Pattern.compile("task:(\\S+)\\s+state:(\\S+)\\s.*?\\spid:(\\d+)");

    /**
     * The same from a log alone: the stuck CPU and task the report names, where its registers put it;
     * for a blocked RCU reader, the task's own trace (the stall report prints it) and where it sleeps,
     * through {@code site} (a frame of the log to its source location), when given.
     */
    static void explainLog(Finding f, KernelLog log, java.util.function.Function<String, CodeLocation> site) {
        List<Stuck> stuck = fromLog(log, f.kind);
        if (stuck.isEmpty()) {
            return;
        }
        Stuck st = stuck.get(0);
        String who = st.comm() != null ? st.comm() + " (pid " + st.pid() + ")" : null;
        if (st.cpu() == null && st.pid() != null) {
            List<String> lines = log.lines();
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = TASK_DUMP.matcher(lines.get(i));
                if (m.find() && Integer.parseInt(m.group(3)) == st.pid()) {
                    who = m.group(1) + " (pid " + st.pid() + ")";
                    String frame = LogTraces.trace(lines, i).stream().filter(fr -> !LogTraces.isScheduler(fr)
                            && !Locks.SCHEDULER.contains(LogTraces.function(fr))).findFirst().orElse(null);
                    if (frame != null) {
                        f.add("log", who + " is in state " + m.group(2) + " in " + frame + ".", "its trace in the stall report");
                        if (site != null) {
                            f.location = site.apply(frame);
                        }
                    }
                    break;
                }
            }
        }
        if (who == null && st.cpu() != null) {
            Pattern cpuLine = Pattern.compile("CPU: " + st.cpu() + " PID: (\\d+) Comm: (\\S+)");
            for (String l : log.lines()) {
                Matcher m = cpuLine.matcher(l);
                if (m.find()) {
                    who = m.group(2) + " (pid " + m.group(1) + ")";
                    break;
                }
            }
        }
        f.add("log", "The kernel's report names " + (st.cpu() != null ? "CPU " + st.cpu() : "pid " + st.pid()) + ": " + st.how()
                + (who != null && st.cpu() != null ? ", running " + who : "") + ".", "the " + f.kind.title() + " report"
                + (st.cpu() != null ? " and the CPU's registers" : "") + " in the log");
        earlierWarnings(f, log);
        String where = f.location == null ? "" : " in " + f.location.text();
        f.summary = switch (f.kind) {
            case RCU_STALL -> "RCU stall: " + (st.cpu() != null ? "CPU " + st.cpu() + " reported no quiescent state (" + st.how() + ")"
                    + (who != null ? ", running " + who : "") : (who != null ? who : "pid " + st.pid()) + " blocks the grace"
                    + " period (" + st.how() + "), asleep") + where + ".";
            case HARD_LOCKUP -> "Hard lockup: CPU " + st.cpu() + " ran with interrupts off" + (who != null ? " (" + who + ")" : "")
                    + where + ".";
            default -> "Soft lockup: CPU " + st.cpu() + " was " + st.how() + (who != null ? " running " + who : "") + where
                    + ", in no lock slow path.";
        };
        f.confidence = Confidence.MEDIUM;
    }
}
