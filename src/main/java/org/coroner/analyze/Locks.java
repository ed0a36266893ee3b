package org.coroner.analyze;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.coroner.dwarf.loc.FrameVariables;
import org.coroner.kernel.Kernel;
import org.coroner.kernel.Tasks;
import org.coroner.kernel.mm.SlabLookup;
import org.coroner.kernel.stack.Backtracer;
import org.coroner.kernel.stack.StackRange;
import org.coroner.kernel.stack.TaskTrace;
import org.coroner.memory.FaultException;
import org.coroner.oops.decode.Hex;
import org.coroner.session.Session;

/**
 * Who waits for which lock and who holds it, from the dump: every task's backtrace is searched for
 * a lock slow path; a sleeping lock's waiter record is found on the waiting task's stack and
 * followed to the lock's wait list (so the lock's address is read, not guessed), its owner read
 * from the lock word; a spinning CPU's lock is the slow path's {@code lock} argument (DWARF, with
 * the interrupted registers), and its holder the task whose code took that lock on the way to
 * where it is now (its callers' lock calls, decoded, without the matching unlock). From these, the
 * wait-for graph and its cycles.
 */
final class Locks {
    private static final Set<String> MUTEX_SLOW = Set.of("__mutex_lock", "__mutex_lock.constprop.0", "__mutex_lock_slowpath",
            "__mutex_lock_interruptible_slowpath", "__mutex_lock_killable_slowpath", "__ww_mutex_lock.constprop.0",
            "__ww_mutex_lock", "mutex_lock", "mutex_lock_interruptible", "mutex_lock_killable", "mutex_lock_io");
    private static final Set<String> RWSEM_SLOW = Set.of("rwsem_down_write_slowpath", "rwsem_down_read_slowpath",
            "down_read", "down_write", "down_read_killable", "down_write_killable");
    private static final Set<String> SPIN_SLOW = Set.of("native_queued_spin_lock_slowpath", "queued_spin_lock_slowpath",
            "__pv_queued_spin_lock_slowpath", "queued_read_lock_slowpath", "queued_write_lock_slowpath",
            "do_raw_spin_lock", "__raw_spin_lock");
    static final Set<String> SCHEDULER = Set.of("__schedule", "schedule", "schedule_timeout", "schedule_preempt_disabled",
            "io_schedule", "io_schedule_timeout", "schedule_hrtimeout_range_clock", "schedule_hrtimeout_range",
            "__cond_resched", "preempt_schedule_common", "do_nanosleep", "hrtimer_nanosleep", "__x64_sys_nanosleep",
            "__switch_to", "__arm64_sys_nanosleep",
            "wait_for_completion", "__wait_for_common", "wait_for_common", "rwsem_down_write_slowpath",
            "rwsem_down_read_slowpath", "__mutex_lock.constprop.0", "__mutex_lock", "__mutex_lock_slowpath", "msleep",
            "schedule_timeout_uninterruptible", "__down", "__down_common", "___down_common", "down", "mutex_lock", "down_read", "down_write",
            "schedule_timeout_interruptible", "schedule_timeout_killable", "schedule_timeout_idle", "msleep_interruptible",
            "wait_for_completion_timeout", "wait_for_completion_interruptible", "wait_for_completion_killable",
            "wait_for_completion_io", "wait_for_completion_io_timeout", "wait_for_completion_interruptible_timeout",
            "wait_for_completion_killable_timeout");
    /**
     * A counting semaphore's sleep: {@code __down_common()} with a {@code struct semaphore_waiter} on the
     * stack ({@code ___down_common()}, its body, where it is not inlined into it: Debian's arm64 build).
     */
    private static final Set<String> SEM_SLOW = Set.of("__down_common", "___down_common", "__down", "__down_interruptible", "__down_killable",
            "__down_timeout");
    /** Where a task waits for a completion: {@code __wait_for_common(x, ...)} under wait_for_completion*(). */
    private static final Set<String> COMPLETION_WAIT = Set.of("__wait_for_common", "wait_for_common", "wait_for_common_io");

    /** A task waiting for a lock. */
    record Wait(Tasks.Task task, String type, long lock, String site, Evidence evidence) {
    }

    /** A task holding a lock. */
    record Hold(long lock, Tasks.Task holder, Evidence evidence) {
    }

    private final Session s;
    private final Backtracer bt;
    private final Kernel k;
    private List<Wait> waits;
    private final Map<Long, TaskTrace> backtraces = new HashMap<>();
    private final SlabLookup slabs;
    private final LockCalls lockCalls;
    private final Map<Long, Optional<Hold>> holders = new HashMap<>();
    private List<Context.Edge> graph;
    private List<Context.BlockedTask> blocked;

