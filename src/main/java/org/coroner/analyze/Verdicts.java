package org.coroner.analyze;

import java.util.List;
import java.util.Optional;

import org.coroner.disasm.Instruction;
import org.coroner.kernel.Kernel;
import org.coroner.kernel.stack.Backtracer;
import org.coroner.kernel.stack.TaskTrace;
import org.coroner.memory.FaultException;
import org.coroner.oops.decode.Hex;
import org.coroner.session.Session;
import org.coroner.types.Value;

/** The verdicts that need no lock or pointer analysis: SysRq, OOM, BUG/WARN traps, callbacks. */
final class Verdicts {
    private Verdicts() {
    }

    static Finding sysrq(DumpAnalyzer a, KernelLog log, TaskTrace pbt, Optional<DumpFault.Trap> trap) {
        Finding f = new Finding(Kind.SYSRQ_TRIGGERED);
        f.confidence = Confidence.HIGH;
        Backtracer bt = a.session().backtracer();
        for (String l : log.grep("sysrq: ")) {
            f.add("log", "The kernel logged: " + strip(l), "the printk ring buffer");
        }
        if (pbt != null) {
            for (int i = 0; i < pbt.frames().size(); i++) {
                TaskTrace.TraceFrame fr = pbt.frames().get(i);
                String fn = bt.symbolizer().function(fr.pc());
                if (fn.equals("sysrq_handle_crash") || fn.equals("__handle_sysrq") || fn.equals("write_sysrq_trigger")) {
                    f.add("memory", "Frame #" + i + " of " + pbt.task().comm() + " (pid " + pbt.task().pid() + ") is " + fn + ".",
                            "the panic task's backtrace (" + (pbt.orc() != null ? "ORC" : "frame-record") + " unwind from the dump's registers)");
                }
            }
            boolean viaProc = pbt.frames().stream().anyMatch(fr -> bt.symbolizer().function(fr.pc()).equals("write_sysrq_trigger"));
            f.summary = "The crash was requested: SysRq 'c' (sysrq_handle_crash) panicked the kernel on purpose"
                    + (viaProc ? ", written to /proc/sysrq-trigger by " + pbt.task().comm() + " (pid " + pbt.task().pid() + ")"
                    : "") + ". Nothing failed: this is how an administrator or a test forces a dump.";
        } else {
            f.summary = "The crash was requested with SysRq 'c': the kernel panicked on purpose.";
        }
        trap.ifPresent(t -> f.location = new DumpFault(a.session()).location(t.frame().regs().pc()));
        if (f.location == null && pbt != null) {
            pbt.frames().stream().filter(fr -> bt.symbolizer().function(fr.lookupPc()).equals("sysrq_handle_crash")).findFirst()
                    .ifPresent(fr -> f.location = new DumpFault(a.session()).location(fr.lookupPc()));
        }
        return f;
    }

