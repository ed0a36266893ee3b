package org.coroner.disasm;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * objdump's {@code -d}/{@code -D} output parsed into instructions: address, bytes (continuation
 * lines of long instructions joined) and text with runs of blanks collapsed and trailing ones dropped.
 */
final class ObjdumpListing {
    record Line(long address, byte[] bytes, String text, String function) {
        String hex() {
            return HexFormat.ofDelimiter(" ").formatHex(bytes);
        }
    }

    private static final Pattern FUNC = Pattern.compile("^([0-9a-f]+) <(.*)>:$");
    private static final Pattern INSN = Pattern.compile("^ *([0-9a-f]+):\t([0-9a-f ]+?) *(?:\t(.*))?$");

    final List<Line> lines = new ArrayList<>();
    final Map<Long, Line> byAddress = new LinkedHashMap<>();
    /** Addresses where objdump starts a {@code <symbol>:} block (it decodes each block on its own). */
    final List<Long> blockStarts = new ArrayList<>();

    static ObjdumpListing parse(String out) {
        ObjdumpListing l = new ObjdumpListing();
        String func = null;
        long addr = -1;
        StringBuilder hex = null;
        String text = null;
        for (String s : out.split("\n")) {
            Matcher f = FUNC.matcher(s);
            if (f.matches()) {
                l.flush(addr, hex, text, func);
                hex = null;
                func = f.group(2);
                l.blockStarts.add(Long.parseUnsignedLong(f.group(1), 16));
                continue;
            }
            Matcher m = INSN.matcher(s);
            if (!m.matches()) {
                if (s.startsWith("Disassembly of section")) {
                    l.flush(addr, hex, text, func);
                    hex = null;
                    func = null;
                }
                continue;
            }
            if (m.group(3) == null) {
                // continuation of the previous instruction's bytes
                if (hex != null) {
                    hex.append(' ').append(m.group(2).trim());
                }
                continue;
            }
            l.flush(addr, hex, text, func);
            addr = Long.parseUnsignedLong(m.group(1), 16);
            hex = new StringBuilder(m.group(2).trim());
            text = norm(m.group(3));
        }
        l.flush(addr, hex, text, func);
        return l;
    }

    private void flush(long addr, StringBuilder hex, String text, String func) {
        if (hex == null) {
            return;
        }
        String h = hex.toString().replaceAll(" +", " ");
        byte[] bytes;
        if (h.matches("[0-9a-f]{8}")) {
            // arm64: objdump prints a little-endian instruction word, not its bytes in memory order
            byte[] w = HexFormat.of().parseHex(h);
            bytes = new byte[] {w[3], w[2], w[1], w[0]};
        } else {
            bytes = HexFormat.ofDelimiter(" ").parseHex(h);
        }
        Line line = new Line(addr, bytes, text, func);
        lines.add(line);
        byAddress.put(addr, line);
    }

    /** Collapses blanks (objdump pads mnemonics with spaces, arm64 uses a tab) and drops trailing ones. */
    static String norm(String s) {
        return s.replaceAll("[ \t]+", " ").strip();
    }
}