    Locks(Session s) {
        this.s = s;
        this.bt = s.backtracer();
        this.k = s.kernel();
        this.slabs = new SlabLookup(k);
        this.lockCalls = new LockCalls(s);
    }

    TaskTrace backtrace(Tasks.Task t) {
        return backtraces.computeIfAbsent(t.address(), a -> bt.trace(t));
    }

    /** Every task's lock wait, read once. */
    synchronized List<Wait> waits() {
        if (waits == null) {
            List<Wait> out = new ArrayList<>();
            for (Tasks.Task t : bt.tasks().all()) {
                if (t.idle() && t.pid() == 0) {
                    continue;
                }
                try {
                    wait(t).ifPresent(out::add);
                } catch (FaultException | IllegalArgumentException | IllegalStateException e) {
                    // a task whose stack or lock cannot be read waits on nothing we can prove
                }
            }
            waits = List.copyOf(out);
        }
        return waits;
    }

    private Optional<Wait> wait(Tasks.Task t) {
        TaskTrace b = backtrace(t);
        List<TaskTrace.TraceFrame> frames = b.frames();
        for (int i = 0; i < frames.size(); i++) {
            TaskTrace.TraceFrame f = frames.get(i);
            String fn = bt.symbolizer().function(f.lookupPc());
            if (MUTEX_SLOW.contains(fn)) {
                return sleepingWait(t, b, i, "mutex", "struct mutex_waiter", "struct mutex", "wait_list");
            }
            if (RWSEM_SLOW.contains(fn)) {
                return sleepingWait(t, b, i, "rwsem", "struct rwsem_waiter", "struct rw_semaphore", "wait_list");
            }
            if (SPIN_SLOW.contains(fn)) {
                return spinWait(t, b, i, fn);
            }
            if (COMPLETION_WAIT.contains(fn)) {
                return completionWait(t, b, i, fn);
            }
            if (SEM_SLOW.contains(fn)) {
                return sleepingWait(t, b, i, "semaphore", "struct semaphore_waiter", "struct semaphore", "wait_list");
            }
        }
        return Optional.empty();
    }

    /**
     * A task asleep in wait_for_completion(): the completion is the first argument its caller passed
     * (a static one: a constant in the caller's code), and {@code done} says whether anyone completed it.
     */
    private Optional<Wait> completionWait(Tasks.Task t, TaskTrace b, int frame, String fn) {
        for (int i = frame + 1; i < b.frames().size(); i++) {
            TaskTrace.TraceFrame c = b.frames().get(i);
            if (!c.returnAddress()) {
                continue;
            }
            String caller = bt.symbolizer().function(c.lookupPc());
            if (SCHEDULER.contains(caller) || COMPLETION_WAIT.contains(caller)) {
                continue;
            }
            Optional<Long> x = lockCalls.constantArgument(c.pc());
            if (x.isEmpty()) {
                return Optional.empty();
            }
            long done;
            try {
                done = k.object("struct completion", x.get()).member("done").value();
            } catch (FaultException | IllegalArgumentException e) {
                return Optional.empty();
            }
            Evidence ev = Evidence.of("code", t.comm() + " (pid " + t.pid() + ") waits in " + fn + " for the completion "
                            + lockName(x.get()) + " at " + Hex.format(x.get()) + "; its done count is " + done
                            + (done == 0 ? ": nobody has called complete() on it." : "."),
                    "the call at " + DumpAnalyzer.frameName(bt, c) + " (its first argument register, a constant in the code decoded from memory),"
                            + " and struct completion.done read from the dump");
            return Optional.of(new Wait(t, "completion", x.get(), DumpAnalyzer.frameName(bt, c), ev));
        }
        return Optional.empty();
    }

