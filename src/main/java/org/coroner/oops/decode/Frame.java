package org.coroner.oops.decode;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * One line of a {@code Call Trace:} / {@code Call trace:}.
 *
 * @param reliable false for the {@code ? } frames: return addresses the unwinder found on the stack
 *                 but could not prove to be part of the call chain
 * @param section  the stack the frame is on, as the kernel labels it ({@code TASK}, {@code IRQ},
 *                 {@code SOFTIRQ}, {@code NMI}, {@code #DF}, {@code #MC}, ...); null when unlabelled
 * @param address  for bare-address frames ({@code ? 0xffffffffc04b2000}) and the old
 *                 {@code [<ffffffff81012345>] func+...} format
 * @param file     source file:line when the log itself was symbolized (syzkaller's format);
 *                 symbolization against debug info is another layer's job
 * @param inline   {@code [inline]} marker of such symbolized logs
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Frame(
        String function,
        @JsonSerialize(using = Hex.Serializer.class) Long offset,
        @JsonSerialize(using = Hex.Serializer.class) Long size,
        String module,
        String buildId,
        boolean reliable,
        String section,
        @JsonSerialize(using = Hex.Serializer.class) Long address,
        String file,
        Integer line,
        Boolean inline) {

    @Override
    public String toString() {
        String s = function == null ? (address == null ? "?" : Hex.format(address))
                : function + (offset == null ? "" : "+" + Hex.format(offset) + "/" + Hex.format(size));
        if (module != null) {
            s += " [" + module + "]";
        }
        return (reliable ? "" : "? ") + s;
    }
}
