package org.coroner.analyze;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.coroner.arch.SavedRegisters;
import org.coroner.disasm.Instruction;
import org.coroner.disasm.MemoryOperand;
import org.coroner.disasm.RegisterEffect;
import org.coroner.dwarf.Die;
import org.coroner.dwarf.Symbolizer;
import org.coroner.dwarf.loc.FrameVariables;
import org.coroner.dwarf.loc.TypeNames;
import org.coroner.dwarf.loc.Variables;
import org.coroner.kernel.mm.SlabLookup;
import org.coroner.kernel.mm.SlabObject;
import org.coroner.kernel.stack.Backtracer;
import org.coroner.kernel.stack.TaskTrace;
import org.coroner.memory.FaultException;
import org.coroner.oops.decode.AddressClassifier;
import org.coroner.oops.decode.AddressMeaning;
import org.coroner.oops.decode.AddressSpace;
import org.coroner.oops.decode.Arch;
import org.coroner.oops.decode.Hex;
import org.coroner.session.DebugInfo;
import org.coroner.session.Session;

/**
 * A fault (page fault, general protection fault, BUG/WARN trap) read from the dump: the exception
 * frame the CPU saved, the faulting instruction decoded from the function's code in memory, the
 * source expression of the pointer from DWARF, and what the address means (NULL plus a member
 * offset, a list poison, slab poison, a slab object).
 */
final class DumpFault {
    private static final long LIST_POISON1 = 0xdead000000000100L;
    private static final long LIST_POISON2 = 0xdead000000000122L;

    private final Session s;
    private final DebugInfo debug;
    private final Backtracer bt;

    DumpFault(Session s) {
        this.s = s;
        this.debug = s.debugInfo();
        this.bt = s.backtracer();
    }

    /** The first kernel-mode exception frame of a backtrace and the exception's entry symbol. */
    record Trap(TaskTrace.TraceFrame frame, String entry, int index) {
    }

    static Optional<Trap> trap(Backtracer bt, List<TaskTrace.TraceFrame> frames) {
        for (int i = 0; i < frames.size(); i++) {
            TaskTrace.TraceFrame f = frames.get(i);
            if (f.isException() && !f.isUserRegs()) {
                String entry = i > 0 ? bt.symbolizer().function(frames.get(i - 1).pc()) : "?";
                return Optional.of(new Trap(f, entry, i));
            }
        }
        return Optional.empty();
    }

    CodeLocation location(long address) {
        var name = bt.symbolizer().lookup(address);
        // the innermost frame not in a header: spin_lock() inlined from spinlock.h says less than its caller
        var frame = debug.locate(address).map(l -> l.frames().stream().filter(x -> !x.file().endsWith(".h")).findFirst()
                .orElse(l.innermost()));
        // a pc whose line the DWARF has but no subprogram (GCC leaves some out): the symbol's name, without
        // its .constprop/.isra clone suffixes
        String fn = frame.map(x -> x.function()).filter(f -> !f.equals("??"))
                .orElse(name.map(n -> n.symbol().replaceFirst("\\..*$", "")).orElse(null));
        String file = frame.map(x -> x.file()).filter(f -> !f.equals("??")).orElse(null);
        Integer line = frame.map(x -> x.line()).filter(x -> x > 0).orElse(null);
        return new CodeLocation(fn, name.map(n -> n.kernel()).orElse(null), file, line, name.map(n -> n.module()).orElse(null),
                Hex.format(address));
    }

    /** The instruction set of the dump's kernel. */
    org.coroner.disasm.Arch arch() {
        return s.isArm64() ? org.coroner.disasm.Arch.ARM64 : org.coroner.disasm.Arch.X86_64;
    }

    /** The function's code in memory up to {@code pc}, with its DWARF. */
    Optional<FunctionCode> code(long pc) {
        var name = bt.symbolizer().lookup(pc);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        var fa = debug.fileAddress(pc);
        Symbolizer dw = fa.map(DebugInfo.FileAddress::symbolizer).orElse(null);
        long delta = fa.map(x -> pc - x.address()).orElse(0L);
        return FunctionCode.read(s.kernel().memory(), name.get().symbol(), name.get().module(), name.get().symbolAddress(), pc,
                dw, delta, arch());
    }

    /**
     * Explains a memory-access fault. {@code reported} is the faulting address as the kernel printed it
     * (CR2 of a page fault), or null (a general protection fault prints none).
     */
    Finding explain(Trap trap, Long reported, Kind hint) {
        return explain(trap, reported, hint, null);
    }

