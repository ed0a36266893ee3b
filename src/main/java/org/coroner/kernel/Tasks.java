package org.coroner.kernel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.coroner.memory.FaultException;
import org.coroner.types.CType;
import org.coroner.types.Value;

/**
 * Every task of the kernel: the per-cpu idle tasks, every process on {@code init_task.tasks} and
 * every thread of each process ({@code signal->thread_head}, or {@code thread_group} on older
 * kernels). Not the PID hash: tasks that are not hashed (a task dying, or crash's blind spot on
 * panicked dumps) are found too.
 */
public final class Tasks {
    private final Kernel k;
    private final CType taskType;
    private List<Task> all;

    /** One task and the facts {@code ps} shows. */
    public record Task(Value task, int pid, int tgid, int ppid, int cpu, String comm, long state, long exitState,
                       boolean idle) {
        public long address() {
            return task.address();
        }

        public boolean isKernelThread(Value t) {
            return t.member("mm").u64() == 0;
        }
    }

    public Tasks(Kernel k) {
        this.k = k;
        this.taskType = k.type("struct task_struct");
    }

    /** Tasks sorted by PID, idle tasks first by CPU; read once. */
    public synchronized List<Task> all() {
        if (all == null) {
            Map<Long, Task> found = new LinkedHashMap<>();
            for (int cpu : k.cpuMask("__cpu_possible_mask")) {
                Value rq = k.perCpu("struct rq", "runqueues", cpu);
                long idle = rq.member("idle").u64();
                if (idle != 0) {
                    found.putIfAbsent(idle, task(idle, true));
                }
            }
            long head = k.requireSymbol("init_task");
            for (long t : list(head + offset("tasks"), offset("tasks"))) {
                found.putIfAbsent(t, task(t, false));
                for (long th : threads(t)) {
                    found.putIfAbsent(th, task(th, false));
                }
            }
            found.putIfAbsent(head, task(head, true));
            List<Task> out = new ArrayList<>(found.values());
            out.sort(Comparator.comparingInt(Task::pid).thenComparingInt(Task::cpu));
            all = List.copyOf(out);
        }
        return all;
    }

    /** The task currently running on each online or possible CPU ({@code rq->curr}). */
    public Map<Integer, Long> active() {
        Map<Integer, Long> m = new LinkedHashMap<>();
        for (int cpu : k.cpuMask("__cpu_possible_mask")) {
            m.put(cpu, k.perCpu("struct rq", "runqueues", cpu).member("curr").u64());
        }
        return m;
    }

    private List<Long> threads(long task) {
        Value t = k.object("struct task_struct", task);
        if (taskType.field("thread_node").isPresent()) {
            long signal = t.member("signal").u64();
            if (signal == 0) {
                return List.of();
            }
            long headOff = k.type("struct signal_struct").field("thread_head").orElseThrow().offset();
            return list(signal + headOff, offset("thread_node"));
        }
        return list(task + offset("thread_group"), offset("thread_group"));
    }

    /** Entries of a circular list, as container addresses, excluding the head; stops on a loop or bad pointer. */
    private List<Long> list(long head, long memberOffset) {
        List<Long> out = new ArrayList<>();
        long p;
        try {
            p = k.memory().u64(head);
        } catch (FaultException e) {
            return out;
        }
        int guard = 0;
        while (p != head && p != 0 && guard++ < 1_000_000) {
            out.add(p - memberOffset);
            try {
                p = k.memory().u64(p);
            } catch (FaultException e) {
                break;
            }
        }
        return out;
    }

    private long offset(String member) {
        return taskType.path(member).orElseThrow().offset();
    }

    private Task task(long addr, boolean idle) {
        Value t = k.object("struct task_struct", addr);
        int pid = (int) t.member("pid").value();
        int tgid = (int) t.member("tgid").value();
        long parent = t.member("real_parent").u64();
        int ppid = parent == 0 || parent == addr ? 0 : (int) k.object("struct task_struct", parent).member("pid").value();
        int cpu = (int) (taskType.path("thread_info.cpu").isPresent() ? t.member("thread_info.cpu").value()
                : t.member("cpu").value());
        String state = taskType.field("__state").isPresent() ? "__state" : "state";
        return new Task(t, pid, tgid, ppid, cpu, t.member("comm").string(16), t.member(state).u64(),
                t.member("exit_state").u64(), idle);
    }

    /** crash's two-letter state: RU IN UN ID ST TR ZO DE WA PA NE. */
    public static String stateCode(long state, long exitState) {
        if ((exitState & 0x20) != 0) {
            return "ZO";
        }
        if ((exitState & 0x10) != 0) {
            return "DE";
        }
        if (state == 0) {
            return "RU";
        }
        if ((state & 0x402) == 0x402) {
            return "ID";
        }
        if ((state & 1) != 0) {
            return "IN";
        }
        if ((state & 2) != 0) {
            return "UN";
        }
        if ((state & 4) != 0) {
            return "ST";
        }
        if ((state & 8) != 0) {
            return "TR";
        }
        if ((state & 0x40) != 0) {
            return "PA";
        }
        if ((state & 0x80) != 0) {
            return "DE";
        }
        if ((state & 0x200) != 0) {
            return "WA";
        }
        if ((state & 0x800) != 0) {
            return "NE";
        }
        return "??";
    }

    /** The state as crash's {@code set} and {@code task} spell it: {@code TASK_RUNNING}, {@code TASK_UNINTERRUPTIBLE|TASK_NOLOAD}. */
    public static String stateName(long state, long exitState) {
        long st = state | exitState;
        if (st == 0) {
            return "TASK_RUNNING";
        }
        if (st == 0x40) {
            return "TASK_PARKED";
        }
        List<String> names = new ArrayList<>();
        if ((st & 1) != 0) {
            names.add("TASK_INTERRUPTIBLE");
        }
        if ((st & 2) != 0) {
            names.add("TASK_UNINTERRUPTIBLE");
        }
        if ((st & 4) != 0) {
            names.add("TASK_STOPPED");
        }
        if ((st & 8) != 0) {
            names.add("TASK_TRACED");
        }
        long dead = st & 0x90; // EXIT_DEAD | TASK_DEAD
        if (dead != 0) {
            names.add(Long.bitCount(dead) > 1 ? "EXIT_DEAD|TASK_DEAD" : "EXIT_DEAD");
        }
        if ((st & 0x20) != 0) {
            names.add("EXIT_ZOMBIE");
        }
        if ((st & 0x200) != 0) {
            names.add("TASK_WAKING");
        }
        if ((st & 0x100) != 0) {
            names.add("TASK_WAKEKILL");
        }
        if ((st & 0x400) != 0) {
            names.add("TASK_NOLOAD");
        }
        if ((st & 0x800) != 0) {
            names.add("TASK_NEW");
        }
        return String.join("|", names);
    }
}