    /** The waiter record on the task's stack, linked on a lock's wait_list. */
    private Optional<Wait> sleepingWait(Tasks.Task t, TaskTrace b, int frame, String type, String waiterType,
                                        String lockType, String listMember) {
        TaskTrace.TraceFrame f = b.frames().get(frame);
        StackRange stack = bt.taskStack(t.address());
        long taskOff = k.type(waiterType).field("task").orElseThrow().offset();
        long listOff = k.type(waiterType).field("list").orElseThrow().offset();
        long headOff = k.type(lockType).path(listMember).orElseThrow().offset();
        for (long a = f.sp() & ~7L; a + 24 <= stack.end(); a += 8) {
            long w = a - taskOff;
            if (k.memory().u64(a) != t.address()) {
                continue;
            }
            long node = w + listOff;
            long next;
            try {
                next = k.memory().u64(node);
                if (k.memory().u64(next + 8) != node) {
                    continue; // not a linked list_head
                }
            } catch (FaultException e) {
                continue;
            }
            // walk to the head: the first node that is not another task's waiter record on its own stack
            long p = next;
            for (int guard = 0; guard < 10000 && p != node; guard++) {
                if (!isWaiter(p - listOff, taskOff)) {
                    long lock = p - headOff;
                    expression(b, frame, lock);
                    String fn = bt.symbolizer().function(f.lookupPc());
                    String site = callSite(b, frame);
                    Evidence ev = Evidence.of("memory", t.comm() + " (pid " + t.pid() + ") waits in " + fn + " for the " + type + " "
                                    + lockName(lock) + " at " + Hex.format(lock) + ".",
                            "its " + waiterType + " at " + Hex.format(w) + " on its stack (->task = the task) is linked on "
                                    + lockType + "." + listMember + " at " + Hex.format(p));
                    return Optional.of(new Wait(t, type, lock, site, ev));
                }
                p = k.memory().u64(p);
            }
        }
        return Optional.empty();
    }

    private boolean isWaiter(long w, long taskOff) {
        try {
            long task = k.memory().u64(w + taskOff);
            Optional<Tasks.Task> t = bt.task(task);
            return t.isPresent() && bt.taskStack(task).contains(w, 8);
        } catch (FaultException e) {
            return false;
        }
    }

    /** The first frame above the lock functions: where the task asked for the lock. */
    private String callSite(TaskTrace b, int frame) {
        for (int i = frame + 1; i < b.frames().size(); i++) {
            TaskTrace.TraceFrame f = b.frames().get(i);
            String fn = bt.symbolizer().function(f.lookupPc());
            if (!MUTEX_SLOW.contains(fn) && !RWSEM_SLOW.contains(fn) && !SPIN_SLOW.contains(fn) && !fn.startsWith("_raw_")) {
                return DumpAnalyzer.frameName(bt, f);
            }
        }
        return "?";
    }

    /** A CPU spinning in a spinlock slow path: the lock is the slow path's argument. */
    private Optional<Wait> spinWait(Tasks.Task t, TaskTrace b, int frame, String fn) {
        TaskTrace.TraceFrame f = b.frames().get(frame);
        var fa = s.debugInfo().fileAddress(f.pc());
        if (fa.isPresent() && f.regs() != null && !f.partialRegs()) {
            long pc = fa.get().address();
            for (FrameVariables.Value v : s.debugInfo().variablesAt(
                    new org.coroner.session.DebugInfo.FileAddress(fa.get().symbolizer(), pc), f.regs(), x -> true)) {
                if (v.parameter() && v.name().equals("lock") && v.value().isPresent()) {
                    long lock = v.value().getAsLong();
                    expression(b, frame, lock);
                    Evidence ev = Evidence.of("dwarf", t.comm() + " (pid " + t.pid() + ") on CPU " + b.cpu() + " spins in " + fn
                                    + " for the spinlock " + lockName(lock) + " at " + Hex.format(lock) + lockWord(lock) + ".",
                            "parameter 'lock' of " + fn + " (" + v.where() + ") with the registers the CPU saved when it was"
                                    + " interrupted (exception frame at " + Hex.format(f.regsAddress()) + ")");
                    return Optional.of(new Wait(t, "spinlock", lock, callSite(b, frame), ev));
                }
            }
        }
        // else: the lock the caller passed, from the caller's code
        for (int i = frame + 1; i < b.frames().size(); i++) {
            TaskTrace.TraceFrame c = b.frames().get(i);
            Optional<LockCalls.Call> call = lockCalls.callAt(c.pc());
            if (call.isPresent() && call.get().lock() != null) {
                long lock = call.get().lock();
                Evidence ev = Evidence.of("code", t.comm() + " (pid " + t.pid() + ") on CPU " + b.cpu() + " spins in " + fn
                        + " for the spinlock " + lockName(lock) + " at " + Hex.format(lock) + lockWord(lock) + ".",
                        "the call " + call.get().text() + " its caller made, decoded from memory");
                return Optional.of(new Wait(t, "spinlock", lock, DumpAnalyzer.frameName(bt, c), ev));
            }
        }
        return Optional.empty();
    }