    /**
     * As {@link #explain(Trap, Long, Kind)}; {@code callerReturn} is the return address of the
     * faulting function's caller (the frame after the exception frame), or null: where an argument
     * register the faulting code dereferences came from, when the function did not set it.
     */
    Finding explain(Trap trap, Long reported, Kind hint, Long callerReturn) {
        Finding f = new Finding(hint);
        SavedRegisters r = trap.frame().regs();
        Map<String, Long> regs = r.named();
        long rip = r.pc();
        f.location = location(rip);
        f.add("register", "The CPU took " + exceptionName(trap.entry()) + " at " + r.pcName() + " " + Hex.format(rip) + " ("
                        + bt.symbolizer().lookup(rip).map(n -> n.kernel()).orElse("no symbol") + ").",
                "exception frame (struct pt_regs) at " + Hex.format(trap.frame().regsAddress()) + " on the task's stack, saved by "
                        + trap.entry());
        if (bt.symbolizer().lookup(rip).isEmpty() || Long.compareUnsigned(rip, 0x1000) < 0) {
            return badCall(f, r, regs, reported);
        }
        Optional<FunctionCode> oc = code(rip);
        if (oc.isEmpty()) {
            f.add("memory", "The code at RIP could not be read or decoded from the dump.", "read of " + Hex.format(rip));
            classify(f, reported, regs, null, null, null, r);
            return f;
        }
        FunctionCode code = oc.get();
        Instruction fi = code.last();
        f.add("code", "The faulting instruction is " + fi.text() + " at " + code.at(fi) + ".",
                "decoded from " + code.symbol() + "'s first byte in the dump's memory");
        Optional<MemoryOperand> mo = MemoryOperand.of(fi);
        if (mo.isEmpty() && code.arch().isX86()) {
            // AT&T writes an absolute memory operand as a bare number ("addq $0x1,0x8")
            for (String op : RegisterEffect.operands(code.arch(), fi)) {
                if (op.matches("-?0x[0-9a-f]+")) {
                    mo = Optional.of(new MemoryOperand(null, SourceTrace.parseImm(op), null, null, 1));
                }
            }
        }
        Long effective = null;
        SourceTrace trace = null;
        SourceTrace.Expr pointer = null;
        Optional<SourceTrace.Access> access = Optional.empty();
        if (mo.isPresent() && mo.get().base() != null && !mo.get().ripRelative()) {
            SourceTrace t = new SourceTrace(code, f.evidence);
            String base = t.wide(mo.get().base());
            var ea = mo.get().address(n -> regs.get(t.wide(n)));
            if (ea.isPresent()) {
                effective = ea.getAsLong();
                // AT&T as objdump writes it (0x0(%rax) included); arm64 as [x2, #0x8]
                f.add("register", "It accesses " + (code.arch().isX86() ? Hex.format(mo.get().displacement()) + "(%" + base + ")"
                        : t.memoryText(mo.get().displacement(), base)) + " = " + Hex.format(effective) + ": "
                        + code.reg(base) + " = " + Hex.format(regs.get(base)) + ".", "the exception frame's registers");
            }
            if (mo.get().index() == null) {
                trace = t;
                pointer = trace.value(base, code.lastIndex(), 0);
                access = trace.access(pointer, mo.get().displacement());
                if (pointer.text() == null && pointer.constant() == null && callerReturn != null) {
                    Optional<FunctionCode> caller = callerUpToCall(callerReturn);
                    if (caller.isPresent() && ARGUMENTS.contains(base) && notWritten(code, base)) {
                        SourceTrace ct = new SourceTrace(caller.get(), f.evidence);
                        SourceTrace.Expr arg = ct.value(base, caller.get().lastIndex(), 0);
                        if (arg.text() != null) {
                            f.add("code", code.reg(base) + " is an argument: " + caller.get().at(caller.get().last()) + " passed "
                                    + arg.text() + " in it (" + caller.get().last().text() + ").",
                                    "the caller's code decoded from memory up to its call, the frame after the exception frame");
                            pointer = arg;
                            access = ct.access(pointer, mo.get().displacement());
                        }
                    }
                }
            }
        }
        if (mo.isPresent() && mo.get().base() == null && mo.get().index() == null && code.dwarf() != null) {
            // an absolute operand: the compiler folded a known-NULL pointer into the displacement
            Optional<SourceTrace.Expr> n = nullPointerVariable(code, mo.get().displacement(), r, f);
            if (n.isPresent()) {
                pointer = n.get();
                access = new SourceTrace(code, f.evidence).access(pointer, mo.get().displacement());
            }
        }
        if (reported != null && effective != null && reported.longValue() != effective.longValue()) {
            f.add("register", "The kernel reported the fault at " + Hex.format(reported) + ", not at the operand's "
                    + Hex.format(effective) + ".", "the log's fault line against the exception frame");
        }
        classify(f, reported != null ? reported : effective, regs, pointer, access.orElse(null), code, r);
        // use after free: what the faulting code dereferenced, or a pointer variable live at the fault, in a free object
        Map<String, Long> used = new LinkedHashMap<>();
        if (trace != null) {
            for (var b : trace.bases.entrySet()) {
                if (trace.unchangedSince(b.getKey(), b.getValue()) && regs.get(b.getKey()) != null) {
                    used.put(code.reg(b.getKey()) + " (a base register of the faulting code)", regs.get(b.getKey()));
                }
            }
        }
        if (mo.isPresent() && mo.get().base() != null) {
            String base = RegisterEffect.wide(code.arch(), mo.get().base());
            used.putIfAbsent(code.reg(base) + " (the faulting instruction's base register)", regs.get(base));
        }
        if (code.dwarf() != null) {
            long pc = code.filePc(fi);
            for (Variables.Variable v : Variables.at(code.dwarf(), pc)) {
                if (TypeNames.pointee(code.dwarf(), v.typeDie()).isPresent()) {
                    variableValue(code.dwarf(), pc, v, r).ifPresent(val -> used.putIfAbsent((v.parameter() ? "parameter '" : "variable '")
                            + v.name() + "' (" + TypeNames.cName(code.dwarf(), v.typeDie()) + ", DWARF location at the fault)", val));
                }
            }
        }
        freed(f, used);
        return f;
    }

