package org.coroner.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.coroner.arch.DwarfRegisters;
import org.coroner.dwarf.Die;
import org.coroner.dwarf.cfi.RegisterRecovery;
import org.coroner.dwarf.loc.CallSites;
import org.coroner.dwarf.loc.DwarfExpression;
import org.coroner.dwarf.loc.FrameVariables;
import org.coroner.dwarf.loc.RegisterFile;
import org.coroner.kernel.stack.Backtracer;
import org.coroner.memory.VirtualMemory;

/**
 * The parameters and locals of every frame of one backtrace: the frames' registers recovered by CFI
 * from the innermost known ones, and entry values ({@code DW_OP_entry_value}) resolved from the
 * caller's call site at the return address, evaluated in the caller's frame. A call site answers only
 * for the function it really called: a call that went elsewhere and reached this function by a tail
 * call passed that other function's arguments, and is said so.
 */
final class BacktraceVariables {
    private static final int MAX_DEPTH = 8;

    private final DebugInfo debug;
    private final Backtracer bt;
    private final DwarfRegisters arch;
    private final VirtualMemory mem;
    private final List<RegisterRecovery.FrameInput> inputs;
    private final RegisterRecovery.Recovered rec;
    private final Map<String, DwarfExpression.Result> entryCache = new HashMap<>();

    private final boolean recover;

    /** @param recover use CFI and call sites (false: only the registers the unwinder itself knows, for comparison) */
    BacktraceVariables(DebugInfo debug, Backtracer bt, DwarfRegisters arch, List<RegisterRecovery.FrameInput> inputs,
                       boolean recover) {
        this.debug = debug;
        this.bt = bt;
        this.arch = arch;
        this.mem = bt.kernel().memory();
        this.inputs = inputs;
        this.recover = recover;
        RegisterRecovery.Code code = recover ? debug::cfiRow : (pc, missing) -> {
            missing[0] = "CFI not used";
            return null;
        };
        this.rec = RegisterRecovery.recover(inputs, code, mem, arch);
    }

    RegisterRecovery.Recovered recovered() {
        return rec;
    }

    /** The variables of frame {@code i}, or empty with the reason there are none. */
    DebugInfo.FrameVariablesOf frame(int i) {
        long pc = inputs.get(i).lookupPc();
        Optional<DebugInfo.FileAddress> fa = debug.fileAddress(pc);
        if (fa.isEmpty()) {
            return new DebugInfo.FrameVariablesOf(i, List.of(), "no debug information for this code"
                    + (bt.modules().containing(pc).isPresent() ? ": give the module's .ko with --modules" : ""));
        }
        List<FrameVariables.Value> vals = FrameVariables.evaluate(fa.get().symbolizer(), fa.get().address(), context(i, 0),
                this::symbol);
        return new DebugInfo.FrameVariablesOf(i, vals, vals.isEmpty() ? "no parameters or locals in scope here" : null);
    }

    private Optional<String> symbol(long address) {
        var module = bt.modules().containing(address);
        if (module.isPresent()) {
            return module.get().symbols().within(address).map(n -> n.offset() == 0 ? n.name() : n.name() + "+" + n.offset());
        }
        return bt.kernel().symbolAt(address)
                .filter(s -> s.offset() == 0 || s.offset() > 0 && s.offset() < s.symbol().size())
                .map(s -> s.offset() == 0 ? s.name() : s.name() + "+" + s.offset());
    }

    private DwarfExpression.Frame context(int i, int depth) {
        return new DwarfExpression.Frame(rec.registers().get(i), rec.cfa().get(i), rec.cfaUnknown().get(i), mem,
                e -> entry(i, e, depth), debug::runtimeAddress);
    }

    /** What {@code expression} (a register) held on entry to frame {@code i}'s function. */
    DwarfExpression.Result entry(int i, byte[] expression, int depth) {
        if (!recover) {
            return new DwarfExpression.Unknown("the value on entry", "call sites not used");
        }
        String key = i + ":" + java.util.HexFormat.of().formatHex(expression);
        DwarfExpression.Result r = entryCache.get(key);
        if (r == null) {
            r = resolveEntry(i, expression, depth);
            entryCache.put(key, r);
        }
        return r;
    }

