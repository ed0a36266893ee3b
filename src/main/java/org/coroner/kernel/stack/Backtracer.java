package org.coroner.kernel.stack;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.coroner.arch.x86_64.unwind.Frame;
import org.coroner.arch.x86_64.unwind.OrcFormat;
import org.coroner.arch.x86_64.unwind.OrcUnwinder;
import org.coroner.arch.x86_64.unwind.Registers;
import org.coroner.arch.x86_64.unwind.StartState;
import org.coroner.kernel.Kernel;
import org.coroner.kernel.Tasks;
import org.coroner.memory.FaultException;
import org.coroner.types.CType;

/**
 * Backtraces of kernel tasks: a task running on a CPU starts from that CPU's registers in the dump,
 * a sleeping one from its switch frame ({@code thread.sp}); both are unwound with ORC. On an arm64
 * kernel the tasks, modules and symbols are the same and the frames come from {@link #arm64Backtrace}.
 */
public final class Backtracer {
    private final Kernel k;
    private final Tasks tasks;
    private final CpuRegisters cpus;
    private final KernelModules modules;
    private final KernelOrc orc;
    private final KernelStackAreas stacks;
    private final Symbolizer symbolizer;
    private final OrcUnwinder unwinder;
    private final int frameSize;
    private final int bpOffset;
    private final int retAddrOffset;
    private final long retFromFork;
    private final Arm64Backtraces arm64;
    private Map<Integer, Long> active;

    /** How a backtrace began. */
    public enum Start {
        /** From the registers of the CPU the task was running on. */
        CPU_REGISTERS,
        /** From the task's switch frame: it was not running. */
        SWITCH_FRAME,
        /** Running on a CPU whose registers the dump lacks: the switch frame is stale. */
        STALE_SWITCH_FRAME
    }

    /** One task's backtrace. {@code cpu} is the CPU it was running on, or -1. */
    public record Backtrace(Tasks.Task task, int cpu, Start start, List<Frame> frames, OrcUnwinder.Outcome outcome,
                            String detail) {
    }

    public Backtracer(Kernel k, Tasks tasks, CpuRegisters cpus) {
        this(k, tasks, cpus, null);
    }

    /**
     * An arm64 kernel's backtracer: tasks, modules and symbols as on x86_64, frames from
     * {@link Arm64Backtraces} (frame records) instead of ORC.
     */
    public static Backtracer arm64(Kernel k, Tasks tasks,
                                   java.util.function.IntFunction<Optional<org.coroner.arch.arm64.unwind.Arm64Registers>> cpus) {
        return new Backtracer(k, tasks, CpuRegisters.none(), new Arm64Backtraces(k, cpus));
    }

    private Backtracer(Kernel k, Tasks tasks, CpuRegisters cpus, Arm64Backtraces arm64) {
        this.k = k;
        this.arm64 = arm64;
        this.tasks = tasks;
        this.cpus = cpus;
        OrcFormat format = OrcFormat.forRelease(k.release());
        this.modules = new KernelModules(k, format);
        this.orc = new KernelOrc(k, modules, format);
        this.stacks = new KernelStackAreas(k);
        this.symbolizer = new Symbolizer(k, modules);
        this.unwinder = new OrcUnwinder(k.memory(), orc);
        if (arm64 == null) {
            CType frame = k.type("struct inactive_task_frame");
            this.frameSize = (int) frame.size();
            this.bpOffset = (int) frame.field("bp").orElseThrow().offset();
            this.retAddrOffset = (int) frame.field("ret_addr").orElseThrow().offset();
        } else {
            this.frameSize = this.bpOffset = this.retAddrOffset = 0;
        }
        this.retFromFork = k.symbol("ret_from_fork_asm").or(() -> k.symbol("ret_from_fork")).orElse(0L);
    }

    public Kernel kernel() {
        return k;
    }

    /** The arm64 frame-record backtraces, when this is an arm64 kernel. */
    public Optional<Arm64Backtraces> arm64() {
        return Optional.ofNullable(arm64);
    }

    /** An arm64 task's backtrace (frame records, exception frames, IRQ stacks). */
    public Arm64Backtraces.Backtrace arm64Backtrace(Tasks.Task t) {
        if (arm64 == null) {
            throw new IllegalStateException("not an arm64 kernel");
        }
        return arm64.backtrace(t, activeCpu(t.address()));
    }

