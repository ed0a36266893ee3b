package org.coroner.analyze;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.coroner.kernel.stack.TaskTrace;
import org.coroner.oops.decode.Esr;
import org.coroner.oops.decode.Hex;
import org.coroner.oops.decode.PageFaultErrorCode;
import org.coroner.session.DebugInfo;
import org.coroner.session.Session;

/**
 * What the CPU itself said about a memory fault, read from the dump: the kernel's fault handler
 * received the faulting address and the syndrome as parameters, and their values are recovered at
 * its frame (DWARF locations with the CFI-recovered registers, as {@code bt -v} shows them). On
 * arm64 {@code do_mem_abort(far, esr, regs)}: FAR_EL1 and ESR_EL1; on x86_64
 * {@code page_fault_oops(regs, error_code, address)} for CR2 and {@code exc_page_fault(regs,
 * error_code)} for the #PF error code (page_fault_oops's copy is a call-clobbered register).
 *
 * @param address  the faulting address (FAR, CR2)
 * @param handler  the frame it was read at: {@code do_mem_abort+0x4c}
 * @param where    where its DWARF location put it
 * @param syndrome ESR or the error code, with the frame and place it was read at, when known
 */
record FaultSyndrome(long address, String handler, String addressName, String where, OptionalLong syndrome,
                     String syndromeHandler, String syndromeName, String syndromeWhere) {
    /** Handler and its parameter: the faulting address's, then the syndrome's. */
    private static final List<String[]> ADDRESS = List.of(new String[] {"do_mem_abort", "far"},
            new String[] {"page_fault_oops", "address"});
    private static final List<String[]> SYNDROME = List.of(new String[] {"do_mem_abort", "esr"},
            new String[] {"exc_page_fault", "error_code"}, new String[] {"page_fault_oops", "error_code"});

    /** The syndrome from the handler frames between the panic and the exception frame; empty when not recoverable. */
    static Optional<FaultSyndrome> of(Session s, TaskTrace t, DumpFault.Trap trap) {
        List<DebugInfo.FrameVariablesOf> vars;
        try {
            vars = s.debugInfo().variables(t, s.backtracer());
        } catch (RuntimeException e) {
            return Optional.empty(); // the syndrome is corroboration: without it the fault is still explained
        }
        Optional<String[]> addr = find(s, t, trap, vars, ADDRESS);
        if (addr.isEmpty()) {
            return Optional.empty();
        }
        Optional<String[]> syn = find(s, t, trap, vars, SYNDROME);
        return Optional.of(new FaultSyndrome(Long.parseUnsignedLong(addr.get()[3], 16), addr.get()[0], addr.get()[1],
                addr.get()[2], syn.map(x -> OptionalLong.of(Long.parseUnsignedLong(x[3], 16))).orElse(OptionalLong.empty()),
                syn.map(x -> x[0]).orElse(null), syn.map(x -> x[1]).orElse(null), syn.map(x -> x[2]).orElse(null)));
    }

    /** The first frame above the exception frame that is one of {@code handlers} with its parameter known: {frame, name, where, hex value}. */
    private static Optional<String[]> find(Session s, TaskTrace t, DumpFault.Trap trap, List<DebugInfo.FrameVariablesOf> vars,
                                           List<String[]> handlers) {
        for (int i = 0; i < trap.index() && i < vars.size(); i++) {
            var f = t.frames().get(i);
            String fn = s.backtracer().symbolizer().function(f.lookupPc());
            for (String[] h : handlers) {
                if (!fn.equals(h[0])) {
                    continue;
                }
                for (var v : vars.get(i).values()) {
                    if (v.parameter() && !v.inlined() && v.name().equals(h[1]) && v.value().isPresent()) {
                        String frame = s.backtracer().symbolizer().frame(f.pc(), f.returnAddress()).map(n -> n.kernel()).orElse(fn);
                        return Optional.of(new String[] {frame, h[1], v.where(), Long.toHexString(v.value().getAsLong())});
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The evidence: the address and the syndrome decoded. */
    Evidence evidence(boolean arm64) {
        String what;
        if (syndrome.isEmpty()) {
            what = "";
        } else if (arm64) {
            Esr e = Esr.decode(syndrome.getAsLong());
            what = syndromeName + " = " + Hex.format(syndrome.getAsLong()) + " (EC " + Hex.format(e.ec()) + " " + e.ecName()
                    + (e.abort() == null ? "" : ": " + (e.abort().data() ? "data abort, DFSC " : "instruction abort, IFSC ")
                    + Hex.format(e.abort().fsc()) + " " + e.abort().fscName() + ", a " + e.abort().access()) + ")";
        } else {
            PageFaultErrorCode c = PageFaultErrorCode.decode(syndrome.getAsLong(), "dump", false, null, null);
            what = syndromeName + " = " + Hex.format(syndrome.getAsLong()) + " (" + c.access() + ", " + c.cause() + ")";
        }
        return Evidence.of("dwarf", "The fault handler " + handler + " received " + addressName + " = " + Hex.format(address)
                        + " (" + (arm64 ? "FAR_EL1" : "CR2") + ", the faulting address)" + (syndromeHandler == null ? ""
                        : syndromeHandler.equals(handler) ? ", " + what : "; " + syndromeHandler + " received " + what) + ".",
                "parameter '" + addressName + "' of " + handler.replaceFirst("\\+.*$", "") + " (" + where + ")"
                        + (syndromeHandler == null ? "" : ", '" + syndromeName + "' of " + syndromeHandler.replaceFirst("\\+.*$", "")
                        + " (" + syndromeWhere + ")") + ": DWARF locations with the registers CFI recovers from the dump");
    }
}