    private static final java.util.Set<String> ARGUMENTS = java.util.Set.of("rdi", "rsi", "rdx", "rcx", "r8", "r9");

    private static boolean notWritten(FunctionCode code, String reg) {
        for (int i = 0; i < code.lastIndex(); i++) {
            if (RegisterEffect.writes(code.arch(), code.instructions().get(i), reg)) {
                return false;
            }
        }
        return true;
    }

    /** The caller's code up to (and ending with) the call that returns to {@code returnAddress}. */
    private Optional<FunctionCode> callerUpToCall(long returnAddress) {
        Optional<FunctionCode> upTo = code(returnAddress);
        if (upTo.isEmpty() || upTo.get().instructions().size() < 2) {
            return Optional.empty();
        }
        List<Instruction> ins = upTo.get().instructions();
        Instruction call = ins.get(ins.size() - 2);
        FunctionCode c = upTo.get();
        if (!RegisterEffect.isCall(c.arch(), call) || call.end() != returnAddress) {
            return Optional.empty();
        }
        return Optional.of(new FunctionCode(c.symbol(), c.module(), c.start(), List.copyOf(ins.subList(0, ins.size() - 1)),
                c.dwarf(), c.delta(), c.arch()));
    }

    private Finding badCall(Finding f, SavedRegisters r, Map<String, Long> regs, Long reported) {
        long rip = r.pc();
        String pcName = r.pcName();
        f.add("register", pcName + " " + Hex.format(rip) + " is not in any kernel code: the CPU jumped or called there"
                + (rip == 0 ? " through a NULL function pointer" : " through a bad pointer") + ".",
                "symbol lookup of " + pcName + " in vmlinux and every loaded module");
        try {
            // the caller's return address: in the link register (arm64), else on top of the stack
            boolean link = r.link().isPresent();
            long ret = link ? r.link().getAsLong() : s.kernel().memory().u64(r.sp());
            bt.symbolizer().frame(ret, true).ifPresent(n -> f.add(link ? "register" : "memory", "The return address "
                    + (link ? "in the link register" : "on top of the stack") + " is "
                    + n.kernel() + (n.module() == null ? "" : " [" + n.module() + "]")
                    + ": the call came from there, or from a function it called that tail-called on.",
                    link ? "x30 in the exception frame" : "8 bytes at RSP " + Hex.format(r.sp())));
            if (bt.symbolizer().lookup(ret).isPresent()) {
                // the call: arm64's blr is the 4 bytes before the return address; an x86_64 call
                // varies in length, and ret - 1 is inside it
                long call = link ? ret - 4 : ret - 1;
                f.location = location(call);
                calledThrough(f, call, r);
            }
        } catch (FaultException e) {
            f.add("memory", "The word at RSP cannot be read: " + e.getMessage(), "read of " + Hex.format(r.sp()));
        }
        classify(f, rip, regs, null, null, null, r);
        Map<String, Long> args = new LinkedHashMap<>();
        for (String a : r.arguments()) {
            args.put(r.display(a) + " (argument register)", regs.get(a));
        }
        freed(f, args);
        return f;
    }

