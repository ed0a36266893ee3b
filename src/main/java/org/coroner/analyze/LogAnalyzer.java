package org.coroner.analyze;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.coroner.oops.FoundReport;
import org.coroner.oops.decode.AddressMeaning;
import org.coroner.oops.decode.DecodedOops;
import org.coroner.oops.decode.Hex;
import org.coroner.oops.report.DebugFiles;
import org.coroner.oops.report.OopsAnalyzer;
import org.coroner.oops.report.OopsReport;
import org.coroner.oops.report.SymbolizedFrame;

/**
 * {@code coroner analyze --log FILE}: the same verdict from a console log, with the evidence a log
 * can carry: the kernel's report decoded, its faulting access explained from the {@code Code:}
 * bytes, the registers and DWARF ({@code coroner oops}), hung and blocked tasks from their traces,
 * and, with the module's .ko, the locks their code takes ({@link ModuleLockCalls}).
 */
public final class LogAnalyzer {
    private static final Pattern HUNG = Pattern.compile("INFO: task (.+):(\\d+) blocked for more than (\\d+) seconds");
    private final Path path;
    private final DebugFiles debug;

    public LogAnalyzer(Path path, DebugFiles debug) {
        this.path = path;
        this.debug = debug;
    }

    public Analysis analyze() {
        KernelLog log;
        try {
            log = KernelLog.of(Files.readAllBytes(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> notes = new ArrayList<>();
        Optional<FoundReport> trigger = log.trigger();
        String panic = log.panic().orElse(null);
        Kind hint = TriggerKinds.of(trigger.orElse(null), panic);
        Finding f = new Finding(hint);
        OopsReport report = trigger.map(t -> new OopsAnalyzer(debug).analyze(1, t)).orElse(null);
        DecodedOops d = report == null ? null : report.decoded();
        trigger.ifPresent(t -> f.add("log", "The kernel reported: " + DumpAnalyzer.firstLine(t), "line " + t.startLine() + " of " + path));
        if (report != null && report.rip() != null && report.rip().function() != null) {
            f.location = location(report.rip());
        } else if (report != null && !report.frames().isEmpty()) {
            // no RIP (KASAN, lockdep, hung tasks): the frame the report's title blames, else the first reliable one
            String guilty = report.found().guiltyFrame();
            report.frames().stream().filter(SymbolizedFrame::reliable).filter(fr -> guilty != null && guilty.equals(fr.function()))
                    .findFirst().or(() -> report.frames().stream().filter(SymbolizedFrame::reliable).findFirst())
                    .ifPresent(fr -> f.location = location(fr));
        }
        boolean sysrq = log.lines().stream().anyMatch(l -> l.contains("sysrq_handle_crash"));
        if (hint == Kind.SYSRQ_TRIGGERED || sysrq) {
            f.kind = Kind.SYSRQ_TRIGGERED;
            f.confidence = Confidence.HIGH;
            log.grep("sysrq: ").forEach(l -> f.add("log", "The kernel logged: " + Verdicts.strip(l), "the log"));
            log.grep("sysrq_handle_crash").stream().findFirst().ifPresent(l -> f.add("log", "The crashing call trace has "
                    + Verdicts.strip(l) + ".", "the Call Trace in the log"));
            f.summary = "The crash was requested: SysRq 'c' (sysrq_handle_crash) panicked the kernel on purpose. Nothing failed.";
            // arm64 prints the lr of sysrq_handle_crash's noreturn call, the next function's first byte
            // (sysrq_reset_seq_param_set+0x0): its debug info places the call in sysrq_handle_crash
            f.location = report == null ? null : report.frames().stream().filter(fr -> "sysrq_handle_crash".equals(fr.function()))
                    .findFirst().map(LogAnalyzer::location)
                    .or(() -> report.frames().stream().map(this::noreturnCaller).flatMap(Optional::stream)
                            .filter(l -> "sysrq_handle_crash".equals(l.function())).findFirst())
                    .orElse(null);
            if (f.location != null && f.location.symbol() != null && !f.location.symbol().startsWith("sysrq_handle_crash")) {
                f.add("dwarf", "The Call trace's " + f.location.symbol() + " is the return address of sysrq_handle_crash's"
                        + " noreturn call to panic(): the byte before it is " + f.location.text() + ".",
                        "vmlinux DWARF at the return address - 1 (arm64 prints the lr, which is past the caller's end)");
            }
        } else if (hint == Kind.OUT_OF_MEMORY) {
            f.confidence = Confidence.HIGH;
            f.add("log", "Kernel panic - not syncing: " + panic, "the log");
            f.location = null; // memory ran out everywhere: no one place
            f.summary = "The kernel ran out of memory and panicked instead of killing a task"
                    + (panic != null && panic.contains("panic_on_oom") ? " because vm.panic_on_oom is set" : "") + ".";
        } else if (d != null && DumpAnalyzer.isFault(hint)) {
            fault(f, report, d, log);
        } else if (hint == Kind.STACK_OVERFLOW) {
            f.confidence = Confidence.MEDIUM;
            log.lines().stream().map(Verdicts::strip).filter(t -> t.contains("stack guard page was hit")
                    || t.contains("kernel stack overflow")).findFirst().ifPresent(t -> f.add("log", t, "the kernel's report"));
            Optional<String> rec = report == null ? Optional.empty() : Verdicts.recursion(report.frames().stream()
                    .filter(SymbolizedFrame::reliable).map(fr -> fr.function() == null ? "" : fr.function()).toList());
            rec.ifPresent(r -> f.add("log", r + " of the Call Trace: a recursion that did not stop filled the stack.",
                    "the report's Call Trace (frames without '?')"));
            f.summary = "The kernel stack" + (d != null && d.comm() != null ? " of " + d.comm() + " (pid " + d.pid() + ")" : "")
                    + " overflowed" + (f.location == null ? "" : " in " + f.location.text()) + rec.map(r -> " (" + r + ")").orElse("")
                    + ".";
        } else {
            hungTasks(f, log, hint, notes);
        }
        if (f.summary == null) {
            f.summary = trigger.map(DumpAnalyzer::firstLine).orElse("No crash report in the log") + ".";
        }
        if (f.evidence.isEmpty()) {
            f.add("log", trigger.isEmpty() ? "The log holds no crash report in a format the kernel prints."
                    : "The kernel's report says no more than its first line.", "every line of " + path);
        }
        if (debug == null) {
            notes.add("without --vmlinux and --modules the log's addresses are not explained from debug info");
        }
        if (report != null) {
            notes.addAll(report.notes());
        }
        List<Context.FrameInfo> frames = new ArrayList<>();
        if (report != null) {
            int i = 0;
            for (SymbolizedFrame sf : report.frames()) {
                if (sf.reliable()) {
                    frames.add(new Context.FrameInfo(i++, sf.kernelSpelling(), sf.module(), sf.file(), sf.line(), false, null));
                }
            }
        }
        Context.TaskRef task = d == null || d.comm() == null ? null : new Context.TaskRef(d.pid(), d.comm(), d.cpu(), null, null);
        String callback = trigger.map(t -> callback(t, report, f)).orElse(null);
        Context ctx = new Context(panic, trigger.map(DumpAnalyzer::firstLine).orElse(null), DumpAnalyzer.taint(d),
                execution(trigger.orElse(null)), callback, task, frames, null, blockedFromLog(log), List.of(), List.of(), log.tail(25));
        return new Analysis(path.toString(), "log", f.verdict(), List.copyOf(f.evidence), ctx, notes);
    }

    private static CodeLocation location(SymbolizedFrame rip) {
        // the innermost inlined function not in a header, else the frame's own function
        var inl = rip.inlined() == null ? null : rip.inlined().stream().filter(x -> !x.file().endsWith(".h")).findFirst().orElse(null);
        String fn = inl != null ? inl.function() : rip.function() == null ? null : rip.function().replaceFirst("\\..*$", "");
        String file = inl != null ? inl.file() : rip.file();
        Integer line = inl != null ? Integer.valueOf(inl.line()) : rip.line();
        return new CodeLocation(fn, rip.kernelSpelling(), file, line, rip.module(), rip.address() == null ? null : Hex.format(rip.address()));
    }

    /**
     * A return address at a vmlinux function's first byte ({@code sysrq_reset_seq_param_set+0x0}) is
     * the lr of a noreturn call that ended the function before it: that function, from DWARF at the
     * byte before.
     */
    private Optional<CodeLocation> noreturnCaller(SymbolizedFrame fr) {
        if (debug == null || debug.vmlinuxSymbolizer() == null || fr.module() != null || fr.function() == null
                || fr.offset() == null || fr.offset() != 0 || !fr.reliable()) {
            return Optional.empty();
        }
        var sym = debug.vmlinuxSymbolizer();
        var res = sym.resolve(fr.function(), 0, fr.size() == null ? 0 : fr.size());
        if (res.mismatch() != null) {
            return Optional.empty();
        }
        return sym.locate(res.address() - 1).map(l -> {
            var in = l.frames().stream().filter(x -> !x.file().endsWith(".h")).findFirst().orElse(l.innermost());
            return new CodeLocation(in.function(), fr.kernelSpelling(), in.file(), in.line() > 0 ? in.line() : null, null,
                    fr.address() == null ? null : Hex.format(fr.address()));
        });
    }

    private void fault(Finding f, OopsReport r, DecodedOops d, KernelLog log) {
        f.confidence = Confidence.MEDIUM;
        AddressMeaning m = d.addressMeaning();
        if (d.address() != null && m != null) {
            f.add("log", "The faulting address " + Hex.format(d.address()) + ": " + m.summary() + ".",
                    "the report's " + (d.addressSource() == null ? "fault line" : d.addressSource()) + ", classified");
            if (m.has(AddressMeaning.Kind.NULL_POINTER)) {
                f.kind = Kind.NULL_POINTER_DEREFERENCE;
            } else if (m.findings().stream().anyMatch(x -> x.name() != null && x.name().startsWith("LIST_POISON"))) {
                f.kind = Kind.USE_AFTER_LIST_DEL;
            } else if (m.has(AddressMeaning.Kind.SLAB_POISON)) {
                f.kind = Kind.USE_AFTER_FREE;
            } else if (f.kind == Kind.NULL_POINTER_DEREFERENCE) {
                f.kind = Kind.BAD_POINTER_DEREFERENCE;
            }
        }
        var fx = r.fault();
        if (fx != null) {
            for (String e : fx.evidence()) {
                f.add(e.startsWith("DWARF") ? "dwarf" : "code", e, "the report's Code: bytes and registers with "
                        + (r.rip() != null && r.rip().debugInfo() != null ? r.rip().debugInfo() : "debug info"));
            }
        }
        String where = f.location == null ? "" : " in " + f.location.text();
        switch (f.kind) {
            case NULL_POINTER_DEREFERENCE -> {
                f.confidence = fx != null && fx.heldBy() != null ? Confidence.HIGH : Confidence.MEDIUM;
                f.summary = (fx != null && fx.heldBy() != null ? "The pointer " + fx.heldBy() + " is NULL" : "A NULL pointer")
                        + (fx != null && fx.access() != null ? " and " + fx.access() + " (" + fx.accessType() + ") was accessed through it"
                        : " was dereferenced") + where + ".";
            }
            case USE_AFTER_LIST_DEL -> {
                Optional<String> entry = listEntry(r, d.address(), f);
                f.summary = "A list entry was used after list_del(): " + entry.orElse("the code followed a poisoned list"
                        + " pointer (" + Hex.format(d.address()) + ")") + where + ".";
            }
            case USE_AFTER_FREE -> f.summary = r.found().title().startsWith("KASAN") || r.found().title().startsWith("KFENCE")
                    ? "The code accessed freed memory (" + r.found().title() + ")" + where + "."
                    : "A pointer read from freed slab memory was dereferenced" + where + ".";
            default -> {
            }
        }
        if (f.kind == Kind.USE_AFTER_FREE || f.kind == Kind.DOUBLE_FREE) {
            tracks(f, log);
        }
        switch (f.kind) {
            case NULL_POINTER_DEREFERENCE, USE_AFTER_LIST_DEL, USE_AFTER_FREE -> {
            }
            case BUG_ON, WARNING, LIST_CORRUPTION, DOUBLE_FREE -> {
                f.confidence = Confidence.HIGH;
                log.lines().stream().map(Verdicts::strip).filter(t -> t.startsWith("kernel BUG at ") || t.startsWith("WARNING: "))
                        .findFirst().ifPresent(t -> f.add("log", t, "the kernel's report"));
                f.kind = Verdicts.refine(f.kind, f.location, log);
                CodeLocation check = f.location;
                if (f.kind == Kind.LIST_CORRUPTION || f.kind == Kind.DOUBLE_FREE) {
                    // the check that fired is the kernel's; the code at fault called list_del()/kfree()
                    // past the last frame of the kernel's checks (the report's own frames come before it)
                    List<SymbolizedFrame> rel = r.frames().stream().filter(SymbolizedFrame::reliable).toList();
                    int after = 0;
                    for (int i = 0; i < rel.size(); i++) {
                        if (Verdicts.checkerFile(rel.get(i).file())) {
                            after = i + 1;
                        }
                    }
                    rel.subList(after, rel.size()).stream().filter(fr -> fr.file() != null
                            && !Verdicts.checkerFile(fr.file())).findFirst().ifPresent(fr -> {
                                // a return address: the line of the call is at address - 1 (a module frame's, from its .ko)
                                CodeLocation call = fr.module() != null && debug != null
                                        ? new ModuleLockCalls(debug).siteLocation(fr.kernelSpelling()) : null;
                                f.location = call != null && call.file() != null ? call : location(fr);
                                f.add("log", "The first caller outside the allocator and list debugging is " + fr.kernelSpelling()
                                        + ".", "the report's Call Trace (frames without '?')");
                            });
                    log.lines().stream().map(Verdicts::strip).filter(t -> t.contains("list_add corruption")
                            || t.contains("list_del corruption")).findFirst().ifPresent(t -> f.add("log", t, "CONFIG_DEBUG_LIST's check"));
                }
                boolean slubDebug = log.lines().stream().anyMatch(l -> l.contains("Object already free"));
                String by = check != f.location && check != null && Verdicts.checkerFile(check.file()) ? " (the check in "
                        + check.function() + "() at " + check.file() + ":" + check.line() + ")"
                        : slubDebug ? " (SLUB's debug checks, slub_debug=F: Object already free)" : "";
                f.summary = switch (f.kind) {
                    case WARNING -> "A WARN() condition fired and panic_on_warn made it fatal" + where + ".";
                    case LIST_CORRUPTION -> "List debugging found a corrupted list (pointers that do not point back)"
                            + (f.location == null ? "" : " in " + f.location.text()) + by + ".";
                    case DOUBLE_FREE -> "A slab object was freed twice: the free" + (f.location == null ? ""
                            : " from " + f.location.text()) + " found it already free" + by + ".";
                    default -> "A BUG_ON() assertion failed" + where + ".";
                };
            }
            default -> f.summary = "A bad pointer (" + (d.address() == null ? "?" : Hex.format(d.address())) + ") was dereferenced"
                    + where + ".";
        }
    }

    /**
     * Which struct and list member a LIST_POISON1 address came from, by DWARF offsets alone (a log has
     * no memory): a pointer variable live at the fault whose struct has a list_head at +O such that
     * the address is LIST_POISON1 - O + K with K inside the struct (list_next_entry of a deleted entry).
     */
    private Optional<String> listEntry(OopsReport r, long address, Finding f) {
        if (debug == null || r.rip() == null || r.rip().function() == null || r.rip().offset() == null) {
            return Optional.empty();
        }
        Optional<org.coroner.dwarf.Symbolizer> sym = r.rip().module() != null ? debug.module(r.rip().module())
                : Optional.ofNullable(debug.vmlinuxSymbolizer());
        if (sym.isEmpty()) {
            return Optional.empty();
        }
        var s = sym.get();
        var res = s.resolve(r.rip().function(), r.rip().offset(), r.rip().size() == null ? 0 : r.rip().size());
        if (res.mismatch() != null || res.address() == -1) { // -1: not resolved (a vmlinux address is negative)
            return Optional.empty();
        }
        final long poison1 = 0xdead000000000100L;
        for (var v : org.coroner.dwarf.loc.Variables.at(s, res.address())) {
            var struct = org.coroner.dwarf.loc.TypeNames.pointee(s, v.typeDie());
            if (struct.isEmpty()) {
                continue;
            }
            long size = org.coroner.dwarf.loc.TypeNames.size(s, struct.get());
            for (long o = 0; o + 16 <= size; o += 8) {
                var m = org.coroner.dwarf.loc.TypeNames.memberAt(s, struct.get(), o);
                if (m.isEmpty() || m.get().offset() != o) {
                    continue;
                }
                String mt = org.coroner.dwarf.loc.TypeNames.cName(s, m.get().type());
                boolean head = mt.equals("struct list_head") || mt.equals("struct hlist_node");
                if (!head && !(m.get().path().endsWith(".next") && mt.endsWith(" *"))) {
                    continue;
                }
                long k = address - poison1 + o;
                if (k < 0 || k >= size) {
                    continue;
                }
                String list = head ? m.get().path() : m.get().path().substring(0, m.get().path().length() - 5);
                String sname = org.coroner.dwarf.loc.TypeNames.cName(s, struct.get());
                var acc = org.coroner.dwarf.loc.TypeNames.memberAt(s, struct.get(), k);
                String vtype = org.coroner.dwarf.loc.TypeNames.cName(s, v.typeDie());
                List<String> candidates = org.coroner.dwarf.loc.Variables.at(s, res.address()).stream()
                        .filter(x -> org.coroner.dwarf.loc.TypeNames.cName(s, x.typeDie()).equals(vtype))
                        .map(org.coroner.dwarf.loc.Variables.Variable::name).distinct().toList();
                f.add("dwarf", Hex.format(address) + " = LIST_POISON1 - " + Hex.format(o) + " + " + Hex.format(k) + ": " + sname
                                + " has its list_head '" + list + "' at +" + Hex.format(o) + " and '"
                                + acc.map(org.coroner.dwarf.loc.TypeNames.Member::path).orElse("?") + "' at +" + Hex.format(k)
                                + ": list_next_entry(entry, " + list + ") of an entry list_del() had poisoned; " + vtype
                                + " variables in scope: " + String.join(", ", candidates) + ".",
                        "DWARF offsets of " + sname + " and the variables at the faulting pc (a log has no memory: which"
                                + " entry it was, the dump tells)");
                return Optional.of("an entry of " + sname + " (list member " + list + ") had been deleted with list_del()"
                        + " and was followed: list_next_entry() of it is LIST_POISON1 - " + Hex.format(o)
                        + ", whose " + acc.map(org.coroner.dwarf.loc.TypeNames.Member::path).orElse("member") + " was read");
            }
        }
        return Optional.empty();
    }

    private static final Pattern TRACK = Pattern.compile("(Freed|Allocated) by task (\\d+)");
    /** SLUB's own track (mm/slub.c print_track): {@code Freed in FUNC+0x34/0x52 [mod] age=0 cpu=1 pid=90}. */
    private static final Pattern SLUB_TRACK = Pattern.compile("^(Freed|Allocated) in (\\S+(?: \\[\\w+\\])?) age=(\\d+) cpu=(\\d+) pid=(\\d+)");
    private static final Pattern OBJECT = Pattern.compile("belongs to the object at ([0-9a-f]+)|belongs to the cache (\\S+) of size (\\d+)");

    /** KASAN's and SLUB's own words on the object: which cache, who allocated and freed it, with the stacks. */
    static void tracks(Finding f, KernelLog log) {
        List<String> lines = log.lines();
        String cache = null;
        for (int i = 0; i < lines.size(); i++) {
            String t = Verdicts.strip(lines.get(i));
            Matcher m = TRACK.matcher(t);
            if (m.find() && t.startsWith(m.group(0))) {
                List<String> stack = new ArrayList<>();
                for (int j = i + 1; j < lines.size() && j < i + 40; j++) {
                    String fr = Verdicts.strip(lines.get(j));
                    if (!fr.matches("[A-Za-z_][\\w.]*\\+0x[0-9a-f]+/0x[0-9a-f]+( \\[\\w+\\])?")) {
                        break;
                    }
                    if (!fr.startsWith("save_stack") && !fr.startsWith("kasan_") && !fr.startsWith("__kasan")
                            && !fr.startsWith("kasan_save") && !fr.startsWith("stack_trace_save")) {
                        stack.add(fr);
                    }
                }
                f.add("log", m.group(1) + " by task " + m.group(2) + (stack.isEmpty() ? " (no stack recorded)" : ": "
                        + String.join(" < ", stack.subList(0, Math.min(8, stack.size())))) + ".",
                        "the report's " + m.group(1).toLowerCase() + " track (KASAN or slub_debug=U)");
            }
            Matcher st = SLUB_TRACK.matcher(t);
            if (st.find()) {
                f.add("log", st.group(1) + " in " + st.group(2) + " by pid " + st.group(5) + " on CPU " + st.group(4) + " ("
                        + st.group(3) + " jiffies before the report).", "SLUB's " + st.group(1).toLowerCase() + " track"
                        + " (slub_debug=U) in its report");
            }
            Matcher o = OBJECT.matcher(t);
            if (o.find() && o.group(2) != null && cache == null) {
                cache = o.group(2);
                f.add("log", "The object is in cache " + cache + " (" + o.group(3) + "-byte objects).", "the report's object"
                        + " description");
            }
        }
    }

    /** Hung tasks and lockups: the tasks the log names, what their traces show they wait in, the locks their code takes. */
    private void hungTasks(Finding f, KernelLog log, Kind hint, List<String> notes) {
        List<Context.BlockedTask> blocked = blockedFromLog(log);
        for (Context.BlockedTask b : blocked) {
            f.add("log", b.task().text() + " was blocked for more than " + b.blockedSeconds().intValue() + " s in " + b.waitsIn() + ".",
                    "the hung-task report and its Call Trace in the log");
        }
        ModuleLockCalls calls = debug == null ? null : new ModuleLockCalls(debug);
        List<ModuleLockCalls.Waiter> waiters = waiters(log);
        if (calls != null && !waiters.isEmpty()) {
            Optional<ModuleLockCalls.Cycle> cycle = calls.cycle(waiters, f);
            if (cycle.isPresent()) {
                f.kind = calls.spin ? Kind.SPINLOCK_DEADLOCK : Kind.MUTEX_DEADLOCK;
                f.confidence = Confidence.MEDIUM;
                f.summary = "Deadlock (" + (calls.spin ? "spinlocks" : "sleeping locks") + ", ABBA): " + cycle.get().text()
                        + ". Neither can go on.";
                f.location = cycle.get().location();
                return;
            }
        }
        if (calls == null) {
            notes.add("the locks these tasks wait for are named from the module's code: give --modules DIR with its .ko");
        }
        if (calls != null && !blocked.isEmpty() && blocked.get(0).waitsIn() != null && !blocked.get(0).waitsIn().equals("?")) {
            // no cycle: the hang is where the first hung task went to sleep
            f.location = calls.siteLocation(blocked.get(0).waitsIn());
        }
        if (waiters.isEmpty() && (hint == Kind.SOFT_LOCKUP || hint == Kind.HARD_LOCKUP || hint == Kind.RCU_STALL)) {
            Stalls.explainLog(f, log, calls == null ? null : calls::siteLocation);
            return;
        }
        f.summary = hint.title() + (blocked.isEmpty() ? "" : ": " + String.join("; ", blocked.stream()
                .map(b -> b.task().text() + " in " + b.waitsIn()).toList())) + ".";
        f.confidence = Confidence.LOW;
        if (calls != null && hint == Kind.HUNG_TASK) {
            Optional<ModuleLockCalls.LogHolder> held = calls.holder(log, f);
            if (held.isPresent()) {
                // the holder never releases it: where it is, as from a dump, is the cause
                f.summary = f.summary.substring(0, f.summary.length() - 1) + "; " + held.get().text() + ".";
                f.location = held.get().at();
                f.confidence = Confidence.MEDIUM;
            }
        }
    }

    private static final Pattern CPU_LINE = Pattern.compile("CPU: (\\d+) PID: (\\d+) Comm: (\\S+)");
    private static final Pattern RIP_LINE = Pattern.compile("RIP: 0010:(\\S+)");
    private static final Pattern REG = Pattern.compile("\\b(RAX|RBX|RCX|RDX|RSI|RDI|RBP|R0[89]|R1[0-5]): ([0-9a-f]{16})");

    /** Hung tasks with their traces, and every CPU backtrace whose trace spins in a spinlock slow path. */
    static List<ModuleLockCalls.Waiter> waiters(KernelLog log) {
        List<ModuleLockCalls.Waiter> out = new ArrayList<>();
        List<String> lines = log.lines();
        for (int i = 0; i < lines.size(); i++) {
            Matcher h = HUNG.matcher(lines.get(i));
            if (h.find()) {
                int pid = Integer.parseInt(h.group(2));
                out.add(new ModuleLockCalls.Waiter(new Context.TaskRef(pid, h.group(1), null, null, "UN"), LogTraces.trace(lines, i)));
                continue;
            }
            Matcher c = CPU_LINE.matcher(lines.get(i));
            if (c.find()) {
                List<String> trace = LogTraces.trace(lines, i);
                boolean ripSpins = lines.subList(i, Math.min(lines.size(), i + 6)).stream()
                        .anyMatch(l -> (l.contains("RIP: 0010:") || l.contains("pc : ")) && l.contains("_lock_slowpath"));
                if (ripSpins || trace.stream().anyMatch(fr -> LogTraces.function(fr).contains("_lock_slowpath")
                        || LogTraces.function(fr).matches("_raw_(spin|read|write)_lock.*"))) {
                    // the registers the report printed for this CPU (its RIP line and the register lines after it)
                    String rip = null;
                    java.util.Map<String, Long> regs = new java.util.HashMap<>();
                    for (String l : lines.subList(i, Math.min(lines.size(), i + 12))) {
                        Matcher rm = RIP_LINE.matcher(l);
                        if (rm.find() && rip == null) {
                            rip = rm.group(1);
                        }
                        Matcher g = REG.matcher(l);
                        while (g.find() && rip != null) {
                            regs.putIfAbsent(g.group(1).toLowerCase(java.util.Locale.ROOT).replace("r0", "r"),
                                    Long.parseUnsignedLong(g.group(2), 16));
                        }
                    }
                    out.add(new ModuleLockCalls.Waiter(new Context.TaskRef(Integer.parseInt(c.group(2)), c.group(3),
                            Integer.parseInt(c.group(1)), null, "RU"), trace, rip, regs));
                }
            }
        }
        return out;
    }

    /** The tasks the hung-task detector named, with the first frame of their trace outside the scheduler. */
    static List<Context.BlockedTask> blockedFromLog(KernelLog log) {
        List<Context.BlockedTask> out = new ArrayList<>();
        List<String> lines = log.lines();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = HUNG.matcher(lines.get(i));
            if (!m.find()) {
                continue;
            }
            String comm = m.group(1);
            int pid = Integer.parseInt(m.group(2));
            if (out.stream().anyMatch(b -> b.task().pid() == pid)) {
                continue;
            }
            List<String> trace = LogTraces.trace(lines, i);
            String in = trace.stream().filter(fr -> !LogTraces.isScheduler(fr)).findFirst().orElse("?");
            out.add(new Context.BlockedTask(new Context.TaskRef(pid, comm, null, null, "UN"), in, null, null,
                    Double.valueOf(m.group(3)), "the hung-task detector's report"));
        }
        return out;
    }

    /** The crash's context from its own report: an interrupt section of the trace, softirq frames in it. */
    private static Context.Execution execution(FoundReport r) {
        if (r == null) {
            return null;
        }
        boolean irq = false;
        boolean softirq = false;
        boolean nmi = false;
        boolean df = false;
        for (String l : r.lines()) {
            String t = Verdicts.strip(l);
            irq |= t.equals("<IRQ>");
            nmi |= t.equals("<NMI>");
            df |= t.equals("<#DF>");
            softirq |= t.startsWith("handle_softirqs+") || t.startsWith("__do_softirq+") || t.startsWith("run_timer_softirq+")
                    || t.equals("<SOFTIRQ>");
        }
        if (df) {
            // exc_double_fault runs as an NMI-like entry (irqentry_nmi_enter) on its own IST stack
            return new Context.Execution("NMI", "the report's Call Trace has a <#DF> section: the double-fault handler,"
                    + " entered like an NMI");
        }
        if (nmi) {
            return new Context.Execution("NMI", "the report's Call Trace has an <NMI> section");
        }
        if (irq) {
            return new Context.Execution(softirq ? "softirq" : "hardirq", "the report's Call Trace has an <IRQ> section"
                    + (softirq ? " with softirq frames (handle_softirqs, __do_softirq)" : ""));
        }
        return new Context.Execution("process", "the report's Call Trace has no interrupt section");
    }

    /** The workqueue item ({@code Workqueue: events lab_work_fn}) or timer callback the crash ran in. */
    private static String callback(FoundReport r, OopsReport report, Finding f) {
        for (String l : r.lines()) {
            String t = Verdicts.strip(l);
            if (LogTraces.isTraceHeader(t)) {
                break; // the crashing task's header ends here; later Workqueue: lines are other tasks'
            }
            if (t.startsWith("Workqueue: ") && !t.contains(" 0x0 ")) {
                f.add("log", "The crash ran in a workqueue worker: " + t + ".", "the report's Workqueue: line (the worker's"
                        + " workqueue and current function)");
                return "workqueue " + t.substring("Workqueue: ".length());
            }
        }
        boolean timer = r.lines().stream().map(Verdicts::strip).anyMatch(t -> t.startsWith("call_timer_fn+"));
        if (timer && report != null && report.rip() != null && report.rip().function() != null) {
            f.add("log", "The crash ran in a timer callback: call_timer_fn called " + report.rip().kernelSpelling() + ".",
                    "the report's Call Trace (call_timer_fn under the timer softirq) and RIP");
            return "timer callback " + report.rip().function() + (report.rip().module() == null ? "" : " [" + report.rip().module() + "]");
        }
        return null;
    }
}
