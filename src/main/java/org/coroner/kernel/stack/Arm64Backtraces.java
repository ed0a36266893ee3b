package org.coroner.kernel.stack;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

import org.coroner.arch.arm64.unwind.Arm64Frame;
import org.coroner.arch.arm64.unwind.Arm64Registers;
import org.coroner.arch.arm64.unwind.Arm64Stack;
import org.coroner.arch.arm64.unwind.FrameRecordUnwinder;
import org.coroner.kernel.Kernel;
import org.coroner.kernel.Tasks;
import org.coroner.memory.FaultException;
import org.coroner.types.CType;

/**
 * Backtraces of an arm64 kernel's tasks: where each starts (the CPU's registers from the dump for a
 * task running on it, else {@code thread.cpu_context} saved by {@code cpu_switch_to}: fp and the pc
 * in {@code __switch_to}), which stacks it may use (its task stack; on its CPU that CPU's IRQ stack,
 * {@code irq_stack_ptr}, and overflow stack, {@code overflow_stack}), and where it ends
 * ({@code task_pt_regs(task)->stackframe}). Unwound by {@link FrameRecordUnwinder}.
 */
public final class Arm64Backtraces {
    private static final long OVERFLOW_STACK_SIZE_DEFAULT = 4096;

    private final Kernel k;
    private final IntFunction<Optional<Arm64Registers>> cpuRegisters;
    private final FrameRecordUnwinder unwinder;
    private final FrameRecordUnwinder.PtRegsLayout ptRegs;
    private final long threadSize;
    private final Map<Integer, List<Arm64Stack>> cpuStacks = new ConcurrentHashMap<>();

    /** One task's arm64 backtrace; {@code cpu} is the CPU it was running on, or -1. */
    public record Backtrace(Tasks.Task task, int cpu, Backtracer.Start start, List<Arm64Frame> frames, boolean complete,
                            String detail) {
    }

    public Arm64Backtraces(Kernel k, IntFunction<Optional<Arm64Registers>> cpuRegisters) {
        this.k = k;
        this.cpuRegisters = cpuRegisters;
        CType regs = k.type("struct pt_regs");
        this.ptRegs = new FrameRecordUnwinder.PtRegsLayout((int) regs.size(),
                (int) regs.field("stackframe").orElseThrow().offset());
        this.threadSize = k.types().lookup("union thread_union").map(CType::size).filter(s -> s > 0)
                .or(() -> k.vmlinux().symbols().byName("init_stack").map(s -> s.size()).filter(s -> s > 0))
                .orElse(16384L);
        long entryStart = k.requireSymbol("__entry_text_start");
        long entryEnd = k.requireSymbol("__entry_text_end");
        int vaBits = k.vmcoreinfo().containsKey("NUMBER(TCR_EL1_T1SZ)")
                ? 64 - (int) Long.parseLong(k.vmcoreinfo().get("NUMBER(TCR_EL1_T1SZ)").replace("0x", ""), 16)
                : (int) k.info("NUMBER(VA_BITS)");
        this.unwinder = new FrameRecordUnwinder(k.memory(),
                pc -> Long.compareUnsigned(pc, entryStart) >= 0 && Long.compareUnsigned(pc, entryEnd) < 0, ptRegs, vaBits);
    }

    public long threadSize() {
        return threadSize;
    }

    public FrameRecordUnwinder.PtRegsLayout ptRegs() {
        return ptRegs;
    }

    /** The registers of a CPU at the dump, if its note has them. */
    public Optional<Arm64Registers> cpuRegisters(int cpu) {
        return cpuRegisters.apply(cpu);
    }

    public Arm64Stack taskStack(long task) {
        long base = k.object("struct task_struct", task).member("stack").u64();
        return new Arm64Stack(Arm64Stack.Kind.TASK, base, base + threadSize);
    }

    /** The CPU's IRQ and overflow stacks. */
    public List<Arm64Stack> cpuStacks(int cpu) {
        return cpuStacks.computeIfAbsent(cpu, c -> {
            List<Arm64Stack> out = new ArrayList<>();
            try {
                long irq = k.memory().u64(k.requireSymbol("irq_stack_ptr") + k.perCpuOffset(c));
                if (irq != 0) {
                    out.add(new Arm64Stack(Arm64Stack.Kind.IRQ, irq, irq + threadSize));
                }
            } catch (FaultException | IllegalArgumentException e) {
                // no IRQ stack known: frames there end the unwind as off-stack
            }
            k.symbol("overflow_stack").ifPresent(sym -> {
                long size = k.vmlinux().symbols().byName("overflow_stack").map(s -> s.size()).filter(s -> s > 0)
                        .orElse(OVERFLOW_STACK_SIZE_DEFAULT);
                long base = sym + k.perCpuOffset(c);
                out.add(new Arm64Stack(Arm64Stack.Kind.OVERFLOW, base, base + size));
            });
            return List.copyOf(out);
        });
    }

    /** A word on a stack holding a kernel text address ({@code bt -t}, {@code bt -T}), PAC bits stripped. */
    public record ScanHit(long slot, long value, Arm64Stack.Kind stack) {
    }