    /**
     * Which function the caller called: its function-pointer variables at the call, from DWARF, with
     * the callee-saved registers of the exception frame (nothing between the call and the fault
     * needs to have kept them: the evidence says so).
     */
    private void calledThrough(Finding f, long call, SavedRegisters r) {
        var fa = debug.fileAddress(call);
        if (fa.isEmpty()) {
            return;
        }
        Symbolizer dw = fa.get().symbolizer();
        long pc = fa.get().address();
        var numbering = r.numbering();
        java.util.function.Predicate<String> calleeSaved = n -> numbering.number(n) >= 0 && numbering.number(n) != numbering.stackPointer()
                && numbering.calleeSaved(numbering.number(n));
        for (FrameVariables.Value v : debug.variablesAt(new org.coroner.session.DebugInfo.FileAddress(dw, pc), r, calleeSaved)) {
            if (v.value().isEmpty()) {
                continue;
            }
            // a function pointer: its value is the first byte of a function with debug info
            var target = bt.symbolizer().lookup(v.value().getAsLong()).filter(n -> n.offset() == 0)
                    .filter(n -> debug.locate(v.value().getAsLong()).isPresent());
            if (target.isPresent()) {
                f.add("dwarf", "At that call, " + (v.parameter() ? "parameter '" : "variable '") + v.name() + "' (" + v.type() + ") = "
                                + target.get().symbol() + (target.get().module() == null ? "" : " [" + target.get().module() + "]")
                                + ": the call went there, and from there (through tail calls) to " + Hex.format(r.pc()) + ".",
                        "DWARF location of '" + v.name() + "' (" + v.where() + ") with the exception frame's callee-saved registers,"
                                + " which the callees preserve");
                f.location = location(v.value().getAsLong());
                return;
            }
        }
    }

    /**
     * Use after free: a register the faulting code used points into a free slab object. Overrides
     * the address's class, since what was read from freed memory is why the pointer was bad.
     */
    private void freed(Finding f, Map<String, Long> candidates) {
        if (!org.coroner.kernel.mm.Slub.present(s.kernel())) {
            return;
        }
        for (var c : candidates.entrySet()) {
            Long v = c.getValue();
            String what = c.getKey();
            if (v == null) {
                continue;
            }
            Optional<SlabObject> o;
            try {
                o = s.slub().objectAt(v);
            } catch (FaultException | IllegalArgumentException | IllegalStateException e) {
                continue;
            }
            if (o.isEmpty() || !o.get().isFree()) {
                continue;
            }
            SlabObject obj = o.get();
            f.add("memory", what + " = " + Hex.format(v) + " points into the FREE " + obj.cache().name()
                            + " object at " + Hex.format(obj.object()) + " (+" + Hex.format(obj.offset()) + " of "
                            + obj.cache().objectSize() + " bytes).",
                    "SLUB: the object is on " + (obj.freeList() == SlabObject.FreeList.CPU_FREELIST
                            ? "CPU " + obj.cpu() + "'s lockless freelist (kmem_cache_cpu.freelist)" : "its slab's freelist (slab->freelist)")
                            + ", free pointers decoded as SLAB_FREELIST_HARDENED stores them (kernel.mm.Slub)");
            freeTrack(f, obj);
            Kind was = f.kind;
            f.kind = Kind.USE_AFTER_FREE;
            f.confidence = obj.free().filter(t -> !t.empty()).isPresent() ? Confidence.HIGH : Confidence.MEDIUM;
            f.summary = "Use after free: the code used the freed " + obj.cache().name() + " object at " + Hex.format(obj.object())
                    + " (" + what.substring(0, what.indexOf(" (")) + ")" + (was == Kind.NULL_POINTER_DEREFERENCE ? ", and a pointer it read from that freed"
                    + " memory was NULL" : "") + obj.free().filter(t -> !t.empty()).map(t -> ", freed by pid " + t.pid()
                    + " from " + bt.symbolizer().frame(t.caller(), true).map(n -> n.kernel()).orElse(Hex.format(t.caller())))
                    .orElse("") + (f.location == null ? "" : "; the fault is in " + f.location.text()) + ".";
            return;
        }
    }