    /** {@code , lock word 0x101 (locked, pending)} for a qspinlock. */
    private String lockWord(long lock) {
        try {
            long v = k.memory().u32(lock);
            List<String> bits = new ArrayList<>();
            if ((v & 0xff) != 0) {
                bits.add("locked");
            }
            if ((v & 0x100) != 0) {
                bits.add("pending");
            }
            if ((v >>> 18) != 0) {
                bits.add("queue tail CPU " + ((v >>> 18) - 1));
            }
            return "; its lock word is " + Hex.format(v) + (bits.isEmpty() ? " (unlocked)" : " (" + String.join(", ", bits) + ")");
        } catch (FaultException e) {
            return "";
        }
    }

    /** Source expressions of locks in allocated objects, as the waiters' callers reach them ({@code p->right}). */
    private final Map<Long, String> expressions = new HashMap<>();

    /**
     * {@code p->right}: a pointer variable of the frame that asked for the lock (the first frame above
     * the lock functions) points to the struct the lock is in; DWARF gives the member at the offset.
     */
    private void expression(TaskTrace b, int frame, long lock) {
        if (expressions.containsKey(lock) || bt.symbolizer().lookup(lock).filter(n -> Long.compareUnsigned(n.offset(), 0x10000) < 0)
                .isPresent()) {
            return; // a named lock needs no expression
        }
        try {
            for (int i = frame + 1; i < b.frames().size(); i++) {
                TaskTrace.TraceFrame f = b.frames().get(i);
                String fn = bt.symbolizer().function(f.lookupPc());
                if (MUTEX_SLOW.contains(fn) || RWSEM_SLOW.contains(fn) || SPIN_SLOW.contains(fn) || SEM_SLOW.contains(fn)
                        || fn.startsWith("_raw_") || SCHEDULER.contains(fn) || !f.returnAddress()) {
                    continue;
                }
                var fa = s.debugInfo().fileAddress(f.lookupPc());
                if (fa.isEmpty()) {
                    return;
                }
                var sym = fa.get().symbolizer();
                List<org.coroner.dwarf.loc.Variables.Variable> vars = org.coroner.dwarf.loc.Variables.at(sym, fa.get().address());
                for (FrameVariables.Value v : s.debugInfo().variables(b, bt).get(i).values()) {
                    if (!v.pointer() || v.value().isEmpty()) {
                        continue;
                    }
                    long base = v.value().getAsLong();
                    for (var var : vars) {
                        var struct = var.name().equals(v.name()) ? org.coroner.dwarf.loc.TypeNames.pointee(sym, var.typeDie())
                                : Optional.<org.coroner.dwarf.Die>empty();
                        if (struct.isEmpty()) {
                            continue;
                        }
                        long size = org.coroner.dwarf.loc.TypeNames.size(sym, struct.get());
                        if (Long.compareUnsigned(lock - base, size) < 0) {
                            var m = org.coroner.dwarf.loc.TypeNames.memberAt(sym, struct.get(), lock - base);
                            if (m.isPresent() && m.get().offset() == lock - base) {
                                expressions.put(lock, "&" + v.name() + "->" + m.get().path());
                                return;
                            }
                        }
                    }
                }
                return;
            }
        } catch (RuntimeException e) {
            // no expression: the lock keeps its address and object
        }
    }

    /** {@code mutex_a [crashlab]}, {@code struct+0x10 in a kmalloc-64 object}, or the address. */
    String lockName(long lock) {
        String e = expressions.get(lock);
        return e == null ? objectLockName(lock) : e + " (" + objectLockName(lock) + ")";
    }

    private String objectLockName(long lock) {
        var n = bt.symbolizer().lookup(lock);
        if (n.isPresent() && n.get().module() != null) {
            // a module's data: its .ko's symbol table (the kernel lists module data only with KALLSYMS_ALL)
            Optional<String> ko = s.debugInfo().moduleSymbol(lock);
            if (ko.isPresent()) {
                return ko.get() + " [" + n.get().module() + "]";
            }
        }
        // unsigned: a heap address far above a symbol (the per-cpu area's __per_cpu_end) is not that symbol
        if (n.isPresent() && Long.compareUnsigned(n.get().offset(), 0x10000) < 0) {
            return (n.get().offset() == 0 ? n.get().symbol() : n.get().symbol() + "+" + Hex.format(n.get().offset()))
                    + (n.get().module() == null ? "" : " [" + n.get().module() + "]");
        }
        Optional<org.coroner.kernel.mm.SlabObject> obj;
        try {
            obj = org.coroner.kernel.mm.Slub.present(k) ? s.slub().objectAt(lock) : Optional.empty();
        } catch (FaultException | IllegalArgumentException | IllegalStateException e) {
            obj = Optional.empty();
        }
        if (obj.isPresent()) {
            return "+" + Hex.format(obj.get().offset()) + " in the " + obj.get().cache().name() + " object "
                    + Hex.format(obj.get().object()) + (obj.get().isFree() ? " (FREE)" : "");
        }
        Optional<String> cache = slabs.cacheOf(lock);
        if (cache.isPresent()) {
            return "in a " + cache.get() + " slab object";
        }
        Optional<Tasks.Task> onStack = bt.tasks().all().stream().filter(t -> {
            try {
                return bt.taskStack(t.address()).contains(lock, 8);
            } catch (RuntimeException e) {
                return false;
            }
        }).findFirst();
        return onStack.map(t -> "on the stack of " + t.comm() + " (pid " + t.pid() + ")").orElse(Hex.format(lock));
    }

