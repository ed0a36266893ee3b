package org.coroner.arch.x86_64.unwind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.coroner.kernel.Tasks;
import org.coroner.kernel.stack.Backtracer;
import org.coroner.kernel.stack.FixtureKernels;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The kernel's safety rules, on a real sleeping task of the null dump. */
@Tag("fixtures")
class OrcUnwinderRulesTest {
    private static StartState start(Backtracer bt, Tasks.Task t) {
        long sp = t.task().member("thread.sp").u64();
        return StartState.ofInactiveTask(bt.kernel().memory(), sp, 56, 40, 48,
                bt.kernel().requireSymbol("ret_from_fork"));
    }

    @Test
    void readsOffTheDeclaredStacksStopTheUnwind() {
        Backtracer bt = FixtureKernels.backtracer("null");
        Tasks.Task init = bt.byPid(1).get(0);
        OrcUnwinder u = new OrcUnwinder(bt.kernel().memory(), bt.orc());
        OrcUnwinder.Unwind none = u.unwind(start(bt, init), a -> Optional.empty());
        assertEquals(OrcUnwinder.Outcome.ERROR, none.outcome());
        assertEquals(1, none.frames().size());
        assertTrue(none.detail().startsWith("stack read outside the task's stacks"), none.detail());

        StackArea own = bt.stacks().taskStack(init.address());
        OrcUnwinder.Unwind full = u.unwind(start(bt, init), a -> own.contains(a, 1) ? Optional.of(own) : Optional.empty());
        assertEquals(OrcUnwinder.Outcome.COMPLETE, full.outcome());
        // Ends at the user-mode registers the syscall entry saved at the top of the stack.
        Frame last = full.frames().get(full.frames().size() - 1);
        assertTrue(last.isUserRegs());
        assertEquals(own.end() - Registers.SIZE, last.regsAddress());
    }
}
