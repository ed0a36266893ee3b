package org.coroner.dwarf.cfi;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.coroner.io.BadInputException;
import org.coroner.io.Bytes;
import org.coroner.io.Cursor;

/**
 * A {@code .debug_frame} section (DWARF 2-5 CFI): CIEs and FDEs, indexed by address on first use
 * (one pass over the entry headers), and the row of the CFI table at a code address computed by
 * running the CIE's initial instructions and the FDE's instructions up to it.
 *
 * <p>The kernel's C code has exact CFI here (GCC emits {@code .cfi_*} for every prologue and
 * epilogue); its assembly code has none since objtool's ORC replaced the hand-written annotations,
 * so an address without an FDE is normal for entry code.
 */
public final class CallFrameInfo {
    private final Bytes sec;
    private final String file;
    private final int addressSize;
    private volatile long[] starts;
    private long[] ends;
    private long[] fdeOffsets;
    private final Map<Long, Cie> cies = new ConcurrentHashMap<>();

    private record Cie(long codeAlign, long dataAlign, int raColumn, long instructionsStart, long end, int addressSize) {
    }

    /** @param section the {@code .debug_frame} bytes (relocated for a relocatable file) */
    public CallFrameInfo(Bytes section, String file, int addressSize) {
        this.sec = section;
        this.file = file;
        this.addressSize = addressSize;
    }

    public boolean isEmpty() {
        return sec.size() == 0;
    }

    /** The number of FDEs (after indexing). */
    public int fdeCount() {
        index();
        return starts.length;
    }

    private void index() {
        if (starts != null) {
            return;
        }
        synchronized (this) {
            if (starts != null) {
                return;
            }
            int n = 0;
            long[] s = new long[1024];
            long[] e = new long[1024];
            long[] o = new long[1024];
            long off = 0;
            while (off + 4 <= sec.size()) {
                Cursor c = new Cursor(sec, off);
                long before = off;
                Entry en = entry(c);
                long end = en.end();
                if (end > sec.size() || end <= before) {
                    throw new BadInputException(file + ": .debug_frame entry at 0x" + Long.toHexString(off) + " runs past the section");
                }
                if (end - before <= (en.dwarf64() ? 12 : 4)) { // a zero terminator: no id
                    off = end;
                    continue;
                }
                if (!en.isCie()) {
                    long lo = c.uN(addressSize);
                    long range = c.uN(addressSize);
                    if (n == s.length) {
                        s = Arrays.copyOf(s, n * 2);
                        e = Arrays.copyOf(e, n * 2);
                        o = Arrays.copyOf(o, n * 2);
                    }
                    s[n] = lo;
                    e[n] = lo + range;
                    o[n] = off;
                    n++;
                }
                off = end;
            }
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            long[] fs = s;
            Arrays.sort(order, (a, b) -> Long.compareUnsigned(fs[a], fs[b]));
            long[] ss = new long[n];
            long[] ee = new long[n];
            long[] oo = new long[n];
            for (int i = 0; i < n; i++) {
                ss[i] = s[order[i]];
                ee[i] = e[order[i]];
                oo[i] = o[order[i]];
            }
            ends = ee;
            fdeOffsets = oo;
            starts = ss;
        }
    }

