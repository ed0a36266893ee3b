package org.coroner.disasm;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One decoded instruction, its text already in objdump's style: {@code mnemonic} as objdump prints
 * it, prefixes included ({@code lock cmpxchg}, {@code rep stos}, {@code cs nopw}), and
 * {@code operands} as objdump prints them, without the {@code <symbol+off>} of a branch target nor
 * the {@code # address} comment of a RIP-relative operand: {@link #text(SymbolResolver)} adds those.
 *
 * @param comment what objdump prints after {@code //} on arm64 ({@code #-1}, {@code b.none}), or ""
 * @param target the destination of a direct branch or call ({@link Kind#BRANCH}) or the address a
 *               RIP-relative operand designates ({@link Kind#MEMORY}); meaningless with {@link Kind#NONE}
 */
public record Instruction(long address, byte[] bytes, String mnemonic, String operands, long target, Kind kind,
        String comment) {

    /** What {@link #target()} is. */
    public enum Kind {
        NONE, BRANCH, MEMORY
    }

    /** Mnemonic objdump prints for bytes that do not decode. */
    public static final String BAD = "(bad)";

    public Instruction {
        bytes = bytes.clone();
        comment = comment == null ? "" : comment;
    }

    public Instruction(long address, byte[] bytes, String mnemonic, String operands) {
        this(address, bytes, mnemonic, operands, 0, Kind.NONE, "");
    }

    public Instruction(long address, byte[] bytes, String mnemonic, String operands, long target, Kind kind) {
        this(address, bytes, mnemonic, operands, target, kind, "");
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

    /** True for bytes that did not decode: {@code (bad)}, a cut-off {@code .byte}, arm64's {@code .inst ... ; undefined}. */
    public boolean isBad() {
        return mnemonic.equals(BAD) || mnemonic.equals(".inst") || mnemonic.equals(".byte");
    }

    public boolean hasTarget() {
        return kind != Kind.NONE;
    }

    /** {@code mnemonic operands} as objdump prints it, with the RIP-relative {@code # address} comment but no symbols. */
    public String text() {
        return text(null);
    }

    /**
     * The objdump line text: {@code call   ffffffff81000000 <f+0x10>},
     * {@code mov    0x10(%rip),%rax        # ffffffff82000000 <x>}. The mnemonic is padded to six
     * columns plus a space as objdump pads x86 (arm64 objdump uses a tab instead).
     */
    public String text(SymbolResolver symbols) {
        String sym = kind != Kind.NONE && symbols != null ? symbols.resolve(target) : null;
        String ops = operands;
        if (kind == Kind.BRANCH && sym != null) {
            // objdump prints a bare hex address before <sym>, "0x..." when it has no symbol
            ops = ops.replace("0x" + Long.toHexString(target), Long.toHexString(target)) + " <" + sym + ">";
        }
        StringBuilder b = new StringBuilder(mnemonic);
        if (!ops.isEmpty()) {
            while (b.length() < 6) {
                b.append(' ');
            }
            b.append(' ').append(ops);
        }
        if (kind == Kind.MEMORY) {
            b.append("        # ").append(sym != null ? "" : "0x").append(Long.toHexString(target));
            if (sym != null) {
                b.append(" <").append(sym).append('>');
            }
        }
        if (!comment.isEmpty()) {
            b.append("  // ").append(comment);
        }
        return b.toString();
    }

    /** The bytes as objdump prints them: {@code 48 8b 47 08}. */
    public String hex() {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }

    @Override
    public String toString() {
        return Long.toHexString(address) + ": " + text();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Instruction i && i.address == address && Arrays.equals(i.bytes, bytes)
                && i.mnemonic.equals(mnemonic) && i.operands.equals(operands) && i.target == target && i.kind == kind
                && i.comment.equals(comment);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(address) * 31 + mnemonic.hashCode() * 17 + operands.hashCode();
    }
}