    /** The free track of a SLAB_STORE_USER cache's object (slub_debug=U): who freed it, with its stack. */
    private void freeTrack(Finding f, SlabObject obj) {
        if (obj.free().isEmpty()) {
            f.add("kernel", "The freeing stack is not in the dump: cache " + obj.cache().name() + " keeps no free track (SLUB"
                            + " records one only with slub_debug=U).",
                    "struct kmem_cache.flags of " + obj.cache().name() + " = " + Hex.format(obj.cache().flags())
                            + ": SLAB_STORE_USER (0x10000) is clear");
            return;
        }
        var t = obj.free().get();
        if (t.empty()) {
            f.add("kernel", "The object's free track is empty.", "struct track after the object (SLAB_STORE_USER)");
            return;
        }
        List<String> stack = t.stack().stream().map(a -> bt.symbolizer().frame(a, true)
                .map(n -> n.kernel() + (n.module() == null ? "" : " [" + n.module() + "]")).orElse(Hex.format(a))).toList();
        f.add("memory", "It was freed by pid " + t.pid() + " on CPU " + t.cpu() + " at jiffies " + t.when() + ", from "
                        + bt.symbolizer().frame(t.caller(), true).map(n -> n.kernel() + (n.module() == null ? "" : " [" + n.module() + "]"))
                        .orElse(Hex.format(t.caller())) + (stack.isEmpty() ? "" : "; freeing stack: " + String.join(" < ", stack)) + ".",
                "the object's free struct track (SLAB_STORE_USER)" + (t.stack().isEmpty() && t.stackProblem() != null
                        ? "; stack: " + t.stackProblem() : " and its stack depot record"));
        obj.alloc().filter(a -> !a.empty()).ifPresent(a -> f.add("memory", "It had been allocated by pid " + a.pid() + " from "
                        + bt.symbolizer().frame(a.caller(), true).map(n -> n.kernel() + (n.module() == null ? "" : " [" + n.module() + "]"))
                        .orElse(Hex.format(a.caller())) + ".", "the object's alloc struct track (SLAB_STORE_USER)"));
    }

