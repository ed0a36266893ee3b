package org.coroner.kernel.stack;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.coroner.arch.x86_64.unwind.StackArea;
import org.coroner.arch.x86_64.unwind.StackMap;
import org.coroner.kernel.Kernel;
import org.coroner.memory.FaultException;
import org.coroner.types.CType;

/**
 * Where the kernel's stacks are: each task's stack ({@code task->stack}, THREAD_SIZE bytes) and,
 * per CPU, the IRQ stack ({@code hardirq_stack_ptr} points to its top word), the IST exception
 * stacks in the CPU entry area ({@code cea_exception_stacks}) and the entry (trampoline) stack.
 */
public final class KernelStackAreas {
    private static final long PAGE = 4096;
    private static final Map<String, StackArea.Kind> EXCEPTION_STACKS = Map.of(
            "DF_stack", StackArea.Kind.DF, "NMI_stack", StackArea.Kind.NMI, "DB_stack", StackArea.Kind.DB,
            "MCE_stack", StackArea.Kind.MCE, "VC_stack", StackArea.Kind.VC, "VC2_stack", StackArea.Kind.VC2);

    private final Kernel k;
    private final long threadSize;
    private final Map<Integer, List<StackArea>> perCpu = new java.util.concurrent.ConcurrentHashMap<>();

    public KernelStackAreas(Kernel k) {
        this.k = k;
        // IRQ_STACK_SIZE and THREAD_SIZE are the same order on x86_64; BTF knows only the former.
        this.threadSize = k.types().lookup("struct irq_stack").map(CType::size).filter(s -> s > 0).orElse(16384L);
    }

    public long threadSize() {
        return threadSize;
    }

    /** The task's own stack. */
    public StackArea taskStack(long task) {
        long base = k.object("struct task_struct", task).member("stack").u64();
        return new StackArea(StackArea.Kind.TASK, base, base + threadSize);
    }

    /** The stacks of a CPU: IRQ, exception and entry stacks. */
    public List<StackArea> cpuStacks(int cpu) {
        return perCpu.computeIfAbsent(cpu, this::readCpuStacks);
    }

    private List<StackArea> readCpuStacks(int cpu) {
        List<StackArea> out = new ArrayList<>();
        long off = k.perCpuOffset(cpu);
        try {
            Optional<Long> irqPtr = k.symbol("hardirq_stack_ptr");
            long top = 0;
            if (irqPtr.isPresent()) {
                top = k.memory().u64(irqPtr.get() + off);
            } else if (k.symbol("pcpu_hot").isPresent()) {
                top = k.perCpu("struct pcpu_hot", "pcpu_hot", cpu).member("hardirq_stack_ptr").u64();
            }
            if (top != 0) {
                long end = top + 8;
                out.add(new StackArea(StackArea.Kind.IRQ, end - threadSize, end));
            }
        } catch (FaultException | IllegalArgumentException e) {
            // no IRQ stack known for this CPU
        }
        try {
            Optional<Long> sym = k.symbol("cea_exception_stacks");
            Optional<CType> estacksType = k.types().lookup("struct cea_exception_stacks");
            if (sym.isPresent() && estacksType.isPresent()) {
                long estacks = k.memory().u64(sym.get() + off);
                if (estacks != 0) {
                    for (CType.Field f : estacksType.get().resolve().fields()) {
                        StackArea.Kind kind = EXCEPTION_STACKS.get(f.name());
                        if (kind != null && f.type().size() > 0) {
                            long b = estacks + f.offset();
                            out.add(new StackArea(kind, b, b + f.type().size()));
                        }
                    }
                    Optional<CType> cea = k.types().lookup("struct cpu_entry_area");
                    if (cea.isPresent() && cea.get().field("estacks").isPresent()
                            && cea.get().field("entry_stack_page").isPresent()) {
                        long area = estacks - cea.get().field("estacks").get().offset();
                        long b = area + cea.get().field("entry_stack_page").get().offset();
                        out.add(new StackArea(StackArea.Kind.ENTRY, b, b + PAGE));
                    }
                }
            }
        } catch (FaultException | IllegalArgumentException e) {
            // exception stacks unknown for this CPU
        }
        return List.copyOf(out);
    }

    /**
     * The stacks a task may be using: its own, plus those of the CPU it was running on when the
     * kernel stopped ({@code cpu} &lt; 0 for a task that was not running).
     */
    public StackMap forTask(long task, int cpu) {
        StackArea own = taskStack(task);
        List<StackArea> all = new ArrayList<>();
        all.add(own);
        if (cpu >= 0) {
            all.addAll(cpuStacks(cpu));
        }
        List<StackArea> areas = List.copyOf(all);
        return address -> {
            for (StackArea a : areas) {
                if (a.contains(address, 1)) {
                    return Optional.of(a);
                }
            }
            return Optional.empty();
        };
    }
}
