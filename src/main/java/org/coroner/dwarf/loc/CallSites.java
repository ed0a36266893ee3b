package org.coroner.dwarf.loc;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.coroner.dwarf.CompileUnit;
import org.coroner.dwarf.Die;
import org.coroner.dwarf.Ranges;
import org.coroner.dwarf.Symbolizer;

/**
 * The call sites a compiler described ({@code DW_TAG_call_site}, DWARF 5, or GCC's
 * {@code DW_TAG_GNU_call_site} in DWARF 4): for a return address, the call that returns there, what
 * it called and the values of the arguments it passed in registers, as expressions over the caller's
 * frame ({@code DW_AT_call_value}). They answer a callee's {@code DW_OP_entry_value}.
 */
public final class CallSites {
    static final int DW_TAG_call_site = 0x48, DW_TAG_call_site_parameter = 0x49, DW_TAG_GNU_call_site = 0x4109,
            DW_TAG_GNU_call_site_parameter = 0x410a;
    static final int DW_AT_low_pc = 0x11, DW_AT_abstract_origin = 0x31, DW_AT_call_return_pc = 0x7d, DW_AT_call_value = 0x7e,
            DW_AT_call_origin = 0x7f, DW_AT_call_tail_call = 0x82, DW_AT_call_target = 0x83, DW_AT_GNU_call_site_value = 0x2111,
            DW_AT_GNU_call_site_target = 0x2113, DW_AT_GNU_tail_call = 0x2115;

    /**
     * A call site: {@code target} is the expression of an indirect call's target (null for a direct
     * call), {@code origin} the DIE of the function called directly (null when not said).
     */
    public record CallSite(Die die, long returnPc, boolean tailCall, byte[] target, Die origin) {
    }

    private CallSites() {
    }

    /** The call that returns to {@code returnPc} (an address in the symbolizer's file), if described. */
    public static Optional<CallSite> returningTo(Symbolizer s, long returnPc) {
        List<Die> scopes = s.scopes(returnPc - 1);
        for (int i = scopes.size() - 1; i >= 0; i--) {
            Die scope = scopes.get(i);
            if (!scope.hasChildren()) {
                continue;
            }
            CompileUnit cu = scope.unit();
            long off = scope.next();
            while (true) {
                Die k = cu.readDie(off);
                if (k == null) {
                    break;
                }
                if (k.tag() == DW_TAG_call_site || k.tag() == DW_TAG_GNU_call_site) {
                    int at = k.tag() == DW_TAG_call_site ? DW_AT_call_return_pc : DW_AT_low_pc;
                    int idx = k.find(at);
                    if (idx >= 0 && Ranges.address(cu, k.abbrev().forms()[idx], k.values()[idx]) == returnPc) {
                        boolean tail = k.has(DW_AT_call_tail_call) || k.has(DW_AT_GNU_tail_call);
                        byte[] target = Variables.block(k, DW_AT_call_target)
                                .or(() -> Variables.block(k, DW_AT_GNU_call_site_target)).orElse(null);
                        long o = k.value(DW_AT_call_origin, k.value(DW_AT_abstract_origin, -1));
                        return Optional.of(new CallSite(k, returnPc, tail, target, o < 0 ? null : s.dieAt(o)));
                    }
                }
                off = k.hasChildren() ? (k.value(0x01, -1) > 0 ? k.value(0x01, -1) : cu.skipChildren(k)) : k.next();
            }
        }
        return Optional.empty();
    }

    /**
     * The expression for the value the call passed in the location {@code location} (a
     * {@code DW_OP_regN}, as the callee's entry value names it), if the call site describes it.
     */
    public static Optional<byte[]> argument(CallSite cs, byte[] location) {
        Die site = cs.die();
        if (!site.hasChildren()) {
            return Optional.empty();
        }
        CompileUnit cu = site.unit();
        long off = site.next();
        while (true) {
            Die k = cu.readDie(off);
            if (k == null) {
                return Optional.empty();
            }
            if (k.tag() == DW_TAG_call_site_parameter || k.tag() == DW_TAG_GNU_call_site_parameter) {
                Optional<byte[]> loc = Variables.block(k, Variables.DW_AT_location);
                if (loc.isPresent() && Arrays.equals(loc.get(), location)) {
                    return Variables.block(k, DW_AT_call_value).or(() -> Variables.block(k, DW_AT_GNU_call_site_value));
                }
            }
            off = k.hasChildren() ? cu.skipChildren(k) : k.next();
        }
    }
}
