package org.coroner.analyze;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.kernel.Kernel;
import org.coroner.kernel.Tasks;
import org.coroner.kernel.stack.Backtracer;
import org.coroner.kernel.stack.TaskTrace;
import org.coroner.memory.FaultException;
import org.coroner.oops.decode.DecodedOops;
import org.coroner.session.Session;

/** The context part of a dump's analysis: task, backtrace with arguments, CPUs, D-state tasks, log. */
final class ContextBuilder {
    private final Session s;
    private final KernelLog log;
    private final DecodedOops decoded;
    private final String panic;
    private final Tasks.Task task;
    private final TaskTrace pbt;
    private final DumpFault.Trap trap;
    private final Locks locks;
    private final String callback;

    ContextBuilder(Session s, KernelLog log, DecodedOops decoded, String panic, Tasks.Task task, TaskTrace pbt,
                   DumpFault.Trap trap, Locks locks, String callback) {
        this.s = s;
        this.log = log;
        this.decoded = decoded;
        this.panic = panic;
        this.task = task;
        this.pbt = pbt;
        this.trap = trap;
        this.locks = locks;
        this.callback = callback;
    }

    static Context.TaskRef ref(Tasks.Task t, int cpu) {
        return new Context.TaskRef(t.pid(), t.comm(), cpu >= 0 ? cpu : t.cpu(), String.format("%016x", t.address()),
                Tasks.stateCode(t.state(), t.exitState()));
    }

    Context build() {
        Backtracer bt = s.backtracer();
        List<Context.FrameInfo> frames = new ArrayList<>();
        if (pbt != null) {
            List<org.coroner.session.DebugInfo.FrameVariablesOf> vars;
            try {
                vars = s.debugInfo().variables(pbt, bt);
            } catch (RuntimeException e) {
                vars = List.of(); // arguments are context only
            }
            for (int i = 0; i < pbt.frames().size(); i++) {
                TaskTrace.TraceFrame f = pbt.frames().get(i);
                long pc = f.lookupPc();
                var name = bt.symbolizer().frame(f.pc(), f.returnAddress());
                var loc = s.debugInfo().locate(pc);
                List<String> args = new ArrayList<>();
                if (i < vars.size()) {
                    // parameters with a value; "<in %r12, not known in this frame>" says nothing here
                    for (var v : vars.get(i).values()) {
                        if (v.parameter() && !v.inlined() && v.known()) {
                            args.add(v.render());
                        }
                    }
                }
                frames.add(new Context.FrameInfo(i, name.map(n -> n.kernel()).orElse(String.format("%016x", f.pc())),
                        name.map(n -> n.module()).orElse(null),
                        loc.map(l -> l.innermost().file()).filter(x -> !x.equals("??")).orElse(null),
                        loc.map(l -> l.innermost().line()).filter(x -> x > 0).orElse(null), f.isException(),
                        args.isEmpty() ? null : args));
            }
        }
        List<Context.CpuInfo> cpus = new ArrayList<>();
        Optional<Integer> panicCpu = bt.panicCpu();
        for (int cpu : s.kernel().cpuMask("__cpu_possible_mask")) {
            Optional<Tasks.Task> t = bt.activeTask(cpu);
            List<String> top = new ArrayList<>();
            if (t.isPresent()) {
                try {
                    var b = locks.backtrace(t.get());
                    for (TaskTrace.TraceFrame f : b.frames()) {
                        if (top.size() >= 8) {
                            break;
                        }
                        top.add(DumpAnalyzer.frameName(bt, f));
                    }
                } catch (RuntimeException e) {
                    top.add("(backtrace failed: " + e.getMessage() + ")");
                }
            }
            cpus.add(new Context.CpuInfo(cpu, t.map(x -> ref(x, cpu)).orElse(null), panicCpu.orElse(-1) == cpu, top));
        }
        List<Context.Edge> graph = locks.graph();
        return new Context(panic, log.trigger().map(DumpAnalyzer::firstLine).orElse(null), DumpAnalyzer.taint(decoded),
                execution(), callback, task == null ? null : ref(task, pbt == null ? -1 : pbt.cpu()), frames, cpus,
                locks.blocked(), graph, Locks.cycle(graph), log.tail(25));
    }

    /** Process, softirq, hardirq or NMI: the crashing CPU's preempt count, and the stack the fault was on. */
    private Context.Execution execution() {
        Kernel k = s.kernel();
        if (pbt == null || pbt.cpu() < 0) {
            return null;
        }
        try {
            // x86_64 keeps the count per CPU; arm64 in the running task's thread_info
            Optional<Long> perCpu = k.symbol("__preempt_count");
            long count = (perCpu.isPresent() ? k.memory().u32(perCpu.get() + k.perCpuOffset(pbt.cpu()))
                    : pbt.task().task().member("thread_info.preempt_count").u64()) & 0x7fffffffL;
            String source = perCpu.isPresent() ? "per-cpu __preempt_count of CPU " + pbt.cpu()
                    : "thread_info.preempt_count of " + pbt.task().comm() + " (on CPU " + pbt.cpu() + ")";
            String ctx = (count & 0xf00000) != 0 ? "NMI" : (count & 0xf0000) != 0 ? "hardirq"
                    : (count & 0xff00) != 0 ? "softirq" : "process";
            String stack = trap == null || trap.frame().stack() == null ? "" : "; the exception frame is on the "
                    + trap.frame().stack() + " stack";
            return new Context.Execution(ctx, String.format("%s = 0x%x (NMI 0x%x, hardirq 0x%x,"
                    + " softirq 0x%x)%s", source, count, (count >> 20) & 0xf, (count >> 16) & 0xf, (count >> 8) & 0xff, stack));
        } catch (FaultException | IllegalArgumentException e) {
            return null;
        }
    }
}