    public Tasks tasks() {
        return tasks;
    }

    public Symbolizer symbolizer() {
        return symbolizer;
    }

    public KernelModules modules() {
        return modules;
    }

    public KernelOrc orc() {
        return orc;
    }

    public KernelStackAreas stacks() {
        return stacks;
    }

    /** The CPU a task was running on at the dump, if it was running. */
    public synchronized Optional<Integer> activeCpu(long task) {
        if (active == null) {
            active = tasks.active();
        }
        for (Map.Entry<Integer, Long> e : active.entrySet()) {
            if (e.getValue() == task) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }

    /** The CPU that panicked ({@code panic_cpu}), if the kernel panicked. */
    public Optional<Integer> panicCpu() {
        Optional<Long> sym = k.symbol("panic_cpu");
        if (sym.isEmpty()) {
            return Optional.empty();
        }
        int cpu = (int) k.memory().u32(sym.get());
        return cpu >= 0 && cpu < 8192 ? Optional.of(cpu) : Optional.empty();
    }

    /** The task running on a CPU at the dump ({@code rq->curr}). */
    public synchronized Optional<Tasks.Task> activeTask(int cpu) {
        if (active == null) {
            active = tasks.active();
        }
        Long addr = active.get(cpu);
        return addr == null ? Optional.empty() : task(addr);
    }

    /** crash's current context at start: the panic task, else the task on the first CPU. */
    public Optional<Tasks.Task> panicTask() {
        Optional<Tasks.Task> t = panicCpu().flatMap(this::activeTask);
        if (t.isPresent()) {
            return t;
        }
        List<Integer> cpus = k.cpuMask("__cpu_online_mask");
        return cpus.isEmpty() ? Optional.empty() : activeTask(cpus.get(0));
    }

    public Optional<Tasks.Task> task(long address) {
        return tasks.all().stream().filter(t -> t.address() == address).findFirst();
    }

    public List<Tasks.Task> byPid(int pid) {
        return tasks.all().stream().filter(t -> t.pid() == pid).toList();
    }

    /** A task's backtrace in the architecture-neutral form the analyzer reads (ORC or frame records underneath). */
    public TaskTrace trace(Tasks.Task t) {
        return arm64 != null ? TaskTrace.of(arm64Backtrace(t)) : TaskTrace.of(backtrace(t));
    }

    /** The task's own stack (THREAD_SIZE bytes from {@code task->stack}). */
    public StackRange taskStack(long task) {
        if (arm64 != null) {
            var a = arm64.taskStack(task);
            return new StackRange(a.begin(), a.end());
        }
        var a = stacks.taskStack(task);
        return new StackRange(a.begin(), a.end());
    }

    public Backtrace backtrace(Tasks.Task t) {
        Optional<Integer> cpu = activeCpu(t.address());
        if (arm64 != null) {
            return new Backtrace(t, cpu.orElse(-1), Start.SWITCH_FRAME, List.of(), OrcUnwinder.Outcome.ERROR,
                    "an arm64 task: its frames come from arm64Backtrace()");
        }
        Optional<Registers> regs = cpu.flatMap(cpus::of);
        StartState s;
        Start how;
        if (regs.isPresent()) {
            s = StartState.ofRegisters(regs.get());
            how = Start.CPU_REGISTERS;
        } else {
            how = cpu.isPresent() ? Start.STALE_SWITCH_FRAME : Start.SWITCH_FRAME;
            try {
                if (t.task().member("stack").u64() == 0) {
                    // The kernel frees an exited task's stack; sched_show_task skips such tasks too.
                    return new Backtrace(t, cpu.orElse(-1), how, List.of(), OrcUnwinder.Outcome.ERROR,
                            "the task has no stack (it exited)");
                }
                long threadSp = t.task().member("thread.sp").u64();
                s = StartState.ofInactiveTask(k.memory(), threadSp, frameSize, bpOffset, retAddrOffset, retFromFork);
            } catch (FaultException e) {
                return new Backtrace(t, cpu.orElse(-1), how, List.of(), OrcUnwinder.Outcome.ERROR,
                        "cannot read the switch frame: " + e.getMessage());
            }
        }
        OrcUnwinder.Unwind u = unwinder.unwind(s, stacks.forTask(t.address(), cpu.orElse(-1)));
        return new Backtrace(t, cpu.orElse(-1), how, u.frames(), u.outcome(), u.detail());
    }
}
