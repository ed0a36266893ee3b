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
 * {@code page_fault_oops(regs, error_code, address)}: CR2 and the #PF error code.
 *
 * @param address the faulting address (FAR, CR2)
 * @param syndrome ESR or the error code, when known
 * @param handler the frame it was read at: {@code do_mem_abort+0x4c}
 */
record FaultSyndrome(long address, OptionalLong syndrome, String handler, String addressName, String syndromeName,
                     String where) {
    /** Handler, address parameter, syndrome parameter. */
    private static final List<String[]> HANDLERS = List.of(
            new String[] {"do_mem_abort", "far", "esr"},
            new String[] {"page_fault_oops", "address", "error_code"});

    /** The syndrome from the handler frames between the panic and the exception frame; empty when not recoverable. */
    static Optional<FaultSyndrome> of(Session s, TaskTrace t, DumpFault.Trap trap) {
        List<DebugInfo.FrameVariablesOf> vars;
        try {
            vars = s.debugInfo().variables(t, s.backtracer());
        } catch (RuntimeException e) {
            return Optional.empty(); // the syndrome is corroboration: without it the fault is still explained
        }
        for (int i = 0; i < trap.index() && i < vars.size(); i++) {
            String fn = s.backtracer().symbolizer().function(t.frames().get(i).lookupPc());
            for (String[] h : HANDLERS) {
                if (!fn.equals(h[0])) {
                    continue;
                }
                OptionalLong addr = value(vars.get(i), h[1]);
                if (addr.isEmpty()) {
                    continue;
                }
                String where = vars.get(i).values().stream().filter(v -> v.name().equals(h[1]) && v.parameter())
                        .map(v -> v.where()).findFirst().orElse("");
                String frame = s.backtracer().symbolizer().frame(t.frames().get(i).pc(), t.frames().get(i).returnAddress())
                        .map(n -> n.kernel()).orElse(fn);
                return Optional.of(new FaultSyndrome(addr.getAsLong(), value(vars.get(i), h[2]), frame, h[1], h[2], where));
            }
        }
        return Optional.empty();
    }

    private static OptionalLong value(DebugInfo.FrameVariablesOf f, String name) {
        return f.values().stream().filter(v -> v.parameter() && v.name().equals(name) && v.value().isPresent())
                .map(v -> v.value()).findFirst().orElse(OptionalLong.empty());
    }

    /** The evidence: the address and the syndrome decoded. */
    Evidence evidence(boolean arm64) {
        String what;
        if (syndrome.isEmpty()) {
            what = "";
        } else if (arm64) {
            Esr e = Esr.decode(syndrome.getAsLong());
            what = ", " + syndromeName + " = " + Hex.format(syndrome.getAsLong()) + " (EC " + Hex.format(e.ec()) + " " + e.ecName()
                    + (e.abort() == null ? "" : ": " + (e.abort().data() ? "data abort, DFSC " : "instruction abort, IFSC ")
                    + Hex.format(e.abort().fsc()) + " " + e.abort().fscName() + ", a " + e.abort().access()) + ")";
        } else {
            PageFaultErrorCode c = PageFaultErrorCode.decode(syndrome.getAsLong(), "dump", false, null, null);
            what = ", " + syndromeName + " = " + Hex.format(syndrome.getAsLong()) + " (" + c.access() + ", " + c.cause() + ")";
        }
        return Evidence.of("dwarf", "The fault handler " + handler + " received " + addressName + " = " + Hex.format(address)
                        + " (" + (arm64 ? "FAR_EL1" : "CR2") + ", the faulting address)" + what + ".",
                "parameters '" + addressName + "' and '" + syndromeName + "' of " + handler.replaceFirst("\\+.*$", "")
                        + " at its frame" + (where.isEmpty() ? "" : " (" + where + ")")
                        + ": DWARF locations with the registers CFI recovers from the dump");
    }
}
