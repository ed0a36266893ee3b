package org.coroner.analyze.report;

import java.io.PrintWriter;

import org.coroner.analyze.Analysis;
import org.coroner.analyze.Context;
import org.coroner.analyze.Evidence;

/** {@code coroner analyze}'s text: the verdict first, the evidence numbered, the context after. */
public final class AnalysisText {
    private AnalysisText() {
    }

    public static void render(Analysis a, PrintWriter out) {
        var v = a.verdict();
        out.println("VERDICT: " + v.kind().id() + " (confidence " + v.confidence().id() + ")");
        out.println("  " + v.summary());
        if (v.location() != null) {
            out.println("  Location: " + v.location().text() + (v.location().symbol() == null ? "" : "  (" + v.location().symbol() + ")"));
        }
        out.println();
        out.println("EVIDENCE");
        int n = 1;
        for (Evidence e : a.evidence()) {
            out.printf("%3d. %s%n", n++, e.statement());
            out.println("     [" + e.source() + "] " + e.derivation());
        }
        Context c = a.context();
        out.println();
        out.println("CONTEXT");
        if (c.trigger() != null) {
            out.println("  Report:    " + c.trigger());
        }
        if (c.panic() != null) {
            out.println("  Panic:     Kernel panic - not syncing: " + c.panic());
        }
        if (c.taint() != null && !c.taint().isEmpty()) {
            out.println("  Taint:     " + String.join("; ", c.taint()));
        }
        if (c.execution() != null) {
            out.println("  Context:   " + c.execution().context() + " (" + c.execution().derivation() + ")");
        }
        if (c.callback() != null) {
            out.println("  Callback:  " + c.callback());
        }
        if (c.task() != null) {
            // a log gives no task_struct address or state: leave out what is not known
            out.println("  Task:      " + c.task().text() + (c.task().address() == null ? "" : " task " + c.task().address())
                    + (c.task().state() == null ? "" : " state " + c.task().state()));
        }
        if (c.backtrace() != null && !c.backtrace().isEmpty()) {
            out.println();
            out.println("  Backtrace of the crashing task:");
            for (Context.FrameInfo f : c.backtrace()) {
                out.printf("   #%-2d %s%s%s%n", f.level(), f.exception() ? "[exception] " : "", f.symbol() + (f.module() == null ? "" : " [" + f.module() + "]"),
                        f.file() == null ? "" : "  " + f.file() + ":" + (f.line() == null ? "?" : f.line()));
                if (f.arguments() != null) {
                    for (String arg : f.arguments()) {
                        out.println("         " + arg);
                    }
                }
            }
        }
        if (c.cpus() != null && !c.cpus().isEmpty()) {
            out.println();
            out.println("  CPUs:");
            for (Context.CpuInfo cpu : c.cpus()) {
                out.println("   CPU " + cpu.cpu() + (cpu.panicked() ? " (panicked)" : "") + ": "
                        + (cpu.task() == null ? "?" : cpu.task().text()) + ": " + String.join(" < ", cpu.frames()));
            }
        }
        if (c.blockedTasks() != null && !c.blockedTasks().isEmpty()) {
            out.println();
            out.println("  Tasks in D state:");
            for (Context.BlockedTask b : c.blockedTasks()) {
                out.println("   " + b.task().text() + " in " + b.waitsIn()
                        + (b.waitsOn() == null ? "" : ", waiting for " + b.waitsOn())
                        + (b.owner() == null ? "" : ", held by " + b.owner())
                        + (b.blockedSeconds() == null ? "" : String.format(", off CPU for %.1f s", b.blockedSeconds())));
            }
        }
        if (c.waitFor() != null && !c.waitFor().isEmpty()) {
            out.println();
            out.println("  Wait-for graph" + (c.cycle() == null || c.cycle().isEmpty() ? " (no cycle)" : " (cycle of " + c.cycle().size() + " edges)") + ":");
            for (Context.Edge e : c.waitFor()) {
                out.println("   " + e.from() + " --" + e.relation() + "--> " + e.to());
            }
        }
        if (c.log() != null && !c.log().isEmpty()) {
            out.println();
            out.println("  Last log lines:");
            for (String l : c.log()) {
                out.println("   " + l);
            }
        }
        if (!a.notes().isEmpty()) {
            out.println();
            out.println("NOTES");
            for (String note : a.notes()) {
                out.println("  - " + note);
            }
        }
        out.flush();
    }
}
