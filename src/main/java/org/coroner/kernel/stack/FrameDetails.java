package org.coroner.kernel.stack;

import java.util.List;

/** What {@code bt -v} prints under each frame of a backtrace: its parameters and locals, one line each. */
@FunctionalInterface
public interface FrameDetails {
    /** One list of lines per frame of {@code b}, in the order of {@code b.frames()}. */
    List<List<String>> variables(Backtracer.Backtrace b);
}