    /**
     * crash's stack-scanning mode on arm64: every word of the stacks the backtrace visited (the task
     * stack when none) that holds a kernel text address once PAC bits are stripped, from the first
     * frame record on each stack ({@code fromFrame}) or from its base. Never mixed into a backtrace.
     */
    public List<ScanHit> scan(Backtrace b, java.util.function.LongPredicate isText, boolean fromFrame) {
        java.util.LinkedHashMap<Arm64Stack, Long> areas = new java.util.LinkedHashMap<>();
        for (Arm64Frame f : b.frames()) {
            if (f.stack() != null) {
                areas.putIfAbsent(f.stack(), f.fp());
            }
        }
        if (areas.isEmpty()) {
            Arm64Stack task = taskStack(b.task().address());
            areas.put(task, task.begin());
        }
        List<ScanHit> out = new ArrayList<>();
        for (Map.Entry<Arm64Stack, Long> a : areas.entrySet()) {
            for (long p = fromFrame ? a.getValue() & ~7L : a.getKey().begin(); Long.compareUnsigned(p, a.getKey().end()) < 0; p += 8) {
                long v;
                try {
                    v = unwinder.stripPac(k.memory().u64(p));
                } catch (FaultException e) {
                    p = (p | 4095) - 7; // skip the rest of a page the dump lacks
                    continue;
                }
                if (isText.test(v)) {
                    out.add(new ScanHit(p, v, a.getKey().kind()));
                }
            }
        }
        return out;
    }

    /** A pt_regs found on a stack ({@code bt -e}). */
    public record ExceptionFrame(long address, Arm64Registers regs) {
    }

    /**
     * Every pt_regs on the stacks the backtrace visited, found by what the entry code writes: a
     * kernel-mode entry stores the frame record {@code {x29, elr}} in {@code pt_regs->stackframe}, so
     * that record equals the saved x29 and pc, with PSTATE in EL1h and pc in kernel text; a user-mode
     * entry leaves a zero record and PSTATE in EL0t, at the top of the task stack.
     */
    public List<ExceptionFrame> exceptionFrames(Backtrace b, java.util.function.LongPredicate isText) {
        java.util.LinkedHashSet<Arm64Stack> areas = new java.util.LinkedHashSet<>();
        areas.add(taskStack(b.task().address()));
        for (Arm64Frame f : b.frames()) {
            if (f.stack() != null) {
                areas.add(f.stack());
            }
        }
        List<ExceptionFrame> out = new ArrayList<>();
        int sf = ptRegs.stackframeOffset();
        for (Arm64Stack a : areas) {
            for (long p = a.begin(); Long.compareUnsigned(p + ptRegs.size(), a.end()) <= 0; p += 8) {
                try {
                    long pstate = k.memory().u64(p + 8L * Arm64Registers.PSTATE);
                    long mode = pstate & 0xf;
                    if (mode != 5 && mode != 0 || (pstate >>> 32) != 0) {
                        continue;
                    }
                    long fp = k.memory().u64(p + sf);
                    long lr = k.memory().u64(p + sf + 8);
                    long pc = k.memory().u64(p + 8L * Arm64Registers.PC);
                    boolean kernel = mode == 5 && fp == k.memory().u64(p + 8L * Arm64Registers.FP) && lr == pc && isText.test(pc);
                    boolean user = mode == 0 && fp == 0 && lr == 0 && p + ptRegs.size() == a.end() && a.kind() == Arm64Stack.Kind.TASK;
                    if (kernel || user) {
                        out.add(new ExceptionFrame(p, ptRegs.read(k.memory(), p)));
                    }
                } catch (FaultException e) {
                    p = (p | 4095) - 7;
                }
            }
        }
        return out;
    }

    public Backtrace backtrace(Tasks.Task t, Optional<Integer> activeCpu) {
        int cpu = activeCpu.orElse(-1);
        Optional<Arm64Registers> regs = activeCpu.flatMap(cpuRegisters::apply);
        Backtracer.Start how = regs.isPresent() ? Backtracer.Start.CPU_REGISTERS
                : activeCpu.isPresent() ? Backtracer.Start.STALE_SWITCH_FRAME : Backtracer.Start.SWITCH_FRAME;
        Arm64Stack task;
        FrameRecordUnwinder.Start start;
        try {
            if (t.task().member("stack").u64() == 0) {
                return new Backtrace(t, cpu, how, List.of(), false, "the task has no stack (it exited)");
            }
            task = taskStack(t.address());
            if (regs.isPresent()) {
                start = new FrameRecordUnwinder.Start(regs.get().pc(), regs.get().fp(), regs.get(), true);
            } else {
                long fp = t.task().member("thread.cpu_context.fp").u64();
                long pc = t.task().member("thread.cpu_context.pc").u64();
                start = new FrameRecordUnwinder.Start(unwinder.stripPac(pc), fp, null, false);
            }
        } catch (FaultException e) {
            return new Backtrace(t, cpu, how, List.of(), false, "cannot read the task's saved context: " + e.getMessage());
        }
        List<Arm64Stack> stacks = new ArrayList<>();
        stacks.add(task);
        if (cpu >= 0) {
            stacks.addAll(cpuStacks(cpu));
        }
        long finalFrame = task.end() - ptRegs.size() + ptRegs.stackframeOffset();
        FrameRecordUnwinder.Unwind u = unwinder.unwind(start,
                fp -> stacks.stream().filter(s -> s.contains(fp, 16)).findFirst(), finalFrame);
        return new Backtrace(t, cpu, how, u.frames(), u.complete(), u.detail());
    }
}
