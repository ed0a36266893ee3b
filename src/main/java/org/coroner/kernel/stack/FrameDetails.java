package org.coroner.kernel.stack;

import java.util.List;

import org.coroner.arch.x86_64.unwind.Frame;

/** What {@code bt -v} prints under a frame: its parameters and locals, one line each. */
@FunctionalInterface
public interface FrameDetails {
    List<String> variables(Frame f);
}