    /**
     * A kernel stack overflow: the kernel's report (guard page hit, double fault), and where the
     * saved stack pointer is against the task's stack.
     */
    static Finding stackOverflow(Session s, Optional<DumpFault.Trap> trap, TaskTrace pbt, KernelLog log) {
        Finding f = new Finding(Kind.STACK_OVERFLOW);
        f.confidence = Confidence.MEDIUM;
        log.lines().stream().map(Verdicts::strip).filter(t -> t.contains("stack guard page was hit") || t.contains("stack overflow")
                || t.startsWith("double fault:")).findFirst().ifPresent(t -> f.add("log", t, "the kernel's report"));
        if (trap.isPresent() && pbt != null) {
            long sp = trap.get().frame().regs().sp();
            var stack = s.backtracer().taskStack(pbt.task().address());
            boolean outside = !stack.contains(sp, 8);
            f.add("register", "The stack pointer the exception saved is " + Hex.format(sp) + "; " + pbt.task().comm()
                            + "'s stack is " + Hex.format(stack.begin()) + "-" + Hex.format(stack.end()) + (outside
                            ? ": the pointer is outside it (below the bottom when it overflowed)." : "."),
                    "exception frame at " + Hex.format(trap.get().frame().regsAddress()) + " and task->stack with THREAD_SIZE");
            if (outside && Long.compareUnsigned(sp, stack.begin()) < 0) {
                f.confidence = Confidence.HIGH;
            }
            f.location = new DumpFault(s).location(trap.get().frame().regs().pc());
        }
        Optional<String> rec = pbt == null ? Optional.empty() : recursion(pbt.frames().stream()
                .map(fr -> s.backtracer().symbolizer().function(fr.lookupPc())).toList());
        rec.ifPresent(r -> f.add("memory", r + ": a recursion that did not stop filled the stack.",
                "the overflowing task's backtrace (" + DumpAnalyzer.unwinder(s) + " from the exception frame)"));
        f.summary = "The kernel stack of " + (pbt == null ? "the crashing task" : pbt.task().comm() + " (pid " + pbt.task().pid() + ")")
                + " overflowed" + (f.location == null ? "" : " in " + f.location.text())
                + rec.map(r -> " (" + r + ")").orElse("") + ".";
        return f;
    }

