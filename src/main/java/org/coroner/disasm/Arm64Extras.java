package org.coroner.disasm;

/**
 * AArch64 instructions Capstone 4 does not decode but kernels use: the ARMv8.1 LSE atomics
 * ({@code ldadd}, {@code stadd}, {@code swp}, {@code cas}, with their acquire/release and byte/half
 * forms) and {@code udf}. Printed as objdump prints them.
 */
final class Arm64Extras {
    private static final String[] LD_OPS = {"add", "clr", "eor", "set", "smax", "smin", "umax", "umin"};

    private Arm64Extras() {
    }

    static Instruction decode(long address, byte[] bytes, long w) {
        if ((w >>> 16) == 0) {
            return new Instruction(address, bytes, "udf", "#" + (w & 0xffff));
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
}
