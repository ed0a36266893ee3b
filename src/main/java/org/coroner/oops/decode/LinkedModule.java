package org.coroner.oops.decode;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * An entry of {@code Modules linked in:}. {@code flags} is the parenthesised text as printed
 * ({@code OE+}); {@code taints} the taint letters among it, {@code loading}/{@code unloading}
 * the module's state ('+' / '-').
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record LinkedModule(String name, String flags, List<TaintFlag> taints, boolean loading, boolean unloading) {

    static LinkedModule of(String name, String flags) {
        if (flags == null || flags.isEmpty()) {
            return new LinkedModule(name, null, List.of(), false, false);
        }
        var taints = flags.chars().mapToObj(c -> TaintFlag.byLetter((char) c)).flatMap(java.util.Optional::stream).toList();
        return new LinkedModule(name, flags, taints, flags.indexOf('+') >= 0, flags.indexOf('-') >= 0);
    }
}