    private DwarfExpression.Result resolveEntry(int i, byte[] expression, int depth) {
        int reg = singleRegister(expression);
        String what = reg < 0 ? "an expression" : arch.display(reg);
        String where = "the value " + what + " had on entry";
        if (reg < 0) {
            return new DwarfExpression.Unknown(where, "entry value of a DWARF expression, not of a register: not resolved");
        }
        if (i + 1 >= inputs.size()) {
            return new DwarfExpression.Unknown(where, "entry value of " + what + ": no caller frame");
        }
        if (depth >= MAX_DEPTH) {
            return new DwarfExpression.Unknown(where, "entry value of " + what + ": chain of entry values too deep");
        }
        RegisterRecovery.FrameInput caller = inputs.get(i + 1);
        if (!caller.returnAddress()) {
            return new DwarfExpression.Unknown(where, "entry value of " + what + ": this function was entered by an exception,"
                    + " not a call");
        }
        long ra = caller.pc();
        String callerName = caller.function();
        Optional<DebugInfo.FileAddress> cfa = debug.fileAddress(ra - 1);
        if (cfa.isEmpty()) {
            return new DwarfExpression.Unknown(where, "entry value of " + what + ": no debug information for the caller "
                    + callerName);
        }
        long fileRa = cfa.get().address() + 1;
        Optional<CallSites.CallSite> site = CallSites.returningTo(cfa.get().symbolizer(), fileRa);
        String call = String.format("the call in %s at %x", callerName, ra);
        if (site.isEmpty()) {
            return new DwarfExpression.Unknown(where, "entry value of " + what + ": " + callerName
                    + "'s DWARF describes no call returning to " + String.format("%x", ra));
        }
        DwarfExpression.Frame callerFrame = context(i + 1, depth + 1);
        // the call must have entered this very function: a call elsewhere that tail-called here passed other arguments
        OptionalLong target = arch.directCallTarget(mem, ra);
        String how = "direct";
        int thunk = target.isEmpty() ? -1 : arch.indirectThunkRegister(
                bt.symbolizer().lookup(target.getAsLong()).filter(n -> n.offset() == 0).map(n -> n.symbol()).orElse(null));
        if (thunk >= 0) {
            // a retpoline: an indirect call through the register the thunk jumps to
            how = "indirect through " + arch.display(thunk);
            RegisterFile cr = rec.registers().get(i + 1);
            if (!cr.known(thunk)) {
                return new DwarfExpression.Unknown(where, "entry value of " + what + ": " + call + " is indirect through "
                        + arch.display(thunk) + ", " + cr.why(thunk) + ", so a tail call on the way here cannot be ruled out");
            }
            target = OptionalLong.of(cr.value(thunk));
        } else if (target.isEmpty()) {
            how = "indirect";
            if (site.get().target() == null) {
                return new DwarfExpression.Unknown(where, "entry value of " + what + ": " + call
                        + " is indirect and its DWARF does not say where it went");
            }
            DwarfExpression.Result t = DwarfExpression.evaluate(site.get().target(), callerFrame.in(site.get().die().unit(), null));
            OptionalLong tv = plainValue(t);
            if (tv.isEmpty()) {
                return new DwarfExpression.Unknown(where, "entry value of " + what + ": " + call + " is indirect and its target ("
                        + t.where() + ") is not known" + (t instanceof DwarfExpression.Unknown u ? ": " + u.reason() : "")
                        + ", so a tail call on the way here cannot be ruled out");
            }
            target = tv;
        }
        if (!sameFunction(target.getAsLong(), inputs.get(i).lookupPc())) {
            return new DwarfExpression.Unknown(where, String.format("entry value of %s: %s went to %s, which reached %s by a"
                            + " tail call: the call's arguments were %s's", what, call, name(target.getAsLong()), inputs.get(i).function(),
                    name(target.getAsLong())));
        }
        Optional<byte[]> arg = CallSites.argument(site.get(), expression);
        if (arg.isEmpty()) {
            return new DwarfExpression.Unknown(where, "entry value of " + what + ": " + call + " does not describe the value it"
                    + " passed in " + what);
        }
        DwarfExpression.Result v = DwarfExpression.evaluate(arg.get(), callerFrame.in(site.get().die().unit(), null));
        OptionalLong val = plainValue(v);
        if (val.isEmpty()) {
            return new DwarfExpression.Unknown(where, "entry value of " + what + ", passed by " + call + " as " + v.where()
                    + (v instanceof DwarfExpression.Unknown u ? ": " + u.reason() : ""));
        }
        return new DwarfExpression.Computed(val.getAsLong(), "entry value of " + what + ", passed by " + call + " ("
                + how + ") as " + describe(v));
    }

    private static String describe(DwarfExpression.Result v) {
        String w = v.where();
        if (v instanceof DwarfExpression.InMemory) {
            // a call value is the expression's value: the address it computes is the argument
            return w.replaceFirst("^(in memory at |on the stack at |at )", "");
        }
        return w.replaceFirst("^in ", "");
    }

    /** The value an expression yields as a value (a call value, a call target). */
    private static OptionalLong plainValue(DwarfExpression.Result r) {
        return switch (r) {
            case DwarfExpression.Computed c -> OptionalLong.of(c.value());
            case DwarfExpression.InRegister ir -> ir.value();
            case DwarfExpression.InMemory m -> OptionalLong.of(m.address());
            default -> OptionalLong.empty();
        };
    }

    private boolean sameFunction(long target, long pc) {
        Optional<DebugInfo.FileAddress> a = debug.fileAddress(target);
        Optional<DebugInfo.FileAddress> b = debug.fileAddress(pc);
        if (a.isEmpty() || b.isEmpty() || a.get().symbolizer() != b.get().symbolizer()) {
            return false;
        }
        List<Die> sa = a.get().symbolizer().scopes(a.get().address());
        List<Die> sb = b.get().symbolizer().scopes(b.get().address());
        return !sa.isEmpty() && !sb.isEmpty() && sa.get(0).offset() == sb.get(0).offset();
    }

    private String name(long address) {
        return bt.symbolizer().lookup(address).map(n -> n.offset() == 0 ? n.symbol() : n.crash())
                .orElse(String.format("%x", address));
    }

    private static int singleRegister(byte[] e) {
        if (e.length == 1 && (e[0] & 0xff) >= 0x50 && (e[0] & 0xff) <= 0x6f) {
            return (e[0] & 0xff) - 0x50;
        }
        if (e.length >= 2 && (e[0] & 0xff) == 0x90) {
            org.coroner.io.Cursor c = new org.coroner.io.Cursor(org.coroner.io.Bytes.of(e, java.nio.ByteOrder.LITTLE_ENDIAN), 1);
            long r = c.uleb();
            return c.pos() == e.length ? (int) r : -1;
        }
        return -1;
    }

    List<DebugInfo.FrameVariablesOf> all() {
        List<DebugInfo.FrameVariablesOf> out = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            out.add(frame(i));
        }
        return out;
    }
}
