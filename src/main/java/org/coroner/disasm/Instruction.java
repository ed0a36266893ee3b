package org.coroner.disasm;

import java.util.HexFormat;

/**
 * One decoded instruction, its text already in objdump's style: {@code mnemonic} as objdump prints
 * it (prefixes such as {@code lock}/{@code rep}/{@code cs} included, separated by a space) and
 * {@code operands} as objdump prints them, without the {@code <symbol+off>} of branch targets
 * ({@link #text(SymbolResolver)} adds that).
 *
 * @param target for direct branches and calls, the destination address; otherwise {@code -1}
 *               ({@link #hasTarget()}) -- kernel addresses are negative as signed longs, so test with hasTarget
 */
public record Instruction(long address, byte[] bytes, String mnemonic, String operands, long target, boolean hasTarget) {

    public Instruction {
        bytes = bytes.clone();
    }

    public Instruction(long address, byte[] bytes, String mnemonic, String operands) {
        this(address, bytes, mnemonic, operands, 0, false);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    /** The address just after this instruction. */
    public long end() {
        return address + bytes.length;
    }

    /** {@code mnemonic operands} as objdump prints it (objdump pads the mnemonic to 6 columns plus a space). */
    public String text() {
        return operands.isEmpty() ? mnemonic : pad(mnemonic) + operands;
    }

    /** {@link #text()} with the branch target symbolized as objdump does: {@code call ffffffff81000000 <f+0x10>}. */
    public String text(SymbolResolver symbols) {
        String t = text();
        if (hasTarget && symbols != null) {
            String s = symbols.resolve(target);
            if (s != null) {
                t = t + " <" + s + ">";
            }
        }
        return t;
    }

    /** The bytes as objdump prints them: {@code 48 8b 47 08}. */
    public String hex() {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }

    private static String pad(String m) {
        // objdump prints the mnemonic with "%-6s " i.e. padded to 6 columns, then one space.
        StringBuilder b = new StringBuilder(m);
        while (b.length() < 6) {
            b.append(' ');
        }
        return b.append(' ').toString();
    }

    @Override
    public String toString() {
        return Long.toHexString(address) + ": " + text();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Instruction i && i.address == address && java.util.Arrays.equals(i.bytes, bytes)
                && i.mnemonic.equals(mnemonic) && i.operands.equals(operands) && i.target == target
                && i.hasTarget == hasTarget;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(address) * 31 + mnemonic.hashCode() * 17 + operands.hashCode();
    }
}
