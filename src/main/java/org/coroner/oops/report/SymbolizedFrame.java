package org.coroner.oops.report;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import org.coroner.oops.decode.Hex;

/**
 * A frame of the report with its source location from debug info.
 *
 * @param inlined   the functions inlined at that address, innermost first, each with where it is
 *                  (the frame's own function and file:line come last in {@code function}/{@code file})
 * @param debugInfo where the location came from ({@code vmlinux}, {@code crashlab.ko}), or why there is
 *                  none ({@code mismatched debug info: ...}, {@code no .ko for module X in --modules})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SymbolizedFrame(
        String function,
        @JsonSerialize(using = Hex.Serializer.class) Long offset,
        @JsonSerialize(using = Hex.Serializer.class) Long size,
        String module,
        boolean reliable,
        String section,
        @JsonSerialize(using = Hex.Serializer.class) Long address,
        String file,
        Integer line,
        List<Inlined> inlined,
        String debugInfo) {

    /** One inlined function at the frame's address and the place in it. */
    public record Inlined(String function, String file, int line) {
    }

    /** {@code func+0x23/0x36 [mod]} as the kernel prints it. */
    public String kernelSpelling() {
        String s = function == null ? (address == null ? "?" : Hex.format(address))
                : function + (offset == null ? "" : "+" + Hex.format(offset) + (size == null ? "" : "/" + Hex.format(size)));
        return module == null ? s : s + " [" + module + "]";
    }

    public String where() {
        return file == null ? null : file + ":" + (line == null || line == 0 ? "?" : line);
    }
}
