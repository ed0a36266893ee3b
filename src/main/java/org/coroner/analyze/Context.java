package org.coroner.analyze;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The details after the verdict and the evidence.
 *
 * @param panic         the panic message ({@code Fatal exception}), or null
 * @param trigger       the kernel's first report line ({@code BUG: kernel NULL pointer dereference, address: ...})
 * @param taint         the taint letters and what they mean
 * @param execution     {@code process}, {@code softirq}, {@code hardirq} or {@code NMI}, and how it was found
 * @param callback      the workqueue work item or timer the crash ran in, or null
 * @param task          the crashing task
 * @param backtrace     the crashing task's frames with arguments
 * @param cpus          every CPU: its task and top frames
 * @param blockedTasks  tasks in D state: what each waits on, who owns it, for how long
 * @param waitFor       the wait-for graph's edges (task waits for lock, lock held by task)
 * @param cycle         the edges of a cycle in that graph, in order (empty when none)
 * @param log           the last lines of the kernel log
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Context(String panic, String trigger, List<String> taint, Execution execution, String callback,
                      TaskRef task, List<FrameInfo> backtrace, List<CpuInfo> cpus, List<BlockedTask> blockedTasks,
                      List<Edge> waitFor, List<Edge> cycle, List<String> log) {

    /** The execution context and the fact it was read from. */
    public record Execution(String context, String derivation) {
    }

    /** A task as {@code ps} names it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TaskRef(Integer pid, String comm, Integer cpu, String address, String state) {
        public String text() {
            StringBuilder b = new StringBuilder();
            b.append(comm == null ? "?" : comm);
            if (pid != null) {
                b.append(" (pid ").append(pid).append(')');
            }
            if (cpu != null && cpu >= 0) {
                b.append(" on CPU ").append(cpu);
            }
            return b.toString();
        }
    }

    /** One frame: {@code #n function+off [module]} file:line, and its arguments where DWARF gives them. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FrameInfo(int level, String symbol, String module, String file, Integer line, boolean exception,
                            List<String> arguments) {
    }

    /** A CPU at the dump: its task and its innermost frames. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CpuInfo(int cpu, TaskRef task, boolean panicked, List<String> frames) {
    }

    /** A task in D state. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BlockedTask(TaskRef task, String waitsIn, String waitsOn, String owner, Double blockedSeconds,
                              String blockedDerivation) {
    }

    /**
     * An edge of the wait-for graph: {@code from} waits for / is held by {@code to}.
     *
     * @param relation   {@code waits-for} (task to lock) or {@code held-by} (lock to task)
     * @param evidence   the fact behind the edge; {@code derivation} how it was found, {@code source} its kind
     */
    public record Edge(String from, String relation, String to, String evidence, String derivation, String source) {
        Evidence asEvidence() {
            return new Evidence(evidence, derivation, source);
        }
    }
}
