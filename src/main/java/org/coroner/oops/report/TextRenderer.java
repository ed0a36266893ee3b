package org.coroner.oops.report;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

import org.coroner.disasm.CodeLine;
import org.coroner.oops.decode.AddressMeaning;
import org.coroner.oops.decode.DecodedOops;
import org.coroner.oops.decode.Esr;
import org.coroner.oops.decode.Hex;
import org.coroner.oops.decode.LinkedModule;
import org.coroner.oops.decode.PageFaultErrorCode;
import org.coroner.oops.decode.RegisterSet;
import org.coroner.oops.decode.TaintFlag;

/** The human report: the verdict first, then the decoded details. */
public final class TextRenderer {
    private TextRenderer() {
    }

    /** One report in full. */
    public static void full(OopsReport r, int total, PrintWriter out) {
        DecodedOops d = r.decoded();
        out.printf("== Report %d of %d (lines %d-%d): %s%s%n", r.index(), total, r.found().startLine(),
                r.found().endLine(), r.found().title(), r.found().corrupted() ? "  [corrupted: " + r.found().corruptedReason() + "]" : "");
        out.println();
        out.println(r.verdict());
        if (r.fault() != null && !r.fault().evidence().isEmpty()) {
            out.println();
            out.println("How the faulting access was worked out:");
            int i = 1;
            for (String e : r.fault().evidence()) {
                out.printf("  %d. %s%n", i++, e);
            }
        }
        for (String n : r.notes()) {
            out.println("Note: " + n);
        }
        out.println();
        row(out, "Kind", r.found().kind());
        if (d.fault() != null) {
            row(out, "Reported", d.fault());
        }
        if (d.oops() != null) {
            row(out, "Oops", String.join(" ", nonNull(d.oops().code(), d.oops().count() == null ? null : "[#" + d.oops().count() + "]",
                    d.oops().flags() == null ? null : String.join(" ", d.oops().flags()))));
        }
        StringBuilder task = new StringBuilder();
        if (d.comm() != null) task.append(d.comm());
        if (d.pid() != null) task.append(", pid ").append(d.pid());
        if (d.cpu() != null) task.append(", CPU ").append(d.cpu());
        if (!task.isEmpty()) row(out, "Task", task.toString());
        if (d.release() != null) row(out, "Kernel", d.release() + (d.build() == null ? "" : " " + d.build()));
        if (d.arch() != null) row(out, "Arch", d.arch().name().toLowerCase());
        if (d.hardware() != null) row(out, "Hardware", d.hardware());
        if (d.taint() != null) {
            if (!d.taint().tainted()) {
                row(out, "Taint", "not tainted");
            } else {
                row(out, "Taint", d.taint().letters());
                for (TaintFlag f : d.taint().flags()) {
                    out.printf("%14s %c  %s: %s%n", "", f.letter(), f.name(), f.meaning());
                }
                for (Character c : d.taint().unknownLetters()) {
                    out.printf("%14s %c  (a letter this table does not know)%n", "", c);
                }
            }
        }
        if (d.address() != null) {
            row(out, "Address", Hex.format(d.address()) + (d.addressSource() == null ? "" : "  (from " + d.addressSource() + ")"));
            AddressMeaning m = d.addressMeaning();
            if (m != null) {
                if (m.findings() != null) {
                    for (AddressMeaning.Finding f : m.findings()) {
                        out.printf("%14s %s%s%n", "", f.detail() != null ? f.detail() : f.kind() + " " + f.name(),
                                f.registers() == null || f.registers().isEmpty() ? "" : "  (also in " + String.join(", ", f.registers()) + ")");
                    }
                }
                if (m.region() != null) {
                    out.printf("%14s region: %s [%s-%s] (%s%s)%n", "", m.region().name(),
                            m.region().start() == null ? "?" : Hex.format(m.region().start()),
                            m.region().end() == null ? "?" : Hex.format(m.region().end()), m.region().layout(),
                            m.region().nominal() ? ", nominal: KASLR may move it" : "");
                }
            }
        }
        PageFaultErrorCode pf = d.errorCode();
        if (pf != null) {
            row(out, "Error code", String.format("0x%04x (%s)%s", pf.value(), pf.source(),
                    pf.access() == null ? "" : ": " + pf.access() + (pf.cause() == null ? "" : ", " + pf.cause())));
            for (String bit : pf.bits()) {
                out.printf("%14s %s%n", "", bit);
            }
        }
        Esr esr = d.esr();
        if (esr != null) {
            row(out, "ESR", String.format("%s EC=0x%02x %s, IL=%d, ISS=0x%x", esr.value() == null ? "?" : Hex.format(esr.value()),
                    esr.ec(), esr.ecName(), esr.il(), esr.iss()));
            if (esr.abort() != null) {
                Esr.Abort a = esr.abort();
                out.printf("%14s %s abort, %s (FSC 0x%02x)%s%s%n", "", a.data() ? "data" : "instruction", a.fscName(), a.fsc(),
                        a.wnr() == null ? "" : a.wnr() ? ", write (WnR=1)" : ", read (WnR=0)",
                        a.access() == null ? "" : ", " + a.access());
            }
            if (esr.brk() != null) {
                out.printf("%14s BRK #0x%x: %s%n", "", esr.brk().comment(), esr.brk().meaning());
            }
        }
        if (r.rip() != null) {
            row(out, d.arch() == org.coroner.oops.decode.Arch.ARM64 ? "pc" : "RIP", frameText(r.rip()));
        }
        if (d.lr() != null) {
            row(out, "lr", d.lr().toString());
        }
        if (d.registers() != null) {
            registers(out, "Registers", d.registers());
        }
        if (!r.frames().isEmpty()) {
            out.println();
            out.println("Call Trace:");
            String section = null;
            for (SymbolizedFrame f : r.frames()) {
                if (f.section() != null && !f.section().equals(section)) {
                    section = f.section();
                    out.println("  <" + section + ">");
                }
                out.println("  " + frameText(f));
                inlined(out, f);
            }
            long unreliable = r.frames().stream().filter(f -> !f.reliable()).count();
            if (unreliable > 0) {
                out.println("  (" + unreliable + " frames marked '?' are return addresses the kernel's unwinder found on the"
                        + " stack but could not prove part of the call chain)");
            }
        }
        if (d.userRegisters() != null) {
            registers(out, "User registers", d.userRegisters());
        }
        if (d.modules() != null && !d.modules().isEmpty()) {
            out.println();
            out.println("Modules linked in: " + String.join(" ", d.modules().stream()
                    .map(m -> m.name() + (m.flags() == null || m.flags().isEmpty() ? "" : "(" + m.flags() + ")")).toList()));
            for (LinkedModule m : d.modules()) {
                for (TaintFlag f : m.taints()) {
                    out.printf("  %s: %c %s%n", m.name(), f.letter(), f.meaning());
                }
            }
        }
        if (d.kernelOffset() != null) {
            out.println(d.kernelOffset().disabled() ? "Kernel Offset: disabled"
                    : "Kernel Offset: " + Hex.format(d.kernelOffset().offset()) + (d.kernelOffset().base() == null ? ""
                    : " from " + Hex.format(d.kernelOffset().base())));
        }
        if (r.code() != null) {
            out.println();
            out.println("Code (the bytes around the faulting instruction, disassembled; '*' marks it):");
            code(out, r.code());
        }
        if (d.panic() != null) {
            out.println();
            out.println("Kernel panic - not syncing: " + d.panic());
        }
        out.println();
    }

