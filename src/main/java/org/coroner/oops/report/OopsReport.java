package org.coroner.oops.report;

import java.util.List;

import org.coroner.disasm.CodeLine;
import org.coroner.oops.FoundReport;
import org.coroner.oops.decode.DecodedOops;

/**
 * One crash report found in a log, decoded, symbolized and explained.
 *
 * @param verdict     one or two sentences: what happened, where, why (the first thing printed)
 * @param rip         the faulting location (RIP/pc) with its source location
 * @param frames      the Call Trace with source locations
 * @param code        the {@code Code:} bytes disassembled, the faulting instruction marked (null when absent)
 * @param fault       what the faulting instruction accessed, in source terms (null when not derivable)
 * @param notes       caveats: debug info mismatches, missing modules, a vmlinux of another release
 */
public record OopsReport(
        int index,
        FoundReport found,
        DecodedOops decoded,
        String verdict,
        SymbolizedFrame rip,
        List<SymbolizedFrame> frames,
        CodeLine.Decoded code,
        FaultExplanation fault,
        List<String> notes) {
}
