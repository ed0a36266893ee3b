package org.coroner.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.coroner.analyze.Analysis;
import org.coroner.analyze.DumpAnalyzer;
import org.coroner.analyze.Kind;
import org.coroner.analyze.LogAnalyzer;
import org.coroner.analyze.report.AnalysisHtml;
import org.coroner.analyze.report.AnalysisJson;
import org.coroner.analyze.report.AnalysisText;
import org.coroner.io.BadInputException;
import org.coroner.oops.report.DebugFiles;
import org.coroner.session.Session;

/** {@code coroner analyze}: the root cause of a crash, stated first, with its evidence. */
final class AnalyzeCommand implements Subcommand {
    static final Cli.Spec SPEC = new Cli.Spec("analyze",
            "Say why the kernel died: a verdict (kind, cause, location, confidence), the numbered evidence"
                    + " (each fact and how it was derived: register, memory read, DWARF, code, log), then the context.",
            "  coroner analyze [VMLINUX] VMCORE [--modules DIR]...",
            "  coroner analyze --log FILE [--vmlinux PATH] [--modules DIR]...",
            "Kinds: null-pointer-dereference, bad-pointer-dereference, use-after-list-del, list-corruption,"
                    + " use-after-free, double-free, bug-on, warning, soft-lockup, hard-lockup, spinlock-deadlock,"
                    + " mutex-deadlock, hung-task, rcu-stall, stack-overflow, sysrq-triggered, out-of-memory, unknown.",
            "Exit code: 0 a verdict, 1 kind unknown, 2 bad input.")
            .parameters("[VMLINUX] VMCORE", 0, 2, "the vmcore, after the matching vmlinux (or give the vmlinux with --vmlinux)")
            .option("--log", "FILE", "analyze a console log or dmesg instead of a dump")
            .option("--vmlinux", "PATH", "the kernel's vmlinux with debug info")
            .repeatable("--modules", "DIR", "directory searched for NAME.ko (repeatable)")
            .flag("--json", "print JSON (schema in the README)")
            .option("--html", "FILE", "also write the analysis as one self-contained HTML page")
            .flag("--force", "open a dump even when the vmlinux does not match it");

    @Override
    public Cli.Spec spec() {
        return SPEC;
    }

    @Override
    public int run(Cli.Args args, PrintWriter out, PrintWriter err) throws Exception {
        List<Path> files = args.parameterPaths();
        Path log = args.path("--log");
        Path vmlinux = args.path("--vmlinux");
        List<Path> modules = args.paths("--modules");
        boolean json = args.flag("--json");
        Path html = args.path("--html");
        boolean force = args.flag("--force");
        Analysis a;
        if (log != null) {
            if (!files.isEmpty()) {
                throw new BadInputException(files.get(0), "--log analyzes a log: give the vmlinux with --vmlinux, not as an argument");
            }
            if (!Files.isRegularFile(log)) {
                throw new BadInputException(log, "no such file");
            }
            try (DebugFiles debug = vmlinux == null && modules.isEmpty() ? null : new DebugFiles(vmlinux, modules)) {
                a = new LogAnalyzer(log, debug).analyze();
            }
        } else {
            Path vmcore;
            Path vml;
            if (files.size() == 2) {
                vml = files.get(0);
                vmcore = files.get(1);
            } else if (files.size() == 1 && vmlinux != null) {
                vml = vmlinux;
                vmcore = files.get(0);
            } else {
                throw new Cli.UsageException(SPEC, "give VMLINUX VMCORE (or VMCORE with --vmlinux), or --log FILE");
            }
            for (Path d : modules) {
                if (!Files.isDirectory(d)) {
                    throw new BadInputException(d, "no such directory");
                }
            }
            try (Session s = Session.open(vml, vmcore, modules, force)) {
                a = new DumpAnalyzer(s).analyze();
            }
        }
        if (json) {
            out.println(AnalysisJson.render(a));
        } else {
            AnalysisText.render(a, out);
        }
        if (html != null) {
            Files.writeString(html, AnalysisHtml.render(a), StandardCharsets.UTF_8);
            if (!json) {
                out.println("HTML report: " + html);
            }
        }
        out.flush();
        return a.verdict().kind() == Kind.UNKNOWN ? Main.NO_FINDING : Main.OK;
    }
}
