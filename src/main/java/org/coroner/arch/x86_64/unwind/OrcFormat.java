package org.coroner.arch.x86_64.unwind;

/**
 * The bit layout of the 16-bit flags word of {@code struct orc_entry} (after {@code s16 sp_offset,
 * s16 bp_offset}), which changed twice:
 * <ul>
 * <li>{@link #V1} (up to 6.2): {@code sp_reg:4 bp_reg:4 type:2 end:1}, types CALL=0, REGS=1,
 *     REGS_PARTIAL=2; end of stack is {@code end} on an entry whose SP is undefined.</li>
 * <li>{@link #V2} (6.3): {@code sp_reg:4 bp_reg:4 type:2 signal:1 end:1}.</li>
 * <li>{@link #V3} (6.4 on): {@code sp_reg:4 bp_reg:4 type:3 signal:1}, types UNDEFINED=0,
 *     END_OF_STACK=1, CALL=2, REGS=3, REGS_PARTIAL=4.</li>
 * </ul>
 */
public enum OrcFormat {
    V1, V2, V3;

    /** The format a kernel release ({@code 6.1.0-56-amd64}) was built with. */
    public static OrcFormat forRelease(String release) {
        String[] p = release.split("[.\\-+]");
        int major = p.length > 0 ? parse(p[0]) : 0;
        int minor = p.length > 1 ? parse(p[1]) : 0;
        if (major > 6 || major == 6 && minor >= 4) {
            return V3;
        }
        return major == 6 && minor == 3 ? V2 : V1;
    }

    private static int parse(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public OrcEntry decode(short spOffset, short bpOffset, int flags) {
        int spReg = flags & 0xf;
        int bpReg = (flags >> 4) & 0xf;
        return switch (this) {
            case V1, V2 -> {
                int t = (flags >> 8) & 0x3;
                boolean end = (flags & (this == V1 ? 0x400 : 0x800)) != 0;
                OrcType type;
                if (spReg == OrcEntry.REG_UNDEFINED) {
                    type = end ? OrcType.END_OF_STACK : OrcType.UNDEFINED;
                } else {
                    type = switch (t) {
                        case 0 -> OrcType.CALL;
                        case 1 -> OrcType.REGS;
                        case 2 -> OrcType.REGS_PARTIAL;
                        default -> OrcType.UNDEFINED;
                    };
                }
                // V1 has no signal bit: the kernel treats every regs frame as a signal frame.
                boolean signal = this == V2 ? (flags & 0x400) != 0
                        : type == OrcType.REGS || type == OrcType.REGS_PARTIAL;
                yield new OrcEntry(spOffset, bpOffset, spReg, bpReg, type, signal);
            }
            case V3 -> {
                OrcType type = switch ((flags >> 8) & 0x7) {
                    case 1 -> OrcType.END_OF_STACK;
                    case 2 -> OrcType.CALL;
                    case 3 -> OrcType.REGS;
                    case 4 -> OrcType.REGS_PARTIAL;
                    default -> OrcType.UNDEFINED;
                };
                yield new OrcEntry(spOffset, bpOffset, spReg, bpReg, type, (flags & 0x800) != 0);
            }
        };
    }
}
