package org.coroner.kernel.stack;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.coroner.arch.x86_64.unwind.Frame;
import org.coroner.arch.x86_64.unwind.StackArea;
import org.coroner.memory.FaultException;

/**
 * The separate, explicit stack-scanning mode ({@code bt -t}, {@code bt -T}): every word on a
 * task's stacks that holds a kernel text address, whether or not it is a real return address.
 * Never mixed into a backtrace.
 */
public final class StackScanner {
    private final Backtracer bt;

    /** A text address found on a stack, at {@code slot}. */
    public record Hit(long slot, long value, StackArea.Kind stack) {
    }

    /** A {@code struct pt_regs} found on a stack by its shape ({@code bt -e}). */
    public record ExceptionFrame(long address, org.coroner.arch.x86_64.unwind.Registers regs) {
    }

    /**
     * Every place on the task's stacks that looks like a saved {@code pt_regs}: a kernel (CS 0x10,
     * SS 0x18 or 0) or user (CS 0x33, SS 0x2b) selector pair, the always-set bit 1 of RFLAGS and no
     * bit above bit 21, and an IP in kernel text or in the user half. A heuristic, as in crash.
     */
    public List<ExceptionFrame> exceptionFrames(Backtracer.Backtrace b) {
        List<ExceptionFrame> out = new ArrayList<>();
        Set<StackArea> areas = new LinkedHashSet<>();
        areas.add(bt.stacks().taskStack(b.task().address()));
        for (Frame f : b.frames()) {
            if (f.stack() != null) {
                areas.add(f.stack());
            }
        }
        int ipOff = org.coroner.arch.x86_64.unwind.Registers.IRET_FRAME_OFFSET;
        for (StackArea a : areas) {
            for (long p = a.begin(); Long.compareUnsigned(p + org.coroner.arch.x86_64.unwind.Registers.SIZE, a.end()) <= 0; p += 8) {
                long ip;
                long cs;
                long flags;
                long ss;
                try {
                    ip = bt.kernel().memory().u64(p + ipOff);
                    cs = bt.kernel().memory().u64(p + ipOff + 8);
                    flags = bt.kernel().memory().u64(p + ipOff + 16);
                    ss = bt.kernel().memory().u64(p + ipOff + 32);
                } catch (FaultException e) {
                    continue;
                }
                boolean kernel = cs == 0x10 && (ss == 0x18 || ss == 0) && bt.orc().isText(ip);
                boolean user = cs == 0x33 && ss == 0x2b && Long.compareUnsigned(ip, 0x0000800000000000L) < 0;
                if ((kernel || user) && (flags & 2) != 0 && (flags >>> 22) == 0) {
                    out.add(new ExceptionFrame(p, org.coroner.arch.x86_64.unwind.Registers.read(bt.kernel().memory(), p)));
                }
            }
        }
        return out;
    }

    public StackScanner(Backtracer bt) {
        this.bt = bt;
    }

    /**
     * Scans the stacks a backtrace touched: from the first frame's position on each ({@code fromSp})
     * or from each stack's lowest address ({@code !fromSp}), up to its end.
     */
    public List<Hit> scan(Backtracer.Backtrace b, boolean fromSp) {
        Set<StackArea> areas = new LinkedHashSet<>();
        List<Long> starts = new ArrayList<>();
        for (Frame f : b.frames()) {
            if (f.stack() != null && areas.add(f.stack())) {
                starts.add(f.slot());
            }
        }
        if (areas.isEmpty()) {
            areas.add(bt.stacks().taskStack(b.task().address()));
            starts.add(bt.stacks().taskStack(b.task().address()).begin());
        }
        List<Hit> out = new ArrayList<>();
        int i = 0;
        for (StackArea a : areas) {
            long from = fromSp ? starts.get(i) & ~7L : a.begin();
            i++;
            for (long p = from; Long.compareUnsigned(p, a.end()) < 0; p += 8) {
                long v;
                try {
                    v = bt.kernel().memory().u64(p);
                } catch (FaultException e) {
                    p = (p | 4095) - 7; // skip the rest of a page the dump lacks
                    continue;
                }
                if (bt.orc().isText(v)) {
                    out.add(new Hit(p, v, a.kind()));
                }
            }
        }
        return out;
    }
}
