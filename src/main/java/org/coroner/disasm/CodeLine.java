package org.coroner.disasm;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bytes of an Oops {@code Code:} line and the faulting instruction's marker, decoded as the
 * kernel's {@code scripts/decodecode} does.
 * <ul>
 * <li>x86: bytes {@code 48 8b 43 28}, the byte at the instruction pointer in {@code <48>} (or
 * {@code (48)}); arm64: little-endian 32-bit words {@code f9401662}, the faulting one in
 * {@code (f9400441)}; a line may have no marker at all.</li>
 * <li>x86 code is variable-length and the line starts at an arbitrary byte before the IP, so when
 * decoding from the first byte does not put an instruction boundary on the marked byte, the first
 * byte is dropped, then the second, ... until one does (decodecode's approach); the instructions
 * before the marker are then flagged {@linkplain Line#uncertain() uncertain}.</li>
 * </ul>
 *
 * @param bytes  the code bytes in memory order
 * @param marker offset of the marked (faulting) byte in {@code bytes}, or -1 when the line has none
 */
public record CodeLine(Arch arch, byte[] bytes, int marker) {
    private static final Pattern CODE = Pattern.compile("Code:\\s*(.*)$");
    private static final Pattern TOKEN = Pattern.compile("^([<(]?)([0-9a-fA-F]+)([>)]?)$");

    public CodeLine {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public boolean hasMarker() {
        return marker >= 0;
    }

    /**
     * Parses the text after {@code Code:} (the log prefix and {@code Code:} itself may be included).
     * {@code x86Arch} says which x86 flavour byte-wise lines are ({@link Arch#X86_64} or
     * {@link Arch#I386}); lines of 8-digit words are arm64. Empty when the line carries no bytes
     * ({@code Code: Unable to access opcode bytes at ...}, {@code Code: Bad RIP value.}) or is not
     * made of such tokens.
     */
    public static Optional<CodeLine> parse(String line, Arch x86Arch) {
        Matcher m = CODE.matcher(line);
        String body = m.find() ? m.group(1) : line;
        String[] tokens = body.trim().split("\\s+");
        if (tokens.length == 0 || tokens[0].isEmpty()) {
            return Optional.empty();
        }
        int width = -1;
        List<Byte> out = new ArrayList<>();
        int marker = -1;
        for (String t : tokens) {
            Matcher tm = TOKEN.matcher(t);
            if (!tm.matches()) {
                return Optional.empty();
            }
            boolean open = !tm.group(1).isEmpty();
            boolean close = !tm.group(3).isEmpty();
            if (open != close || (open && !(tm.group(1).equals("<") == tm.group(3).equals(">")))) {
                return Optional.empty();
            }
            String hex = tm.group(2);
            if (width < 0) {
                width = hex.length();
            }
            if (hex.length() != width || (width != 2 && width != 8)) {
                return Optional.empty();
            }
            if (open) {
                if (marker >= 0) {
                    return Optional.empty(); // two markers: not a Code line we understand
                }
                marker = out.size();
            }
            long v = Long.parseLong(hex, 16);
            // words are printed as numbers: in memory they are little-endian
            for (int k = 0; k < width / 2; k++) {
                out.add((byte) (v >>> (8 * k)));
            }
        }
        byte[] b = new byte[out.size()];
        for (int k = 0; k < b.length; k++) {
            b[k] = out.get(k);
        }
        Arch arch = width == 8 ? Arch.ARM64 : x86Arch;
        return Optional.of(new CodeLine(arch, b, marker));
    }

    /** One decoded instruction of the line. */
    public record Line(Instruction instruction, boolean faulting, boolean uncertain) {
    }

    /**
     * The decoding.
     *
     * @param lines   the instructions in address order
     * @param skipped how many leading bytes were dropped to land on the marker (x86 only)
     * @param fault   index of the faulting instruction in {@code lines}, or -1 (no marker, or no
     *                start offset puts a boundary on it)
     */
    public record Decoded(List<Line> lines, int skipped, int fault) {
        public Optional<Line> faulting() {
            return fault < 0 ? Optional.empty() : Optional.of(lines.get(fault));
        }
    }

    /**
     * Decodes the line with the marked byte at {@code ip} (the RIP/pc of the report); without a
     * marker, {@code ip} is the address of the first byte.
     */
    public Decoded decode(long ip) {
        Disassembler d = Disassembler.of(arch);
        long base = marker >= 0 ? ip - marker : ip;
        if (marker < 0) {
            List<Line> lines = new ArrayList<>();
            for (Instruction i : d.disassemble(bytes, base, 0)) {
                lines.add(new Line(i, false, false));
            }
            return new Decoded(lines, 0, -1);
        }
        // the faulting instruction and what follows are certain: the IP is an instruction boundary
        byte[] tail = java.util.Arrays.copyOfRange(bytes, marker, bytes.length);
        List<Instruction> after = d.disassemble(tail, ip, 0);
        // before it: the first start offset whose decoding ends exactly on the marker
        int width = arch.fixedWidth();
        for (int start = 0; start <= marker; start += width == 0 ? 1 : width) {
            byte[] head = java.util.Arrays.copyOfRange(bytes, start, marker);
            List<Instruction> before = d.disassemble(head, base + start, 0);
            boolean lands = before.isEmpty() ? start == marker
                    : before.get(before.size() - 1).end() == ip;
            boolean clean = before.stream().noneMatch(Instruction::isBad);
            if (lands && (clean || width != 0)) {
                boolean uncertain = start > 0;
                List<Line> lines = new ArrayList<>();
                for (Instruction i : before) {
                    lines.add(new Line(i, false, uncertain || i.isBad()));
                }
                int fault = lines.size();
                for (Instruction i : after) {
                    lines.add(new Line(i, lines.size() == fault, false));
                }
                return new Decoded(lines, start, fault);
            }
        }
        // nothing lands (cannot happen for fixed widths): show only what is certain
        List<Line> lines = new ArrayList<>();
        for (Instruction i : after) {
            lines.add(new Line(i, lines.isEmpty(), false));
        }
        return new Decoded(lines, marker, 0);
    }
}