    /** Who holds a lock: a mutex's or rwsem's owner word; for a spinlock, the task whose code took it. */
    synchronized Optional<Hold> holder(Wait w) {
        Optional<Hold> h = holders.get(w.lock());
        if (h == null) {
            h = findHolder(w);
            holders.put(w.lock(), h);
        }
        return h;
    }

    private Optional<Hold> findHolder(Wait w) {
        if (w.type().equals("completion")) {
            return Optional.empty(); // a completion has no owner: whoever should complete it is not recorded
        }
        if (w.type().equals("semaphore")) {
            // a semaphore records no owner either, and its holder may sleep: any task whose code took it
            for (Tasks.Task t : bt.tasks().all()) {
                if (t.address() == w.task().address() || t.idle() && t.pid() == 0) {
                    continue;
                }
                try {
                    Optional<LockCalls.Held> held = lockCalls.heldBy(backtrace(t), w.lock(),
                            lockName(w.lock()).replaceFirst(" \\[.*\\]$", ""));
                    if (held.isPresent()) {
                        return Optional.of(new Hold(w.lock(), t, Evidence.of("code", lockName(w.lock()) + " is held by "
                                + t.comm() + " (pid " + t.pid() + "): " + held.get().text() + ".", held.get().derivation())));
                    }
                } catch (FaultException | IllegalArgumentException | IllegalStateException e) {
                    // a task whose stack cannot be read holds nothing we can prove
                }
            }
            return Optional.empty();
        }
        try {
            if (w.type().equals("mutex") || w.type().equals("rwsem")) {
                String type = w.type().equals("mutex") ? "struct mutex" : "struct rw_semaphore";
                long word = k.object(type, w.lock()).member("owner").u64();
                long owner = word & ~7L;
                if (owner == 0) {
                    return Optional.empty();
                }
                Optional<Tasks.Task> t = bt.task(owner);
                if (t.isEmpty()) {
                    return Optional.empty();
                }
                List<String> flags = new ArrayList<>();
                if ((word & 1) != 0) {
                    flags.add("WAITERS");
                }
                if ((word & 2) != 0) {
                    flags.add("HANDOFF");
                }
                if ((word & 4) != 0) {
                    flags.add("PICKUP");
                }
                String what = w.type().equals("mutex") ? "flags " + (flags.isEmpty() ? "none" : String.join("|", flags))
                        : "rwsem owner bits " + Hex.format(word & 7);
                return Optional.of(new Hold(w.lock(), t.get(), Evidence.of("memory", lockName(w.lock()) + " is held by "
                                + t.get().comm() + " (pid " + t.get().pid() + ").",
                        type + ".owner at " + Hex.format(w.lock()) + " = " + Hex.format(word) + ": task " + Hex.format(owner) + ", "
                                + what)));
            }
            // a spinlock records no owner, and its holder cannot sleep or be preempted: it is on a CPU.
            // First the task whose code took it and has not released it yet ...
            List<Tasks.Task> onCpu = onCpus();
            for (Tasks.Task t : onCpu) {
                TaskTrace b = backtrace(t);
                Optional<LockCalls.Held> held = lockCalls.heldBy(b, w.lock(), lockName(w.lock()).replaceFirst(" \\[.*\\]$", ""));
                if (held.isPresent()) {
                    return Optional.of(new Hold(w.lock(), t, Evidence.of("code", lockName(w.lock()) + " is held by " + t.comm()
                                    + " (pid " + t.pid() + (b.cpu() >= 0 ? ", CPU " + b.cpu() : "") + "): " + held.get().text() + ".",
                            held.get().derivation())));
                }
            }
            // ... else another CPU's task whose saved registers or stack hold the lock's address (a lock
            // reached through a pointer): a candidate, not a proof
            for (Tasks.Task t : onCpu) {
                if (t.address() == w.task().address()) {
                    continue;
                }
                Optional<String> where = mentions(backtrace(t), w.lock());
                if (where.isPresent()) {
                    return Optional.of(new Hold(w.lock(), t, Evidence.of("inference", lockName(w.lock()) + " is probably held by "
                                    + t.comm() + " (pid " + t.pid() + ", CPU " + backtrace(t).cpu() + "): its " + where.get()
                                    + " holds the lock's address.",
                            "the saved registers and stack words of every other CPU's task compared with the lock's address")));
                }
            }
        } catch (FaultException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private List<Tasks.Task> onCpus() {
        List<Tasks.Task> out = new ArrayList<>();
        for (int cpu : k.cpuMask("__cpu_possible_mask")) {
            bt.activeTask(cpu).filter(t -> !t.idle()).ifPresent(out::add);
        }
        return out;
    }

    /** Where a running task's saved registers or stack hold {@code value}: {@code %rbx at frame #3}, a stack slot. */
    private Optional<String> mentions(TaskTrace b, long value) {
        for (int i = 0; i < b.frames().size(); i++) {
            TaskTrace.TraceFrame f = b.frames().get(i);
            if (f.regs() != null) {
                Map<String, Long> named = f.regs().named();
                for (String name : f.regs().generalPurpose()) {
                    if (named.get(name) == value) {
                        return Optional.of(f.regs().display(name) + " saved at frame #" + i);
                    }
                }
            }
        }
        if (b.frames().isEmpty()) {
            return Optional.empty();
        }
        StackRange stack = bt.taskStack(b.task().address());
        long sp = b.frames().get(0).sp();
        if (!stack.contains(sp, 8)) {
            sp = stack.begin();
        }
        byte[] words = k.memory().read(sp & ~7L, (int) Math.min(stack.end() - (sp & ~7L), 64 * 1024));
        var bb = java.nio.ByteBuffer.wrap(words).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int o = 0; o + 8 <= words.length; o += 8) {
            if (bb.getLong(o) == value) {
                return Optional.of("stack slot " + Hex.format((sp & ~7L) + o));
            }
        }
        return Optional.empty();
    }

    /** The wait-for graph: each wait and each holder as edges. */
    synchronized List<Context.Edge> graph() {
        if (graph != null) {
            return graph;
        }
        List<Context.Edge> out = new ArrayList<>();
        Map<Long, Boolean> seen = new LinkedHashMap<>();
        for (Wait w : waits()) {
            out.add(new Context.Edge(taskNode(w.task()), "waits-for", lockNode(w), w.evidence().statement(),
                    w.evidence().derivation(), w.evidence().source()));
            if (seen.putIfAbsent(w.lock(), true) == null) {
                holder(w).ifPresent(h -> out.add(new Context.Edge(lockNode(w), "held-by", taskNode(h.holder()),
                        h.evidence().statement(), h.evidence().derivation(), h.evidence().source())));
            }
        }
        graph = List.copyOf(out);
        return graph;
    }

    String taskNode(Tasks.Task t) {
        return t.comm() + " (pid " + t.pid() + ")";
    }

    String lockNode(Wait w) {
        return w.type() + " " + lockName(w.lock());
    }

    /** A cycle of the graph, as its edges in order, or empty. */
    static List<Context.Edge> cycle(List<Context.Edge> edges) {
        Map<String, List<Context.Edge>> out = new LinkedHashMap<>();
        for (Context.Edge e : edges) {
            out.computeIfAbsent(e.from(), x -> new ArrayList<>()).add(e);
        }
        for (String start : out.keySet()) {
            List<Context.Edge> path = new ArrayList<>();
            if (dfs(start, start, out, path, new java.util.HashSet<>())) {
                return path;
            }
        }
        return List.of();
    }

    private static boolean dfs(String start, String node, Map<String, List<Context.Edge>> out, List<Context.Edge> path,
                               Set<String> visited) {
        if (!visited.add(node)) {
            return false;
        }
        for (Context.Edge e : out.getOrDefault(node, List.of())) {
            path.add(e);
            if (e.to().equals(start) || dfs(start, e.to(), out, path, visited)) {
                return true;
            }
            path.remove(path.size() - 1);
        }
        return false;
    }

    /** Tasks in uninterruptible sleep (D), not the idle kind (TASK_IDLE). */
    synchronized List<Context.BlockedTask> blocked() {
        if (blocked != null) {
            return blocked;
        }
        List<Context.BlockedTask> out = new ArrayList<>();
        Map<Long, Wait> byTask = new HashMap<>();
        for (Wait w : waits()) {
            byTask.put(w.task().address(), w);
        }
        for (Tasks.Task t : bt.tasks().all()) {
            if ((t.state() & 2) == 0 || (t.state() & 0x400) != 0 || t.exitState() != 0) {
                continue;
            }
            TaskTrace b = backtrace(t);
            String in = "?";
            for (TaskTrace.TraceFrame f : b.frames()) {
                String fn = bt.symbolizer().function(f.lookupPc());
                if (!SCHEDULER.contains(fn)) {
                    in = DumpAnalyzer.frameName(bt, f);
                    break;
                }
            }
            Wait w = byTask.get(t.address());
            String on = w == null ? null : w.type() + " " + lockName(w.lock());
            String owner = w == null ? null : holder(w).map(h -> taskNode(h.holder())).orElse(null);
            Double secs = null;
            String how = null;
            try {
                long execStart = t.task().member("se.exec_start").u64();
                long clock = k.perCpu("struct rq", "runqueues", t.cpu()).member("clock_task").u64();
                if (execStart != 0 && Long.compareUnsigned(clock, execStart) >= 0) {
                    secs = (clock - execStart) / 1e9;
                    how = "rq->clock_task of CPU " + t.cpu() + " minus the task's se.exec_start (when it last ran)";
                }
            } catch (FaultException | IllegalArgumentException e) {
                // no duration
            }
            out.add(new Context.BlockedTask(ContextBuilder.ref(t, -1), in, on, owner, secs, how));
        }
        blocked = List.copyOf(out);
        return blocked;
    }

    /** The verdict for lockups, stalls and hung tasks: a deadlock when the wait-for graph has a cycle. */
    Finding verdict(Kind hint, KernelLog log) {
        List<Context.Edge> edges = graph();
        List<Context.Edge> cycle = cycle(edges);
        if (!cycle.isEmpty()) {
            boolean spin = waits().stream().anyMatch(w -> w.type().equals("spinlock")
                    && cycle.stream().anyMatch(e -> e.to().equals(lockNode(w))));
            Finding f = new Finding(spin ? Kind.SPINLOCK_DEADLOCK : Kind.MUTEX_DEADLOCK);
            f.confidence = spin ? Confidence.MEDIUM : Confidence.HIGH;
            List<String> parts = new ArrayList<>();
            for (Context.Edge e : cycle) {
                if (e.relation().equals("waits-for")) {
                    String held = cycle.stream().filter(x -> x.relation().equals("held-by") && x.to().equals(e.from()))
                            .map(Context.Edge::from).findFirst().orElse("?");
                    parts.add(e.from() + " holds " + held + " and waits for " + e.to());
                }
                f.evidence.add(e.asEvidence());
            }
            for (Wait w : waits()) {
                if (cycle.stream().anyMatch(e -> e.from().equals(taskNode(w.task())))) {
                    f.location = location(w);
                    break;
                }
            }
            f.summary = "Deadlock (" + (spin ? "spinlocks" : "sleeping locks") + ", ABBA): " + String.join("; ", parts)
                    + ". Neither can go on.";
            if (hint != f.kind) {
                f.add("log", "The kernel noticed it as: " + hint.title() + ".", "the first crash report in the log");
            }
            return f;
        }
        Finding f = new Finding(hint);
        f.confidence = Confidence.MEDIUM;
        List<Context.BlockedTask> blocked = blocked();
        switch (hint) {
            case SOFT_LOCKUP, HARD_LOCKUP, RCU_STALL -> {
                String line = log.trigger().map(DumpAnalyzer::firstLine).orElse(hint.title());
                f.summary = line + ".";
                for (Wait w : waits()) {
                    if (w.type().equals("spinlock")) {
                        f.add(w.evidence().source(), w.evidence().statement(), w.evidence().derivation());
                        holder(w).ifPresentOrElse(h -> f.add(h.evidence().source(), h.evidence().statement(), h.evidence().derivation()),
                                () -> f.add("inference", "No task's code shows it took " + lockName(w.lock()) + ".",
                                        "lock calls of every task's frames"));
                        f.location = location(w);
                        f.summary = hint.title() + ": " + taskNode(w.task()) + " spins on " + lockName(w.lock())
                                + holder(w).map(h -> ", held by " + taskNode(h.holder())).orElse("") + ".";
                    }
                }
            }
            case HUNG_TASK -> {
                f.summary = blocked.size() + " task(s) in uninterruptible sleep (D)" + (blocked.isEmpty() ? "" : ": "
                        + String.join("; ", blocked.stream().map(b -> b.task().text() + " in " + b.waitsIn()
                        + (b.waitsOn() == null ? "" : " waiting for " + b.waitsOn())
                        + (b.owner() == null ? "" : " held by " + b.owner())).toList())) + ".";
                String sleeper = null;
                for (Wait w : waits()) {
                    f.add(w.evidence().source(), w.evidence().statement(), w.evidence().derivation());
                    Optional<Hold> h = holder(w);
                    h.ifPresent(x -> f.add(x.evidence().source(), x.evidence().statement(), x.evidence().derivation()));
                    if (h.isPresent() && sleeper == null) {
                        sleeper = holderAsleep(h.get(), f);
                    }
                }
                if (sleeper != null) {
                    f.summary = f.summary.substring(0, f.summary.length() - 1) + "; " + sleeper + ".";
                }
                if (!waits().isEmpty() && f.location == null) {
                    f.location = location(waits().get(0));
                }
                if (f.location == null && !blocked.isEmpty()) {
                    // blocked in no lock: where the first of them went to sleep
                    f.location = sleepLocation(blocked.get(0));
                }
            }
            default -> {
                f.confidence = Confidence.LOW;
                log.trigger().map(DumpAnalyzer::firstLine).ifPresent(t -> f.summary = t + ".");
            }
        }
        return f;
    }

    /**
     * A lock holder that waits for no lock itself but sleeps: where, and in which state. It is the
     * root cause of the wait (it never releases the lock), so the location becomes its sleep site.
     */
    private String holderAsleep(Hold h, Finding f) {
        Tasks.Task o = h.holder();
        if (waits().stream().anyMatch(w -> w.task().address() == o.address())) {
            return null;
        }
        long st = o.state();
        String state = st == 0 ? "R (running)" : (st & 2) != 0 ? "D (uninterruptible sleep)" : (st & 1) != 0
                ? "S (interruptible sleep)" : "0x" + Long.toHexString(st);
        if (st == 0) {
            return null;
        }
        TaskTrace b = backtrace(o);
        for (TaskTrace.TraceFrame fr : b.frames()) {
            String fn = bt.symbolizer().function(fr.lookupPc());
            if (!SCHEDULER.contains(fn) && fr.returnAddress()) {
                CodeLocation at = new DumpFault(s).location(fr.lookupPc());
                f.add("memory", taskNode(o) + ", the holder, waits for no lock: it is in state " + state + " in "
                                + DumpAnalyzer.frameName(bt, fr) + ", asleep with the lock held.",
                        "its task_struct.__state and its backtrace (" + DumpAnalyzer.unwinder(s)
                                + "), checked against every lock wait");
                f.location = at;
                return taskNode(o) + " holds it and sleeps (state " + state.charAt(0) + ") in " + at.text();
            }
        }
        return null;
    }

    private CodeLocation sleepLocation(Context.BlockedTask b) {
        return bt.tasks().all().stream().filter(t -> t.pid() == b.task().pid()).findFirst().flatMap(t -> backtrace(t).frames()
                .stream().filter(fr -> fr.returnAddress() && !SCHEDULER.contains(bt.symbolizer().function(fr.lookupPc())))
                .findFirst()).map(fr -> new DumpFault(s).location(fr.lookupPc())).orElse(null);
    }

    private CodeLocation location(Wait w) {
        TaskTrace b = backtrace(w.task());
        int from = 0;
        for (int i = 0; i < b.frames().size(); i++) {
            TaskTrace.TraceFrame fr = b.frames().get(i);
            String fn = bt.symbolizer().function(fr.lookupPc());
            if (MUTEX_SLOW.contains(fn) || RWSEM_SLOW.contains(fn) || SPIN_SLOW.contains(fn)) {
                from = i;
                break;
            }
        }
        for (TaskTrace.TraceFrame fr : b.frames().subList(from, b.frames().size())) {
            String fn = bt.symbolizer().function(fr.lookupPc());
            if (!MUTEX_SLOW.contains(fn) && !RWSEM_SLOW.contains(fn) && !SPIN_SLOW.contains(fn) && !fn.startsWith("_raw_")
                    && !SCHEDULER.contains(fn) && !fr.isException() && fr.returnAddress()) {
                return new DumpFault(s).location(fr.lookupPc());
            }
        }
        return null;
    }
}