    /** One line for a report not printed in full. */
    public static void summary(OopsReport r, PrintWriter out) {
        summary(r.index(), r.found(), out);
    }

    /** The one line of a report that is not printed in full: what the finder read of it. */
    public static void summary(int index, org.coroner.oops.FoundReport found, PrintWriter out) {
        out.printf("Report %d (lines %d-%d): %s%s%n", index, found.startLine(), found.endLine(), found.title(),
                found.corrupted() ? "  [corrupted]" : "");
    }

    static String frameText(SymbolizedFrame f) {
        String s = (f.reliable() ? "" : "? ") + f.kernelSpelling();
        if (f.file() != null) {
            String where = f.inlined() != null && !f.inlined().isEmpty()
                    ? f.inlined().get(0).file() + ":" + f.inlined().get(0).line() : f.where();
            s = String.format("%-56s %s", s, where);
        } else if (f.debugInfo() != null) {
            s = String.format("%-56s (%s)", s, f.debugInfo());
        }
        return s;
    }

    private static void inlined(PrintWriter out, SymbolizedFrame f) {
        if (f.inlined() == null || f.inlined().isEmpty()) {
            return;
        }
        List<SymbolizedFrame.Inlined> in = f.inlined();
        for (int i = 0; i < in.size(); i++) {
            String caller = i + 1 < in.size() ? in.get(i + 1).function() : f.function();
            String at = i + 1 < in.size() ? in.get(i + 1).file() + ":" + in.get(i + 1).line() : f.where();
            out.printf("      %s() inlined into %s() at %s%n", in.get(i).function(), caller, at);
        }
    }

    private static void registers(PrintWriter out, String title, RegisterSet rs) {
        out.println();
        out.println(title + ":");
        StringBuilder line = new StringBuilder("  ");
        int n = 0;
        for (Map.Entry<String, Long> e : rs.values().entrySet()) {
            line.append(String.format("%-4s %016x  ", e.getKey() + ":", e.getValue()));
            if (++n % 3 == 0) {
                out.println(line.toString().stripTrailing());
                line = new StringBuilder("  ");
            }
        }
        if (n % 3 != 0) {
            out.println(line.toString().stripTrailing());
        }
        if (rs.flagsText() != null) {
            out.println("  " + rs.flagsText());
        }
    }

    static void code(PrintWriter out, CodeLine.Decoded c) {
        for (CodeLine.Line l : c.lines()) {
            out.printf("%s %16x:  %-24s %s%s%n", l.faulting() ? "*" : " ", l.instruction().address(), l.instruction().hex(),
                    l.instruction().text(), l.faulting() ? "    <-- faulting instruction" : l.uncertain() ? "    (start uncertain)" : "");
        }
        if (c.fault() < 0) {
            out.println("  (no faulting-instruction marker in the Code: line)");
        }
    }

    private static void row(PrintWriter out, String key, String value) {
        out.printf("%-13s %s%n", key + ":", value);
    }

    private static List<String> nonNull(String... s) {
        return java.util.Arrays.stream(s).filter(x -> x != null && !x.isEmpty()).toList();
    }
}
