package org.coroner.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.coroner.io.BadInputException;
import org.coroner.oops.FoundReport;
import org.coroner.oops.ReportFinder;
import org.coroner.oops.report.DebugFiles;
import org.coroner.oops.report.HtmlRenderer;
import org.coroner.oops.report.JsonRenderer;
import org.coroner.oops.report.OopsAnalyzer;
import org.coroner.oops.report.OopsReport;
import org.coroner.oops.report.TextRenderer;

/** {@code coroner oops FILE|-}: find, decode, symbolize and explain every crash report in a log. */
final class OopsCommand implements Subcommand {
    static final Cli.Spec SPEC = new Cli.Spec("oops",
            "Find every kernel crash report (Oops, BUG, WARNING, lockup, hung task, RCU stall, KASAN, panic)"
                    + " in a console log or dmesg, decode it, symbolize it against debug info and explain the fault.",
            "Exit code: 0 a report was found, 1 no crash report found, 2 bad input.")
            .parameters("FILE", 1, 1, "the log (console, dmesg, journal, syslog); - for standard input")
            .option("--vmlinux", "PATH", "the kernel's vmlinux with debug info (file:line, inlined callers)")
            .repeatable("--modules", "DIR", "directory searched for NAME.ko of modules in the trace (repeatable)")
            .flag("--json", "print JSON (schema in the README)")
            .flag("--all", "print every report in full (default: the first in full, the others one line each)")
            .option("--html", "FILE", "also write the reports as one self-contained HTML page");

    @Override
    public Cli.Spec spec() {
        return SPEC;
    }

    @Override
    public int run(Cli.Args args, PrintWriter out, PrintWriter err) throws IOException {
        String input = args.parameters.get(0);
        Path vmlinux = args.path("--vmlinux");
        List<Path> modules = args.paths("--modules");
        boolean json = args.flag("--json");
        boolean all = args.flag("--all");
        Path html = args.path("--html");
        List<FoundReport> found;
        String name;
        if (input.equals("-")) {
            name = "<stdin>";
            found = ReportFinder.findAll(System.in.readAllBytes());
        } else {
            Path p = Path.of(input);
            name = input;
            if (!Files.exists(p)) {
                throw new BadInputException(p, "no such file");
            }
            found = ReportFinder.findAll(p);
        }
        try (DebugFiles debug = vmlinux == null && modules.isEmpty() ? null : new DebugFiles(vmlinux, modules)) {
            if (found.isEmpty()) {
                if (json) {
                    out.println(JsonRenderer.render(name, List.of()));
                } else {
                    err.println("coroner: " + name + ": no crash report found");
                }
                return Main.NO_FINDING;
            }
            OopsAnalyzer a = new OopsAnalyzer(debug);
            if (!json && !all && html == null) {
                // the default text: the first report in full, the others a line each from what the
                // finder read (decoding and symbolizing a log's every report would cost about a
                // millisecond each, minutes for a log of 200,000)
                TextRenderer.full(a.analyze(1, found.get(0)), found.size(), out);
                for (int i = 1; i < found.size(); i++) {
                    TextRenderer.summary(i + 1, found.get(i), out);
                }
                if (found.size() > 1) {
                    out.println("(" + (found.size() - 1) + " more report" + (found.size() > 2 ? "s" : "")
                            + " above in one line each; --all prints them in full)");
                }
                out.flush();
                return Main.OK;
            }
            List<OopsReport> reports = new ArrayList<>();
            for (int i = 0; i < found.size(); i++) {
                reports.add(a.analyze(i + 1, found.get(i)));
            }
            if (json) {
                out.println(JsonRenderer.render(name, reports));
            } else {
                for (OopsReport r : reports) {
                    if (all || r.index() == 1) {
                        TextRenderer.full(r, reports.size(), out);
                    } else {
                        TextRenderer.summary(r, out);
                    }
                }
                if (!all && reports.size() > 1) {
                    out.println("(" + (reports.size() - 1) + " more report" + (reports.size() > 2 ? "s" : "")
                            + " above in one line each; --all prints them in full)");
                }
            }
            if (html != null) {
                Files.writeString(html, HtmlRenderer.render(name, reports), StandardCharsets.UTF_8);
                if (!json) {
                    out.println("HTML report: " + html);
                }
            }
            out.flush();
            return Main.OK;
        }
    }
}