    /** The CFI row at {@code pc} (an address in this file), empty when no FDE covers it. */
    public Optional<CfiRow> rowAt(long pc) {
        index();
        int lo = 0;
        int hi = starts.length - 1;
        int best = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(starts[mid], pc) <= 0) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        // FDEs of discarded code were linked at 0 and may overlap each other, never real code
        for (int i = best; i >= 0 && i > best - 4; i--) {
            if (Long.compareUnsigned(pc, starts[i]) >= 0 && Long.compareUnsigned(pc, ends[i]) < 0) {
                return Optional.of(run(fdeOffsets[i], pc));
            }
        }
        return Optional.empty();
    }

    /** An entry's header: where it ends and its CIE id / CIE pointer (the cursor is left after it). */
    private record Entry(long end, long id, boolean dwarf64) {
        boolean isCie() {
            return dwarf64 ? id == -1L : id == 0xffffffffL;
        }
    }

    private static Entry entry(Cursor c) {
        long len = c.u32();
        boolean dwarf64 = len == 0xffffffffL;
        if (dwarf64) {
            len = c.u64();
        }
        long end = c.pos() + len;
        return new Entry(end, len == 0 ? 0 : dwarf64 ? c.u64() : c.u32(), dwarf64);
    }

    private Cie cie(long off) {
        return cies.computeIfAbsent(off, o -> {
            Cursor c = new Cursor(sec, o);
            Entry e = entry(c);
            long end = e.end();
            int version = c.u8();
            String aug = c.cstring();
            int as = addressSize;
            if (version >= 4) {
                as = c.u8();
                c.u8(); // segment selector size
            }
            if (aug.startsWith("eh")) {
                c.skip(as);
            }
            long codeAlign = c.uleb();
            long dataAlign = c.sleb();
            int ra = version == 1 ? c.u8() : (int) c.uleb();
            if (aug.startsWith("z")) {
                long augLen = c.uleb();
                c.skip(augLen);
            } else if (!aug.isEmpty() && !aug.equals("eh")) {
                throw new BadInputException(file + ": CIE at 0x" + Long.toHexString(o) + " has augmentation \"" + aug
                        + "\", which this reader does not know");
            }
            return new Cie(codeAlign, dataAlign, ra, c.pos(), end, as);
        });
    }

    /** The mutable row while instructions run. */
    private static final class State {
        int cfaReg = -1;
        long cfaOff;
        byte[] cfaExpr;
        Map<Integer, RegisterRule> rules = new HashMap<>();

        State copy() {
            State s = new State();
            s.cfaReg = cfaReg;
            s.cfaOff = cfaOff;
            s.cfaExpr = cfaExpr;
            s.rules = new HashMap<>(rules);
            return s;
        }
    }

    private CfiRow run(long fdeOff, long pc) {
        Cursor c = new Cursor(sec, fdeOff);
        Entry e = entry(c);
        long end = e.end();
        Cie cie = cie(e.id());
        long start = c.uN(cie.addressSize());
        c.uN(cie.addressSize()); // range
        State initial = new State();
        execute(new Cursor(sec, cie.instructionsStart()), cie.end(), cie, initial, null, start, Long.MAX_VALUE);
        State s = initial.copy();
        execute(c, end, cie, s, initial, start, pc);
        return new CfiRow(pc, start, cie.raColumn(), s.cfaReg, s.cfaOff, s.cfaExpr, Map.copyOf(s.rules));
    }

    /** Runs instructions until the location passes {@code pc}; {@code initial} is the CIE's row (for restore). */
    private void execute(Cursor c, long end, Cie cie, State s, State initial, long loc, long pc) {
        Deque<State> remembered = new ArrayDeque<>();
        long da = cie.dataAlign();
        while (c.pos() < end) {
            int op = c.u8();
            int high = op & 0xc0;
            int low = op & 0x3f;
            if (high == 0x40) { // advance_loc
                loc += low * cie.codeAlign();
                if (Long.compareUnsigned(loc, pc) > 0) {
                    return;
                }
                continue;
            }
            if (high == 0x80) { // offset
                s.rules.put(low, new RegisterRule.Offset(c.uleb() * da));
                continue;
            }
            if (high == 0xc0) { // restore
                restore(s, initial, low);
                continue;
            }
            long advance = -1;
            switch (op) {
                case 0x00 -> { // nop
                }
                case 0x01 -> { // set_loc
                    long to = c.uN(cie.addressSize());
                    if (Long.compareUnsigned(to, pc) > 0) {
                        return;
                    }
                    loc = to;
                }
                case 0x02 -> advance = c.u8();
                case 0x03 -> advance = c.u16();
                case 0x04 -> advance = c.u32();
                case 0x05 -> {
                    int r = (int) c.uleb();
                    s.rules.put(r, new RegisterRule.Offset(c.uleb() * da));
                }
                case 0x06 -> restore(s, initial, (int) c.uleb());
                case 0x07 -> s.rules.put((int) c.uleb(), new RegisterRule.Undefined());
                case 0x08 -> s.rules.put((int) c.uleb(), new RegisterRule.SameValue());
                case 0x09 -> {
                    int r = (int) c.uleb();
                    s.rules.put(r, new RegisterRule.InRegister((int) c.uleb()));
                }
                case 0x0a -> remembered.push(s.copy());
                case 0x0b -> {
                    if (!remembered.isEmpty()) {
                        State r = remembered.pop();
                        s.cfaReg = r.cfaReg;
                        s.cfaOff = r.cfaOff;
                        s.cfaExpr = r.cfaExpr;
                        s.rules = r.rules;
                    }
                }
                case 0x0c -> {
                    s.cfaReg = (int) c.uleb();
                    s.cfaOff = c.uleb();
                    s.cfaExpr = null;
                }
                case 0x0d -> {
                    s.cfaReg = (int) c.uleb();
                    s.cfaExpr = null;
                }
                case 0x0e -> s.cfaOff = c.uleb();
                case 0x0f -> {
                    s.cfaExpr = c.bytes((int) c.uleb());
                    s.cfaReg = -1;
                }
                case 0x10 -> {
                    int r = (int) c.uleb();
                    s.rules.put(r, new RegisterRule.Expression(c.bytes((int) c.uleb())));
                }
                case 0x11 -> {
                    int r = (int) c.uleb();
                    s.rules.put(r, new RegisterRule.Offset(c.sleb() * da));
                }
                case 0x12 -> {
                    s.cfaReg = (int) c.uleb();
                    s.cfaOff = c.sleb() * da;
                    s.cfaExpr = null;
                }
                case 0x13 -> s.cfaOff = c.sleb() * da;
                case 0x14 -> {
                    int r = (int) c.uleb();
                    s.rules.put(r, new RegisterRule.ValOffset(c.uleb() * da));
                }
                case 0x15 -> {
                    int r = (int) c.uleb();
                    s.rules.put(r, new RegisterRule.ValOffset(c.sleb() * da));
                }
                case 0x16 -> {
                    int r = (int) c.uleb();
                    s.rules.put(r, new RegisterRule.ValExpression(c.bytes((int) c.uleb())));
                }
                case 0x2d -> { // AARCH64_negate_ra_state: lr is PAC-signed from here; unwinders strip it
                }
                case 0x2e -> c.uleb(); // GNU_args_size: no effect on the rules
                case 0x2f -> { // GNU_negative_offset_extended
                    int r = (int) c.uleb();
                    s.rules.put(r, new RegisterRule.Offset(-c.uleb() * da));
                }
                default -> throw new BadInputException(file + ": unknown CFI instruction 0x" + Integer.toHexString(op)
                        + " in .debug_frame at 0x" + Long.toHexString(c.pos() - 1));
            }
            if (advance >= 0) {
                loc += advance * cie.codeAlign();
                if (Long.compareUnsigned(loc, pc) > 0) {
                    return;
                }
            }
        }
    }

    private static void restore(State s, State initial, int r) {
        RegisterRule init = initial == null ? null : initial.rules.get(r);
        if (init == null) {
            s.rules.remove(r);
        } else {
            s.rules.put(r, init);
        }
    }
}
