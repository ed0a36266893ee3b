package org.coroner.oops.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.disasm.Arch;
import org.coroner.disasm.CodeLine;
import org.coroner.disasm.DisassemblerUnavailableException;
import org.coroner.oops.FoundReport;
import org.coroner.oops.decode.AddressMeaning;
import org.coroner.oops.decode.DecodedOops;
import org.coroner.oops.decode.Frame;
import org.coroner.oops.decode.Hex;
import org.coroner.oops.decode.Location;

/** Turns found reports into decoded, symbolized and explained {@link OopsReport}s. */
public final class OopsAnalyzer {
    private final DebugFiles debug;

    public OopsAnalyzer(DebugFiles debug) {
        this.debug = debug;
    }

    public OopsReport analyze(int index, FoundReport found) {
        DecodedOops d = org.coroner.oops.decode.OopsDecoder.decode(found.lines());
        List<String> notes = new ArrayList<>();
        boolean symbolize = debug != null && debug.hasVmlinux();
        if (debug != null) {
            debug.checkArch(d.arch());
            if (symbolize && d.release() != null) {
                debug.release().filter(r -> !r.equals(d.release())).ifPresent(r -> notes.add(
                        "the report's kernel is " + d.release() + " but " + debug.vmlinuxPath() + " is " + r
                                + ": source locations below are from that other build and may be wrong"));
            }
        }
        SymbolizedFrame rip = d.rip() == null ? null
                : debug == null ? plain(d.rip()) : debug.symbolize(d.rip());
        List<SymbolizedFrame> frames = new ArrayList<>();
        if (d.frames() != null) {
            for (Frame f : d.frames()) {
                frames.add(debug == null ? plain(f) : debug.symbolize(f));
            }
        }
        for (SymbolizedFrame f : frames) {
            if (f.debugInfo() != null && (f.debugInfo().contains("mismatch") || f.debugInfo().startsWith("no "))
                    && !notes.contains(f.debugInfo())) {
                notes.add(f.debugInfo());
            }
        }
        CodeLine.Decoded code = null;
        if (d.code() != null && d.code().raw() != null && !d.code().raw().isEmpty()) {
            Arch arch = d.arch() == org.coroner.oops.decode.Arch.I386 ? Arch.I386 : Arch.X86_64;
            String ipName = d.arch() == org.coroner.oops.decode.Arch.ARM64 ? "pc" : "RIP";
            Long ip = d.rip() != null && d.rip().address() != null ? d.rip().address()
                    : d.registers() != null ? d.registers().get(ipName) : null;
            try {
                Optional<CodeLine> cl = CodeLine.parse(d.code().raw(), arch);
                if (cl.isPresent()) {
                    // without the IP's address (RIP printed as symbol+offset only), offsets from the first byte, as decodecode
                    code = cl.get().decode(ip != null ? ip : Math.max(cl.get().marker(), 0));
                }
            } catch (DisassemblerUnavailableException e) {
                notes.add(e.getMessage());
            }
        }
        FaultExplanation fault = null;
        if (code != null && debug != null) {
            fault = FaultExplainer.explain(d, rip, code, debug).orElse(null);
        }
        return new OopsReport(index, found, d, verdict(found, d, rip, code, fault), rip, frames, code, fault, notes);
    }

    private static SymbolizedFrame plain(Frame f) {
        return new SymbolizedFrame(f.function(), f.offset(), f.size(), f.module(), f.reliable(), f.section(), f.address(),
                f.file(), f.line(), null, null);
    }

    private static SymbolizedFrame plain(Location l) {
        return new SymbolizedFrame(l.function(), l.offset(), l.size(), l.module(), true, null, l.address(), null, null, null,
                null);
    }

    /** What happened, where, why: built only from facts the report (and debug info) state. */
    static String verdict(FoundReport found, DecodedOops d, SymbolizedFrame rip, CodeLine.Decoded code, FaultExplanation fault) {
        StringBuilder b = new StringBuilder();
        String what = switch (found.kind()) {
            case "null-pointer-dereference" -> "NULL pointer dereference";
            case "paging-fault" -> "Bad memory access (page fault)";
            case "general-protection-fault" -> "General protection fault";
            case "bug" -> "BUG() assertion failed";
            case "warning" -> "WARNING";
            case "soft-lockup" -> "Soft lockup";
            case "hard-lockup" -> "Hard lockup";
            case "hung-task" -> "Hung task";
            case "rcu-stall" -> "RCU stall";
            case "list-corruption" -> "List corruption";
            case "panic" -> "Kernel panic";
            default -> found.title();
        };
        if (found.kind().equals("panic") && d.panic() != null) {
            what = "Kernel panic - not syncing: " + d.panic();
        }
        b.append(what);
        if (d.errorCode() != null && d.address() != null) {
            var pf = d.errorCode();
            b.append(": ").append(pf.instructionFetch() ? "instruction fetch" : pf.write() ? "write" : "read")
                    .append(pf.user() ? " from user mode" : "").append(" at ").append(Hex.format(d.address()));
            AddressMeaning m = d.addressMeaning();
            if (m != null && m.summary() != null) {
                b.append(" (").append(m.summary()).append(")");
            }
        } else if (d.address() != null) {
            b.append(" at address ").append(Hex.format(d.address()));
            if (d.addressMeaning() != null && d.addressMeaning().summary() != null) {
                b.append(" (").append(d.addressMeaning().summary()).append(")");
            }
        }
        if (rip != null && rip.function() != null) {
            b.append(" in ").append(rip.kernelSpelling());
            if (rip.file() != null) {
                String where = rip.inlined() != null && !rip.inlined().isEmpty()
                        ? rip.inlined().get(0).file() + ":" + rip.inlined().get(0).line() + " (inlined into " + rip.where() + ")"
                        : rip.where();
                b.append(" at ").append(where);
            }
        } else if (found.guiltyFrame() != null) {
            b.append(" in ").append(found.guiltyFrame());
        }
        if (d.comm() != null) {
            b.append(", task ").append(d.comm());
            if (d.pid() != null) {
                b.append(" (pid ").append(d.pid()).append(")");
            }
        }
        if (d.cpu() != null) {
            b.append(" on CPU ").append(d.cpu());
        }
        b.append('.');
        if (code != null) {
            code.faulting().ifPresent(l -> b.append(" Faulting instruction: ")
                    .append(l.instruction().text().replaceAll("\\s+", " ")).append('.'));
        }
        if (fault != null && fault.heldBy() != null) {
            b.append(' ').append('%').append(fault.register()).append(" held ").append(fault.heldBy());
            if (fault.loadedFrom() != null) {
                b.append(" (").append(fault.loadedFrom()).append(")");
            }
            if (fault.value() != null) {
                b.append(fault.value() == 0 ? ", which is NULL" : ", which is " + Hex.format(fault.value()));
            }
            if (fault.access() != null) {
                b.append("; the access is ").append(fault.access());
                if (fault.accessType() != null) {
                    b.append(" (").append(fault.accessType()).append(")");
                }
            }
            b.append('.');
        }
        if (d.panic() != null && !found.kind().equals("panic") && !found.kind().equals("hung-task")) {
            b.append(" Then: Kernel panic - not syncing: ").append(d.panic()).append('.');
        }
        return b.toString();
    }
}