    /** {@code walk_tree is 180 of the 190 frames} when one function fills most of a backtrace. */
    static Optional<String> recursion(List<String> functions) {
        java.util.Map<String, Long> counts = functions.stream().filter(x -> !x.isEmpty())
                .collect(java.util.stream.Collectors.groupingBy(x -> x, java.util.stream.Collectors.counting()));
        return counts.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).filter(e -> e.getValue() >= 8
                && e.getValue() * 2 > functions.size()).map(e -> e.getKey() + " is " + e.getValue() + " of the "
                + functions.size() + " frames");
    }

    static Finding outOfMemory(Session s, KernelLog log, String panic) {
        Finding f = new Finding(Kind.OUT_OF_MEMORY);
        f.confidence = Confidence.HIGH;
        f.add("log", "Kernel panic - not syncing: " + panic, "the printk ring buffer");
        for (String l : log.lines()) {
            String t = strip(l);
            if (t.contains("Kernel panic")) {
                continue;
            }
            if (t.contains("invoked oom-killer") || t.startsWith("Mem-Info") || t.contains("Out of memory")
                    || t.startsWith("Free swap") || t.matches("^\\d+ pages RAM$") || t.contains("oom-kill:")) {
                f.add("log", t, "the OOM report in the printk ring buffer");
            }
        }
        String who = log.lines().stream().map(Verdicts::strip).filter(t -> t.contains("invoked oom-killer")).findFirst()
                .map(t -> t.substring(0, t.indexOf(" invoked"))).orElse(null);
        f.summary = "The kernel ran out of memory" + (who != null ? " (" + who + " could not allocate)" : "")
                + " and panicked instead of killing a task"
                + (panic != null && panic.contains("panic_on_oom") ? " because vm.panic_on_oom is set" : "") + ".";
        try {
            var si = new org.coroner.kernel.SystemInfo(s.kernel());
            f.add("kernel", "Total memory " + org.coroner.kernel.SystemInfo.size(si.memoryBytes()) + ".",
                    "totalram_pages in the dump");
        } catch (RuntimeException e) {
            // the total is context only
        }
        return f;
    }

    /** BUG()/BUG_ON()/WARN(): the trap instruction at RIP and the kernel's own file:line. */
    static Finding bug(Session s, DumpFault.Trap trap, TaskTrace pbt, KernelLog log, Kind hint) {
        DumpFault df = new DumpFault(s);
        Finding f = new Finding(hint == Kind.WARNING || hint == Kind.DOUBLE_FREE || hint == Kind.LIST_CORRUPTION ? hint : Kind.BUG_ON);
        long rip = trap.frame().regs().pc();
        f.location = df.location(rip);
        f.add("register", "The CPU took " + DumpFault.exceptionName(trap.entry()) + " at " + trap.frame().regs().pcName() + " "
                        + Hex.format(rip) + ".",
                "exception frame (struct pt_regs) at " + Hex.format(trap.frame().regsAddress()));
        Optional<FunctionCode> code = df.code(rip);
        if (code.isPresent()) {
            Instruction in = code.get().last();
            f.add("code", "The instruction at " + trap.frame().regs().pcName() + " is " + in.text() + " (" + code.get().at(in) + ")"
                    + (in.mnemonic().equals("ud2") || in.mnemonic().equals("brk") ? ": the trap BUG() and WARN() compile to." : "."),
                    "decoded from the dump's memory");
        }
        String bugLine = log.lines().stream().map(Verdicts::strip).filter(t -> t.startsWith("kernel BUG at ")).findFirst().orElse(null);
        String warnLine = log.lines().stream().map(Verdicts::strip).filter(t -> t.startsWith("WARNING: ")).findFirst().orElse(null);
        if (bugLine != null) {
            f.add("log", bugLine, "the kernel's BUG report (its __bug_table entry for RIP)");
        } else if (warnLine != null) {
            f.kind = Kind.WARNING;
            f.add("log", warnLine, "the kernel's WARNING report");
        }
        f.kind = refine(f.kind, f.location, log);
        String object = null;
        if (f.kind == Kind.LIST_CORRUPTION) {
            log.lines().stream().map(Verdicts::strip).filter(t -> t.contains(" corruption")).findFirst()
                    .ifPresent(t -> f.add("log", t, "CONFIG_DEBUG_LIST's check"));
            listPointers(s, log, f);
        } else if (f.kind == Kind.DOUBLE_FREE) {
            f.add("dwarf", "The trap is in " + f.location.text() + ": SLUB's check that an object freed is not already the"
                    + " first free object (set_freepointer: object == fp).", "DWARF line of RIP");
            object = alreadyFree(s, trap, f);
        }
        CodeLocation check = f.location;
        if (f.kind == Kind.LIST_CORRUPTION || f.kind == Kind.DOUBLE_FREE) {
            // the check that fired is the kernel's; the code at fault is the caller of list_del()/kfree()
            callerOfCheck(s, trap, pbt).ifPresent(c -> {
                f.location = c;
                f.add("memory", "The first caller outside the allocator and list debugging is " + c.text() + ".",
                        "the crashing task's backtrace above the exception frame (" + DumpAnalyzer.unwinder(s) + " from the dump)");
            });
        }
        f.confidence = Confidence.HIGH;
        f.summary = switch (f.kind) {
            case WARNING -> "A WARN() condition fired and panic_on_warn made it fatal in " + f.location.text() + ".";
            case LIST_CORRUPTION -> "List debugging found a corrupted list (pointers that do not point back) in "
                    + f.location.text() + (check != f.location ? ", checked by " + check.function() + "()" : "") + ".";
            case DOUBLE_FREE -> (object != null ? "The " + object : "A slab object") + " was freed twice: the free from "
                    + f.location.text() + " found it already free" + (check != f.location ? " (SLUB's check in " + check.function()
                    + "() at " + check.file() + ":" + check.line() + ")" : "") + ".";
            default -> "A BUG_ON() assertion failed in " + f.location.text() + ".";
        };
        return f;
    }

    /**
     * What a BUG trap means when the check that trapped is a known one: list debugging
     * (lib/list_debug.c, CONFIG_BUG_ON_DATA_CORRUPTION) or SLUB's double-free check.
     */
    static Kind refine(Kind kind, CodeLocation at, KernelLog log) {
        if (kind != Kind.BUG_ON && kind != Kind.DOUBLE_FREE && kind != Kind.LIST_CORRUPTION) {
            return kind;
        }
        String file = at == null || at.file() == null ? "" : at.file();
        String fn = at == null || at.function() == null ? "" : at.function();
        if (file.endsWith("lib/list_debug.c") || log.lines().stream().anyMatch(l -> l.contains("list_add corruption")
                || l.contains("list_del corruption"))) {
            return Kind.LIST_CORRUPTION;
        }
        if (file.endsWith("mm/slub.c") && (fn.contains("freepointer") || fn.contains("free"))
                || log.lines().stream().anyMatch(l -> l.contains("double free") || l.contains("Double free"))) {
            return Kind.DOUBLE_FREE;
        }
        return kind;
    }

    /** Source files of the kernel's own checks on frees and lists: the caller of these is the culprit. */
    static boolean checkerFile(String file) {
        return file != null && (file.endsWith("mm/slub.c") || file.endsWith("mm/slab_common.c") || file.endsWith("mm/slab.h")
                || file.endsWith("lib/list_debug.c"));
    }

    private static Optional<CodeLocation> callerOfCheck(Session s, DumpFault.Trap trap, TaskTrace pbt) {
        return pbt == null ? Optional.empty() : callerOfCheck(s, pbt, trap.index() + 1);
    }

    /**
     * The first call frame from {@code from} on past the last one in the kernel's own checks (the
     * frames of the report and the panic come before it): the code that called kfree()/list_del().
     */
    static Optional<CodeLocation> callerOfCheck(Session s, TaskTrace pbt, int from) {
        DumpFault df = new DumpFault(s);
        List<TaskTrace.TraceFrame> frames = pbt.frames().subList(Math.min(from, pbt.frames().size()), pbt.frames().size());
        List<CodeLocation> at = frames.stream().map(fr -> fr.returnAddress() ? df.location(fr.lookupPc()) : null).toList();
        int after = 0;
        for (int i = 0; i < at.size(); i++) {
            if (at.get(i) != null && checkerFile(at.get(i).file())) {
                after = i + 1;
            }
        }
        for (int i = after; i < at.size(); i++) {
            CodeLocation c = at.get(i);
            if (c != null && c.file() != null && !checkerFile(c.file())) {
                long pc = frames.get(i).pc();
                return Optional.of(new CodeLocation(c.function(), s.backtracer().symbolizer().lookup(pc)
                        .map(n -> n.kernel()).orElse(c.symbol()), c.file(), c.line(), c.module(), Hex.format(pc)));
            }
        }
        return Optional.empty();
    }

    /**
     * A double free SLUB's debug checks (slub_debug=F) caught: they report "Object already free" and
     * only taint, so no trap; the panic (panic_on_taint) comes from the freeing task itself.
     */
    static Finding reportedDoubleFree(Session s, TaskTrace pbt, KernelLog log) {
        Finding f = new Finding(Kind.DOUBLE_FREE);
        f.confidence = Confidence.MEDIUM;
        log.lines().stream().map(Verdicts::strip).filter(t -> t.startsWith("BUG ") && t.contains("Object already free"))
                .findFirst().ifPresent(t -> f.add("log", t, "SLUB's free checks (slub_debug=F): free_debug_processing"));
        String object = null;
        for (String l : log.lines()) {
            var m = java.util.regex.Pattern.compile("Object (0x[0-9a-f]+) @offset=").matcher(l);
            if (m.find()) {
                long a = Long.parseUnsignedLong(m.group(1).substring(2), 16);
                String name = objectName(s, a);
                f.add("memory", "The object " + m.group(1) + " the report names is" + (name.isEmpty() ? " not found in the slab"
                                + " model" : name.replace(" (+0x0 in the ", " the ").replace(")", "")
                                + (name.contains("FREE") ? ": on a freelist in the dump, freed once already" : "")) + ".",
                        "SLUB's report in the log, the object looked up in the dump's slabs (kernel.mm.Slub)");
                object = name.isEmpty() ? "slab object " + m.group(1) : name.substring(name.indexOf(" in the ") + 8,
                        name.length() - 1).replace("FREE ", "");
                break;
            }
        }
        LogAnalyzer.tracks(f, log);
        if (pbt != null) {
            callerOfCheck(s, pbt, 0).ifPresent(c -> {
                f.location = c;
                f.confidence = Confidence.HIGH;
                f.add("memory", "The first caller past SLUB's checks in the panicking task's backtrace is " + c.text() + ".",
                        "the panic task's backtrace (" + DumpAnalyzer.unwinder(s) + " from the dump's registers)");
            });
        }
        f.summary = "The " + (object != null ? object : "slab object") + " was freed twice: the free"
                + (f.location == null ? "" : " from " + f.location.text()) + " found it already free (SLUB's debug checks,"
                + " slub_debug=F: Object already free).";
        return f;
    }

    private static final java.util.regex.Pattern LIST_CHECK = java.util.regex.Pattern.compile(
            "(next->prev|prev->next) should be (?:\\w+ \\()?([0-9a-f]+)\\)?, but was (?:\\w+ \\()?([0-9a-f]+)\\)?\\. \\((next|prev)=([0-9a-f]+)\\)");

    /** The list pointers the kernel's message names, read back from the dump, with the slab objects they are in. */
    private static void listPointers(Session s, KernelLog log, Finding f) {
        for (String l : log.lines()) {
            var m = LIST_CHECK.matcher(l);
            if (!m.find()) {
                continue;
            }
            long expected = Long.parseUnsignedLong(m.group(2), 16);
            long was = Long.parseUnsignedLong(m.group(3), 16);
            long neighbour = Long.parseUnsignedLong(m.group(5), 16);
            String member = m.group(1).substring(m.group(1).indexOf('>') + 1);
            long slot = neighbour + (member.equals("prev") ? 8 : 0);
            try {
                long now = s.kernel().memory().u64(slot);
                f.add("memory", "The " + m.group(4) + " entry " + Hex.format(neighbour) + objectName(s, neighbour) + " has ->" + member
                                + " = " + Hex.format(now) + (now == was ? " in the dump, as the check saw" : "")
                                + ", where the list needs " + Hex.format(expected) + objectName(s, expected) + ": that pointer was"
                                + " overwritten" + (objectName(s, was).isEmpty() ? " with a value that is no list entry" : "") + ".",
                        "a read of struct list_head." + member + " at " + Hex.format(slot) + " (the addresses from the kernel's message)");
            } catch (FaultException e) {
                f.add("memory", "The " + m.group(4) + " entry " + Hex.format(neighbour) + " is not in the dump.", "read of "
                        + Hex.format(slot));
            }
            return;
        }
    }

    /** {@code  (+0x18 in the kmalloc-64 object 0x...)}, or empty when the address is in no slab object. */
    static String objectName(Session s, long address) {
        if (!org.coroner.kernel.mm.Slub.present(s.kernel())) {
            return "";
        }
        try {
            return s.slub().objectAt(address).map(o -> " (+" + Hex.format(o.offset()) + " in the " + (o.isFree() ? "FREE " : "")
                    + o.cache().name() + " object " + Hex.format(o.object()) + ")").orElse("");
        } catch (FaultException | IllegalArgumentException | IllegalStateException x) {
            return "";
        }
    }

    /** A double free's object: a register of the trap that points to an object the freelists already hold. */
    private static String alreadyFree(Session s, DumpFault.Trap trap, Finding f) {
        if (!org.coroner.kernel.mm.Slub.present(s.kernel())) {
            return null;
        }
        var regs = trap.frame().regs();
        for (var e : regs.named().entrySet()) {
            try {
                var o = s.slub().objectAt(e.getValue());
                if (o.isPresent() && o.get().isFree() && o.get().offset() == 0) {
                    f.add("memory", regs.display(e.getKey()) + " = " + Hex.format(e.getValue()) + " is the " + o.get().cache().name()
                            + " object being freed, and it is already on a freelist: freed before.",
                            "SLUB freelists (kernel.mm.Slub)");
                    return o.get().cache().name() + " object " + Hex.format(e.getValue());
                }
            } catch (FaultException | IllegalArgumentException | IllegalStateException x) {
                // not a slab address
            }
        }
        return null;
    }

    /** Adds what the crash ran in when it was a workqueue item or a timer callback. */
    static Optional<String> callback(Session s, TaskTrace pbt, Finding f) {
        if (pbt == null) {
            return Optional.empty();
        }
        Backtracer bt = s.backtracer();
        Kernel k = s.kernel();
        for (TaskTrace.TraceFrame fr : pbt.frames()) {
            String fn = bt.symbolizer().function(fr.pc());
            if (fn.equals("process_one_work")) {
                try {
                    Value task = pbt.task().task();
                    long kthread = task.member("worker_private").u64();
                    long worker = k.object("struct kthread", kthread).member("data").u64();
                    Value w = k.object("struct worker", worker);
                    long work = w.member("current_work").u64();
                    long func = w.member("current_func").u64();
                    String name = bt.symbolizer().lookup(func).map(n -> n.symbol() + (n.module() == null ? "" : " [" + n.module() + "]"))
                            .orElse(Hex.format(func));
                    String workName = bt.symbolizer().lookup(work).filter(n -> n.offset() == 0).map(n -> " (" + n.symbol() + ")").orElse("");
                    String pool = "";
                    String text = "work item " + Hex.format(work) + workName + ", function " + name;
                    f.add("kernel", "The crash ran in a workqueue worker: " + pbt.task().comm() + " was executing " + text + pool + ".",
                            "task->worker_private (struct kthread) ->data (struct worker) ->current_work and ->current_func");
                    return Optional.of("workqueue " + text);
                } catch (FaultException | IllegalArgumentException e) {
                    f.add("kernel", "The crash ran under process_one_work, but the worker cannot be read: " + e.getMessage(),
                            "task->worker_private");
                    return Optional.of("workqueue (worker unreadable)");
                }
            }
            if (fn.equals("call_timer_fn") || fn.equals("expire_timers") || fn.equals("__run_timers")) {
                int cpu = pbt.cpu();
                try {
                    long base = k.requireSymbol("timer_bases") + k.perCpuOffset(cpu);
                    var tb = k.type("struct timer_base");
                    for (int i = 0; i < 2; i++) {
                        long timer = k.object("struct timer_base", base + i * tb.size()).member("running_timer").u64();
                        if (timer == 0) {
                            continue;
                        }
                        long func = k.object("struct timer_list", timer).member("function").u64();
                        String name = bt.symbolizer().lookup(func).map(n -> n.symbol() + (n.module() == null ? "" : " [" + n.module() + "]"))
                                .orElse(Hex.format(func));
                        String tname = bt.symbolizer().lookup(timer).filter(n -> n.offset() == 0).map(n -> " (" + n.symbol() + ")").orElse("");
                        String text = "timer " + Hex.format(timer) + tname + ", function " + name;
                        f.add("kernel", "The crash ran in a timer callback on CPU " + cpu + ": " + text + ".",
                                "per-cpu timer_bases[" + i + "].running_timer->function");
                        return Optional.of(text);
                    }
                } catch (FaultException | IllegalArgumentException | IllegalStateException e) {
                    f.add("kernel", "The crash ran under " + fn + ", but the running timer cannot be read: " + e.getMessage(),
                            "per-cpu timer_bases");
                }
                return Optional.of("timer callback");
            }
        }
        return Optional.empty();
    }

    static String strip(String l) {
        return l.replaceFirst("^\\[\\s*\\d+\\.\\d+\\](\\[\\s*[TC]\\d+\\])?\\s*", "").strip();
    }

    static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
