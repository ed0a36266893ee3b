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
