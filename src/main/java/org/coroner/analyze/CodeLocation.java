package org.coroner.analyze;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where in the code: a function, its file:line (the innermost inlined function's place when the
 * address is in inlined code), its module (null for vmlinux), the run-time address.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CodeLocation(String function, String symbol, String file, Integer line, String module, String address) {
    /** {@code create_oops() at crashlab.c:39 [crashlab]}. */
    public String text() {
        StringBuilder b = new StringBuilder();
        b.append(function == null ? (symbol == null ? address : symbol) : function + "()");
        if (file != null) {
            b.append(" at ").append(file).append(':').append(line == null ? "?" : line);
        }
        if (module != null) {
            b.append(" [").append(module).append(']');
        }
        return b.toString();
    }
}
