package org.coroner.disasm;

/**
 * AArch64 instructions Capstone 4 does not decode but kernels use: the ARMv8.1 LSE atomics
 * ({@code ldadd}, {@code stadd}, {@code swp}, {@code cas}, with their acquire/release and byte/half
 * forms), {@code udf}, {@code sb}, the pointer-authenticating branches ({@code retaa}, {@code blraa},
 * ...) and the MTE tag instructions ({@code irg}, {@code gmi}, {@code ldg}, {@code stg}, ...).
 * Printed as objdump prints them.
 */
final class Arm64Extras {
    private static final String[] LD_OPS = {"add", "clr", "eor", "set", "smax", "smin", "umax", "umin"};

    private Arm64Extras() {
    }

    static Instruction decode(long address, byte[] bytes, long w) {
        if ((w >>> 16) == 0) {
            return new Instruction(address, bytes, "udf", "#" + (w & 0xffff));
        }
        Instruction other = system(address, bytes, w);
        if (other != null) {
            return other;
        }
        int size = (int) (w >>> 30);
        String sz = size == 0 ? "b" : size == 1 ? "h" : "";
        String reg = size == 3 ? "x" : "w";
        int rs = (int) ((w >> 16) & 31);
        int rn = (int) ((w >> 5) & 31);
        int rt = (int) (w & 31);
        String base = "[" + (rn == 31 ? "sp" : "x" + rn) + "]";
        // LD<op>/SWP: size 111 0 00 A R 1 Rs o3 opc 00 Rn Rt
        if ((w & 0x3f200c00L) == 0x38200000L) {
            boolean a = (w & (1L << 23)) != 0;
            boolean l = (w & (1L << 22)) != 0;
            int o3 = (int) ((w >> 15) & 1);
            int opc = (int) ((w >> 12) & 7);
            String order = (a ? "a" : "") + (l ? "l" : "");
            if (o3 == 1) {
                if (opc != 0) {
                    return null;
                }
                return new Instruction(address, bytes, "swp" + order + sz, r(reg, rs) + ", " + r(reg, rt) + ", " + base);
            }
            if (rt == 31 && !a) {
                // the store aliases: the loaded value goes nowhere
                return new Instruction(address, bytes, "st" + LD_OPS[opc] + (l ? "l" : "") + sz, r(reg, rs) + ", " + base);
            }
            return new Instruction(address, bytes, "ld" + LD_OPS[opc] + order + sz, r(reg, rs) + ", " + r(reg, rt) + ", " + base);
        }
        // CAS: size 001000 1 L 1 Rs o0 11111 Rn Rt
        if ((w & 0x3fa07c00L) == 0x08a07c00L) {
            boolean a = (w & (1L << 22)) != 0;
            boolean l = (w & (1L << 15)) != 0;
            return new Instruction(address, bytes, "cas" + (a ? "a" : "") + (l ? "l" : "") + sz,
                    r(reg, rs) + ", " + r(reg, rt) + ", " + base);
        }
        return null;
    }

    private static String r(String kind, int n) {
        return n == 31 ? kind + "zr" : kind + n;
    }

    private static Instruction system(long address, byte[] b, long w) {
        switch ((int) w) {
            case 0xd50330ff:
                return new Instruction(address, b, "sb", "");
            case 0xd65f0bff:
                return new Instruction(address, b, "retaa", "");
            case 0xd65f0fff:
                return new Instruction(address, b, "retab", "");
            case 0xd69f0bff:
                return new Instruction(address, b, "eretaa", "");
            case 0xd69f0fff:
                return new Instruction(address, b, "eretab", "");
            default:
                break;
        }
        int rn = (int) ((w >> 5) & 31);
        int rd = (int) (w & 31);
        int rm = (int) ((w >> 16) & 31);
        String[] zeroModifier = {"braaz", "brabz", "blraaz", "blrabz"};
        long[] zeroPattern = {0xd61f081fL, 0xd61f0c1fL, 0xd63f081fL, 0xd63f0c1fL};
        for (int k = 0; k < 4; k++) {
            if ((w & 0xfffffc1fL) == zeroPattern[k]) {
                return new Instruction(address, b, zeroModifier[k], r("x", rn));
            }
        }
        String[] withModifier = {"braa", "brab", "blraa", "blrab"};
        long[] pattern = {0xd71f0800L, 0xd71f0c00L, 0xd73f0800L, 0xd73f0c00L};
        for (int k = 0; k < 4; k++) {
            if ((w & 0xfffffc00L) == pattern[k]) {
                return new Instruction(address, b, withModifier[k], r("x", rn) + ", " + sp(rd));
            }
        }
        if ((w & 0xffe0fc00L) == 0x9ac01000L) {
            return new Instruction(address, b, "irg", sp(rd) + ", " + sp(rn) + (rm == 31 ? "" : ", x" + rm));
        }
        if ((w & 0xffe0fc00L) == 0x9ac01400L) {
            return new Instruction(address, b, "gmi", r("x", rd) + ", " + sp(rn) + ", " + r("x", rm));
        }
        if ((w & 0xff200000L) == 0xd9200000L) {
            int opc = (int) ((w >> 22) & 3);
            int op2 = (int) ((w >> 10) & 3);
            long off = ((w >> 12) & 0x1ff) << 55 >> 55 << 4;
            if (op2 == 0) {
                if (opc == 1) {
                    return new Instruction(address, b, "ldg", r("x", rd) + ", [" + sp(rn) + (off == 0 ? "]" : ", #" + off + "]"));
                }
                return null;
            }
            String mn = new String[] {"stg", "stzg", "st2g", "stz2g"}[opc];
            String mem = switch (op2) {
                case 1 -> "[" + sp(rn) + "], #" + off;
                case 3 -> "[" + sp(rn) + ", #" + off + "]!";
                default -> "[" + sp(rn) + (off == 0 ? "]" : ", #" + off + "]");
            };
            return new Instruction(address, b, mn, sp(rd) + ", " + mem);
        }
        return null;
    }

    private static String sp(int n) {
        return n == 31 ? "sp" : "x" + n;
    }
}
