package org.coroner.oops.report;

import static j2html.TagCreator.*;

import java.util.ArrayList;
import java.util.List;

import j2html.tags.DomContent;

import org.coroner.disasm.CodeLine;
import org.coroner.oops.decode.DecodedOops;
import org.coroner.oops.decode.Hex;
import org.coroner.oops.decode.TaintFlag;

/** {@code coroner oops --html FILE}: one self-contained page, the verdict on top. */
public final class HtmlRenderer {
    private HtmlRenderer() {
    }

    private static final String CSS = """
            body{font-family:system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222;line-height:1.4}
            h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc}
            .verdict{background:#fff4e5;border-left:5px solid #e67e22;padding:.8em 1em;font-size:1.05em}
            .note{background:#eef;padding:.4em .8em;margin:.3em 0}
            table{border-collapse:collapse}td,th{padding:.15em .8em;text-align:left;vertical-align:top}
            th{color:#555;font-weight:600}
            pre,code,.mono{font-family:ui-monospace,monospace;font-size:.92em}
            .unreliable{color:#999}.fault{background:#fdd;font-weight:bold}.inl{color:#666;padding-left:2em}
            .src{color:#1a5}""";

    public static String render(String input, List<OopsReport> reports) {
        List<DomContent> body = new ArrayList<>();
        body.add(h1("Coroner: " + reports.size() + " crash report" + (reports.size() == 1 ? "" : "s") + " in " + input));
        for (OopsReport r : reports) {
            body.add(report(r, reports.size()));
        }
        return document(html(head(meta().withCharset("utf-8"), title("Coroner: " + input), style(CSS)), body(body.toArray(DomContent[]::new))));
    }

    static DomContent report(OopsReport r, int total) {
        DecodedOops d = r.decoded();
        List<DomContent> c = new ArrayList<>();
        c.add(h2("Report " + r.index() + " of " + total + ": " + r.found().title()));
        c.add(div(r.verdict()).withClass("verdict"));
        if (r.fault() != null) {
            c.add(ol(each(r.fault().evidence(), e -> li(e))));
        }
        for (String n : r.notes()) {
            c.add(div("Note: " + n).withClass("note"));
        }
        List<DomContent> rows = new ArrayList<>();
        rows.add(tr(th("Kind"), td(r.found().kind() + (r.found().corrupted() ? " (corrupted: " + r.found().corruptedReason() + ")" : ""))));
        rows.add(tr(th("Lines"), td(r.found().startLine() + "-" + r.found().endLine())));
        if (d.comm() != null) rows.add(tr(th("Task"), td(d.comm() + (d.pid() == null ? "" : ", pid " + d.pid()) + (d.cpu() == null ? "" : ", CPU " + d.cpu()))));
        if (d.release() != null) rows.add(tr(th("Kernel"), td(d.release() + (d.build() == null ? "" : " " + d.build()))));
        if (d.hardware() != null) rows.add(tr(th("Hardware"), td(d.hardware())));
        if (d.taint() != null) {
            rows.add(tr(th("Taint"), td(d.taint().tainted() ? div(each(d.taint().flags(), (TaintFlag f) -> div(f.letter() + " " + f.name() + ": " + f.meaning()))) : text("not tainted"))));
        }
        if (d.address() != null) rows.add(tr(th("Address"), td(Hex.format(d.address()) + (d.addressMeaning() == null || d.addressMeaning().summary() == null ? "" : ": " + d.addressMeaning().summary())).withClass("mono")));
        if (d.errorCode() != null) rows.add(tr(th("Error code"), td(div(String.format("0x%04x %s", d.errorCode().value(), d.errorCode().access() == null ? "" : d.errorCode().access())), div(each(d.errorCode().bits(), b -> div(b))))));
        if (d.esr() != null) rows.add(tr(th("ESR"), td(String.format("EC=0x%02x %s ISS=0x%x", d.esr().ec(), d.esr().ecName(), d.esr().iss()))));
        if (r.rip() != null) rows.add(tr(th("RIP"), td(TextRenderer.frameText(r.rip())).withClass("mono")));
        c.add(table(rows.toArray(DomContent[]::new)));
        if (!r.frames().isEmpty()) {
            c.add(h2("Call Trace"));
            List<DomContent> fr = new ArrayList<>();
            for (SymbolizedFrame f : r.frames()) {
                fr.add(tr(td(f.section() == null ? "" : f.section()), td((f.reliable() ? "" : "? ") + f.kernelSpelling()).withClass("mono"),
                        td(f.where() == null ? (f.debugInfo() == null ? "" : f.debugInfo()) : f.where()).withClass("src mono"))
                        .withCondClass(!f.reliable(), "unreliable"));
                if (f.inlined() != null) {
                    for (SymbolizedFrame.Inlined i : f.inlined()) {
                        fr.add(tr(td(""), td("inlined " + i.function() + "()").withClass("inl mono"), td(i.file() + ":" + i.line()).withClass("src mono")));
                    }
                }
            }
            c.add(table(fr.toArray(DomContent[]::new)));
        }
        if (r.code() != null) {
            c.add(h2("Code"));
            List<DomContent> lines = new ArrayList<>();
            for (CodeLine.Line l : r.code().lines()) {
                lines.add(div(String.format("%16x:  %-24s %s", l.instruction().address(), l.instruction().hex(), l.instruction().text()))
                        .withCondClass(l.faulting(), "fault"));
            }
            c.add(pre(each(lines, x -> x)));
        }
        if (d.panic() != null) {
            c.add(p("Kernel panic - not syncing: " + d.panic()));
        }
        c.add(details(summary("The report as printed"), pre(String.join("\n", r.found().lines()))));
        return section(c.toArray(DomContent[]::new));
    }
}
