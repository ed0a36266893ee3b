package org.coroner.oops.decode;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The {@code Code:} line, kept as data for a disassembler.
 *
 * <p>x86 prints bytes, the one at the instruction pointer marked {@code <48>} (or {@code (48)} when
 * the pointer is not at an instruction start the kernel trusts); arm64 prints 32-bit words in
 * host order with the faulting one as {@code (f9400000)}, arm32 Thumb 16-bit halfwords.
 * {@code hex} is the code in memory order (arm64 words stored little-endian), {@code markedByte}
 * the index in it where the marked unit starts, so the code starts at {@code ip - markedByte}.
 * {@code note} carries the kernel's words when there are no bytes ({@code Unable to access opcode
 * bytes at 0x...}, {@code Bad RIP value.}); {@code truncated} says unreadable tokens cut the line short.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CodeBytes(
        String raw,
        int unitSize,
        List<String> units,
        Integer markedUnit,
        Integer markedByte,
        String hex,
        String note,
        boolean truncated) {

    /** Parses the text after {@code Code: }; never throws, never null. */
    public static CodeBytes parse(String text) {
        String raw = text == null ? "" : text.strip();
        String[] tokens = raw.isEmpty() ? new String[0] : raw.split("\\s+");
        List<String> units = new ArrayList<>();
        Integer marked = null;
        int unitSize = 0;
        boolean truncated = false;
        for (String tok : tokens) {
            boolean isMarked = false;
            String t = tok;
            if ((t.startsWith("<") && t.endsWith(">")) || (t.startsWith("(") && t.endsWith(")"))) {
                t = t.substring(1, t.length() - 1);
                isMarked = true;
            }
            int len = t.length();
            boolean hexTok = len > 0 && len % 2 == 0 && len <= 8 && t.chars().allMatch(c -> Character.digit(c, 16) >= 0);
            if (!hexTok || (unitSize != 0 && len / 2 != unitSize)) {
                truncated = !units.isEmpty();
                break;
            }
            unitSize = len / 2;
            if (isMarked && marked == null) {
                marked = units.size();
            }
            units.add(t.toLowerCase());
        }
        if (units.isEmpty()) {
            return new CodeBytes(raw, 0, List.of(), null, null, null, raw.isEmpty() ? null : raw, false);
        }
        StringBuilder hex = new StringBuilder();
        for (String u : units) {
            // multi-byte units are printed as numbers: memory order is little-endian on arm64/arm/x86
            for (int i = u.length() - 2; i >= 0; i -= 2) {
                hex.append(u, i, i + 2);
            }
        }
        return new CodeBytes(raw, unitSize, List.copyOf(units), marked, marked == null ? null : marked * unitSize,
                hex.toString(), null, truncated);
    }

    /** The code bytes in memory order, for a disassembler; empty when none were printed. */
    @JsonIgnore
    public byte[] bytes() {
        return hex == null ? new byte[0] : HexFormat.of().parseHex(hex);
    }
}