    /** Sets the kind from what the address is, with the evidence for it. */
    private void classify(Finding f, Long address, Map<String, Long> regs, SourceTrace.Expr pointer, SourceTrace.Access access,
                          FunctionCode code, SavedRegisters r) {
        if (address == null) {
            f.confidence = Confidence.LOW;
            f.summary = "A fault at an address the dump does not tell.";
            return;
        }
        AddressMeaning m = AddressClassifier.classify(address, AddressSpace.of(s.isArm64() ? Arch.ARM64 : Arch.X86_64), regs);
        String where = f.location == null ? "" : " in " + f.location.text();
        if (m.has(AddressMeaning.Kind.NULL_POINTER)) {
            f.kind = Kind.NULL_POINTER_DEREFERENCE;
            f.confidence = Confidence.HIGH;
            String what = pointer != null && pointer.text() != null ? pointer.text() + " is NULL" : "a NULL pointer";
            f.summary = (pointer != null && pointer.text() != null ? "The pointer " + what : "A NULL pointer")
                    + (access != null ? " and " + access.text() + " (member " + access.member() + " of " + access.struct()
                    + " at +" + Hex.format(access.offset()) + ") was accessed through it" : address == 0 ? " was dereferenced"
                    : " was dereferenced at offset " + Hex.format(address)) + where + ".";
            f.add("register", "The faulting address " + Hex.format(address) + " is NULL" + (address == 0 ? "" : " + "
                    + Hex.format(address)) + ".", "address classification (addresses below 0x1000 are never mapped)");
            if (pointer != null && pointer.text() != null && pointer.member() != null) {
                f.add("dwarf", pointer.text() + " is member '" + pointer.member().path() + "' of "
                        + structName(pointer, code) + " at +" + Hex.format(pointer.member().offset()) + ", and it held NULL.",
                        "DWARF member offset and the register's value in the exception frame");
            }
            return;
        }
        Optional<AddressMeaning.Finding> poison = m.findings().stream()
                .filter(x -> x.kind() == AddressMeaning.Kind.POISON_POINTER && x.name().startsWith("LIST_POISON")).findFirst();
        if (poison.isPresent()) {
            f.kind = Kind.USE_AFTER_LIST_DEL;
            f.confidence = Confidence.HIGH;
            f.add("register", "The faulting address " + Hex.format(address) + " is " + poison.get().detail() + ".",
                    "address classification: LIST_POISON1 = 0xdead000000000100, LIST_POISON2 = 0xdead000000000122");
            Optional<String> entry = code == null ? Optional.empty() : deletedEntry(f, address, code, r);
            f.summary = "A list entry was used after list_del(): " + entry.orElse("the code followed a poisoned list pointer")
                    + where + ".";
            if (entry.isEmpty()) {
                f.confidence = Confidence.MEDIUM;
            }
            return;
        }
        if (m.has(AddressMeaning.Kind.SLAB_POISON)) {
            f.kind = Kind.USE_AFTER_FREE;
            f.confidence = Confidence.MEDIUM;
            f.add("register", "The faulting address " + Hex.format(address) + " is " + m.summary() + ".",
                    "address classification: slab poison bytes");
            f.summary = "A pointer read from freed (poisoned) slab memory was dereferenced" + where + ".";
            return;
        }
        SlabLookup slabs = new SlabLookup(s.kernel());
        for (String name : r.generalPurpose()) {
            long v = regs.get(name);
            slabs.cacheOf(v).ifPresent(c -> f.add("memory", r.display(name) + " = " + Hex.format(v)
                    + " points into a slab page of cache " + c + ".", "the page's struct slab in the vmemmap"));
        }
        f.kind = f.kind == Kind.NULL_POINTER_DEREFERENCE ? Kind.BAD_POINTER_DEREFERENCE : f.kind;
        f.confidence = Confidence.MEDIUM;
        f.add("register", "The faulting address " + Hex.format(address) + ": " + m.summary() + ".", "address classification");
        f.summary = (pointer != null && pointer.text() != null ? "The pointer " + pointer.text() + " held the bad value "
                + Hex.format(address) : "A bad pointer (" + Hex.format(address) + ") was dereferenced") + where + ".";
    }

    private static String structName(SourceTrace.Expr e, FunctionCode code) {
        return e.struct() == null || code == null || code.dwarf() == null ? "?" : TypeNames.cName(code.dwarf(), e.struct());
    }

