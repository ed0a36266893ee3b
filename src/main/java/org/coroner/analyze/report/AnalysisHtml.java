package org.coroner.analyze.report;

import static j2html.TagCreator.*;

import java.util.ArrayList;
import java.util.List;

import j2html.tags.DomContent;

import org.coroner.analyze.Analysis;
import org.coroner.analyze.Context;
import org.coroner.analyze.Evidence;

/** {@code coroner analyze --html FILE}: one self-contained page: the verdict, the evidence, the details. */
public final class AnalysisHtml {
    private AnalysisHtml() {
    }

    private static final String CSS = """
            body{font-family:system-ui,sans-serif;margin:2em auto;max-width:76em;color:#222;line-height:1.45;padding:0 1em}
            h1{font-size:1.35em;margin-bottom:.2em}h2{font-size:1.1em;margin-top:1.8em;border-bottom:1px solid #ccc}
            .sub{color:#666;margin-top:0}
            .verdict{background:#fff4e5;border-left:6px solid #e67e22;padding:.9em 1.1em}
            .kind{font-family:ui-monospace,monospace;font-weight:700;font-size:1.15em;color:#b34d00}
            .conf{display:inline-block;margin-left:.8em;padding:.05em .6em;border-radius:.8em;font-size:.85em;background:#eee}
            .conf.high{background:#d4f2d4}.conf.medium{background:#fdf0c4}.conf.low{background:#f6d5d5}
            .summary{font-size:1.1em;margin:.4em 0}.loc{font-family:ui-monospace,monospace;color:#1a5}
            ol.ev li{margin:.45em 0}.how{color:#666;font-size:.9em}.src{font-family:ui-monospace,monospace;font-size:.8em;
            background:#eef;border-radius:.3em;padding:0 .35em;margin-right:.4em;color:#335}
            table{border-collapse:collapse}td,th{padding:.15em .8em;text-align:left;vertical-align:top}
            th{color:#555;font-weight:600}pre,.mono{font-family:ui-monospace,monospace;font-size:.9em}
            .args{color:#555;padding-left:2.5em;font-size:.88em}.exc{color:#a33}.note{background:#eef;padding:.4em .8em;margin:.3em 0}
            .cycle{color:#b00;font-weight:600}""";

    public static String render(Analysis a) {
        var v = a.verdict();
        List<DomContent> body = new ArrayList<>();
        body.add(h1("Coroner: why the kernel died"));
        body.add(p(a.source() + ": " + a.input()).withClass("sub"));
        body.add(div(
                div(span(v.kind().id()).withClass("kind"), span("confidence " + v.confidence().id())
                        .withClass("conf " + v.confidence().id())),
                p(v.summary()).withClass("summary"),
                v.location() == null ? text("") : div(text("Location: "), span(v.location().text()).withClass("loc"))
        ).withClass("verdict"));
        body.add(h2("Evidence"));
        body.add(ol(each(a.evidence(), (Evidence e) -> li(div(e.statement()),
                div(span(e.source()).withClass("src"), text(e.derivation())).withClass("how")))).withClass("ev"));
        for (String n : a.notes()) {
            body.add(div("Note: " + n).withClass("note"));
        }
        Context c = a.context();
        body.add(h2("Context"));
        List<DomContent> rows = new ArrayList<>();
        if (c.trigger() != null) rows.add(tr(th("Report"), td(c.trigger()).withClass("mono")));
        if (c.panic() != null) rows.add(tr(th("Panic"), td("Kernel panic - not syncing: " + c.panic()).withClass("mono")));
        if (c.taint() != null && !c.taint().isEmpty()) rows.add(tr(th("Taint"), td(each(c.taint(), t -> div(t)))));
        if (c.execution() != null) rows.add(tr(th("Context"), td(c.execution().context() + " (" + c.execution().derivation() + ")")));
        if (c.callback() != null) rows.add(tr(th("Callback"), td(c.callback()).withClass("mono")));
        if (c.task() != null) rows.add(tr(th("Task"), td(c.task().text() + (c.task().address() == null ? "" : ", task " + c.task().address()))));
        body.add(table(rows.toArray(DomContent[]::new)));
        if (c.backtrace() != null && !c.backtrace().isEmpty()) {
            body.add(h2("Backtrace of the crashing task"));
            List<DomContent> fr = new ArrayList<>();
            for (Context.FrameInfo f : c.backtrace()) {
                fr.add(div(span("#" + f.level() + " "), span((f.exception() ? "[exception] " : "") + f.symbol()
                        + (f.module() == null ? "" : " [" + f.module() + "]")).withCondClass(f.exception(), "exc"),
                        span(f.file() == null ? "" : "  " + f.file() + ":" + f.line()).withClass("loc")).withClass("mono"));
                if (f.arguments() != null) {
                    for (String arg : f.arguments()) {
                        fr.add(div(arg).withClass("args mono"));
                    }
                }
            }
            body.add(div(fr.toArray(DomContent[]::new)));
        }
        if (c.cpus() != null && !c.cpus().isEmpty()) {
            body.add(h2("CPUs"));
            body.add(table(each(c.cpus(), (Context.CpuInfo cpu) -> tr(th("CPU " + cpu.cpu() + (cpu.panicked() ? " (panicked)" : "")),
                    td(cpu.task() == null ? "?" : cpu.task().text()), td(String.join(" \u2190 ", cpu.frames())).withClass("mono")))));
        }
        if (c.blockedTasks() != null && !c.blockedTasks().isEmpty()) {
            body.add(h2("Tasks in D state"));
            body.add(table(tr(th("task"), th("waits in"), th("waits for"), th("held by"), th("for")),
                    each(c.blockedTasks(), (Context.BlockedTask b) -> tr(td(b.task().text()), td(b.waitsIn()).withClass("mono"),
                            td(b.waitsOn() == null ? "" : b.waitsOn()), td(b.owner() == null ? "" : b.owner()),
                            td(b.blockedSeconds() == null ? "" : String.format("%.1f s", b.blockedSeconds()))))));
        }
        if (c.waitFor() != null && !c.waitFor().isEmpty()) {
            body.add(h2("Wait-for graph"));
            body.add(ul(each(c.waitFor(), (Context.Edge e) -> li(span(e.from() + " \u2014" + e.relation() + "\u2192 " + e.to())
                    .withCondClass(c.cycle() != null && c.cycle().contains(e), "cycle")))));
        }
        if (c.log() != null && !c.log().isEmpty()) {
            body.add(details(summary("Last log lines"), pre(String.join("\n", c.log()))));
        }
        return document(html(head(meta().withCharset("utf-8"), title("Coroner: " + v.kind().id()), style(CSS)),
                body(body.toArray(DomContent[]::new))));
    }
}
