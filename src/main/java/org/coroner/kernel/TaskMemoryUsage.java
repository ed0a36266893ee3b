package org.coroner.kernel;

import java.util.List;
import java.util.Map;

import org.coroner.memory.FaultException;
import org.coroner.types.CType;
import org.coroner.types.Value;

/**
 * What {@code ps} shows of a task's memory: its mm's {@code total_vm} and resident pages
 * ({@code get_mm_rss()}: file, anon and shmem counters of {@code mm->rss_stat}; with
 * SPLIT_RSS_COUNTING plus the not yet synced per-thread {@code task->rss_stat} of every thread of
 * the group). Kernel threads and exited tasks have none.
 *
 * @param mm      the {@code struct mm_struct}, 0 when none
 * @param totalVm pages mapped
 * @param rss     pages resident
 */
public record TaskMemoryUsage(long mm, long totalVm, long rss) {
    public static final TaskMemoryUsage NONE = new TaskMemoryUsage(0, 0, 0);

    public static TaskMemoryUsage of(Kernel k, Tasks.Task t, List<Tasks.Task> all) {
        try {
            long mm = t.task().member("mm").u64();
            if (mm == 0 || (t.exitState() & 0x20) != 0) {
                return NONE;
            }
            Value m = k.object("struct mm_struct", mm);
            Map<String, Long> counters = k.types().lookup("enum mm_counters").map(c -> c.resolve().enumerators())
                    .orElse(Map.of("MM_FILEPAGES", 0L, "MM_ANONPAGES", 1L, "MM_SHMEMPAGES", 3L));
            long rss = 0;
            Value stat = m.member("rss_stat");
            for (String name : List.of("MM_FILEPAGES", "MM_ANONPAGES", "MM_SHMEMPAGES")) {
                Long i = counters.get(name);
                if (i == null) {
                    continue;
                }
                long v = stat.type().resolve().field("count").isPresent()
                        ? stat.member("count").index(i).member("counter").s64()
                        : percpuCounterSum(k, stat.index(i)); // 6.2+: struct percpu_counter rss_stat[]
                rss += Math.max(v, 0);
                CType task = t.task().type();
                if (task.field("rss_stat").isPresent()) {
                    for (Tasks.Task th : all) {
                        if (th.tgid() == t.tgid()) {
                            rss += Math.max(th.task().member("rss_stat.count").index(i).s64(), 0);
                        }
                    }
                }
            }
            return new TaskMemoryUsage(mm, m.member("total_vm").u64(), rss);
        } catch (FaultException | IllegalArgumentException e) {
            return NONE;
        }
    }

    /** {@code percpu_counter_sum()}: the shared count plus every possible CPU's delta. */
    static long percpuCounterSum(Kernel k, Value counter) {
        long sum = counter.member("count").s64();
        long counters = counter.member("counters").u64();
        for (int cpu : k.cpuMask("__cpu_possible_mask")) {
            sum += (int) k.memory().u32(counters + k.perCpuOffset(cpu));
        }
        return sum;
    }
}