    /**
     * Finds the deleted list entry: a pointer variable live at the fault whose struct holds
     * LIST_POISON1 and LIST_POISON2 in a {@code struct list_head} member (what list_del() leaves).
     */
    private Optional<String> deletedEntry(Finding f, long address, FunctionCode code, SavedRegisters r) {
        Symbolizer dw = code.dwarf();
        if (dw == null) {
            return Optional.empty();
        }
        long pc = code.filePc(code.last());
        for (Variables.Variable v : Variables.at(dw, pc)) {
            Optional<Die> struct = TypeNames.pointee(dw, v.typeDie());
            Optional<Long> value = variableValue(dw, pc, v, r);
            if (struct.isEmpty() || value.isEmpty() || value.get() == 0) {
                continue;
            }
            long size = TypeNames.size(dw, struct.get());
            if (size <= 0 || size > 4096) {
                continue;
            }
            byte[] obj;
            try {
                obj = s.kernel().memory().read(value.get(), (int) size);
            } catch (FaultException e) {
                continue;
            }
            var bb = java.nio.ByteBuffer.wrap(obj).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int o = 0; o + 16 <= size; o += 8) {
                if (bb.getLong(o) != LIST_POISON1 || bb.getLong(o + 8) != LIST_POISON2) {
                    continue;
                }
                Optional<TypeNames.Member> mem = TypeNames.memberAt(dw, struct.get(), o);
                String path = mem.map(TypeNames.Member::path).orElse("+" + Hex.format(o));
                String list = path.endsWith(".next") ? path.substring(0, path.length() - 5) : path;
                String sname = TypeNames.cName(dw, struct.get());
                f.add("memory", v.name() + " (" + TypeNames.cName(dw, v.typeDie()) + ") = " + Hex.format(value.get())
                                + ": its member " + list + " at +" + Hex.format(o) + " is {next = LIST_POISON1, prev = LIST_POISON2}:"
                                + " list_del() removed this entry from its list.",
                        "DWARF location of '" + v.name() + "' at the faulting pc, then " + size + " bytes read at "
                                + Hex.format(value.get()) + " and the DWARF members of " + sname);
                long k = address - LIST_POISON1 + o;
                String result = v.name() + "->" + list + " (" + sname + ", member " + list + ")";
                if (k >= 0 && k < size) {
                    Optional<TypeNames.Member> acc = TypeNames.memberAt(dw, struct.get(), k);
                    f.add("dwarf", "The faulting address " + Hex.format(address) + " = LIST_POISON1 - " + Hex.format(o) + " + "
                                    + Hex.format(k) + ": container_of(" + v.name() + "->" + list + ".next, " + sname + ", " + list
                                    + ") (list_next_entry), then its member " + acc.map(TypeNames.Member::path).orElse("?")
                                    + " at +" + Hex.format(k) + ".",
                            "DWARF offsets of " + sname + " members " + list + " and " + acc.map(TypeNames.Member::path).orElse("?"));
                    result = v.name() + "->" + list + " (" + sname + ", member " + list + ") was deleted with list_del() and then"
                            + " followed: list_next_entry(" + v.name() + ", " + list + ") is LIST_POISON1 - " + Hex.format(o)
                            + ", whose " + acc.map(TypeNames.Member::path).orElse("member") + " was read";
                }
                return Optional.of(result);
            }
        }
        return Optional.empty();
    }

    /** A pointer variable that is NULL at the faulting pc and points to a struct with a member at {@code disp}. */
    private Optional<SourceTrace.Expr> nullPointerVariable(FunctionCode code, long disp, SavedRegisters r, Finding f) {
        Symbolizer dw = code.dwarf();
        long pc = code.filePc(code.last());
        for (Variables.Variable v : Variables.at(dw, pc)) {
            Optional<Die> struct = TypeNames.pointee(dw, v.typeDie());
            if (struct.isEmpty() || TypeNames.memberAt(dw, struct.get(), disp).isEmpty()) {
                continue;
            }
            Optional<Long> value = variableValue(dw, pc, v, r);
            if (value.isPresent() && value.get() == 0) {
                f.add("dwarf", "The operand is the absolute address " + Hex.format(disp) + ": " + (v.parameter() ? "parameter '" : "variable '")
                                + v.name() + "' (" + TypeNames.cName(dw, v.typeDie()) + ") of " + v.scope() + "() is NULL here, so the"
                                + " compiler folded it into the displacement.",
                        "DWARF location of '" + v.name() + "' at the faulting pc evaluates to 0");
                return Optional.of(new SourceTrace.Expr(v.name(), v.typeDie(), 0L, null, null));
            }
        }
        return Optional.empty();
    }

    /** A variable's value at the faulting pc from its DWARF location and the exception frame's registers. */
    private Optional<Long> variableValue(Symbolizer dw, long pc, Variables.Variable v, SavedRegisters r) {
        for (FrameVariables.Value fv : debug.variablesAt(new org.coroner.session.DebugInfo.FileAddress(dw, pc), r, x -> true)) {
            if (fv.name().equals(v.name()) && fv.parameter() == v.parameter() && fv.value().isPresent()) {
                return Optional.of(fv.value().getAsLong());
            }
        }
        return Optional.empty();
    }

    static String exceptionName(String entry) {
        return switch (entry) {
            case "asm_exc_page_fault" -> "a page fault (#PF)";
            case "asm_exc_general_protection" -> "a general protection fault (#GP)";
            case "asm_exc_invalid_op" -> "an invalid-opcode trap (#UD: BUG() or WARN())";
            case "asm_exc_int3" -> "a breakpoint (#BP)";
            case "asm_exc_divide_error" -> "a divide error (#DE)";
            case "asm_exc_double_fault" -> "a double fault (#DF)";
            case "asm_exc_stack_segment" -> "a stack-segment fault (#SS)";
            case "el1h_64_sync" -> "a synchronous exception in the kernel (el1h_64_sync: an abort, BRK or undefined instruction)";
            case "el1h_64_irq" -> "an interrupt (el1h_64_irq)";
            case "el1h_64_error" -> "an SError (el1h_64_error)";
            default -> "an exception (entered through " + entry + ")";
        };
    }
}
