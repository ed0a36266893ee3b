package org.coroner.arch.x86_64.unwind;

import java.util.Arrays;

import org.coroner.memory.VirtualMemory;

/**
 * The x86_64 general registers in {@code struct pt_regs} order, which is also the order of the
 * first 21 words of an {@code NT_PRSTATUS} note's {@code pr_reg} ({@code user_regs_struct}). The
 * layout is the kernel's user ABI and has not changed since x86_64 exists.
 */
public final class Registers implements org.coroner.arch.SavedRegisters {
    public static final int R15 = 0;
    public static final int R14 = 1;
    public static final int R13 = 2;
    public static final int R12 = 3;
    public static final int BP = 4;
    public static final int BX = 5;
    public static final int R11 = 6;
    public static final int R10 = 7;
    public static final int R9 = 8;
    public static final int R8 = 9;
    public static final int AX = 10;
    public static final int CX = 11;
    public static final int DX = 12;
    public static final int SI = 13;
    public static final int DI = 14;
    public static final int ORIG_AX = 15;
    public static final int IP = 16;
    public static final int CS = 17;
    public static final int FLAGS = 18;
    public static final int SP = 19;
    public static final int SS = 20;
    public static final int COUNT = 21;
    /** {@code sizeof(struct pt_regs)}. */
    public static final int SIZE = COUNT * 8;
    /** Offset of the hardware IRET frame ({@code ip, cs, flags, sp, ss}) in {@code pt_regs}. */
    public static final int IRET_FRAME_OFFSET = IP * 8;
    public static final int IRET_FRAME_SIZE = 5 * 8;

    private static final String[] NAMES = {"r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8", "ax",
        "cx", "dx", "si", "di", "orig_ax", "ip", "cs", "flags", "sp", "ss"};

    /** The names of {@link #named()}: the kernel's {@code RAX:} ... spelled as the assembler does. */
    private static final String[] FULL = {"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx",
        "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss"};
    private static final java.util.List<String> GENERAL = java.util.List.of("r15", "r14", "r13", "r12", "rbp", "rbx", "r11",
        "r10", "r9", "r8", "rax", "rcx", "rdx", "rsi", "rdi");
    private static final java.util.List<String> ARGUMENTS = java.util.List.of("rdi", "rsi", "rdx", "rcx");

    private final long[] v;

    private Registers(long[] v) {
        this.v = v;
    }

    /** Registers from 21 values in pt_regs order (more are ignored: NT_PRSTATUS adds fs_base, gs_base, ...). */
    public static Registers of(long... values) {
        if (values.length < COUNT) {
            throw new IllegalArgumentException("need " + COUNT + " register values, got " + values.length);
        }
        return new Registers(Arrays.copyOf(values, COUNT));
    }

    /**
     * Registers from a name-to-value map with the usual lower-case names ({@code rip}, {@code rsp},
     * {@code rflags} or {@code eflags}, {@code orig_rax}, {@code r8} ...), as dump notes are decoded;
     * missing ones read as 0. Empty when the map has no {@code rip} and {@code rsp}.
     */
    public static java.util.Optional<Registers> fromNames(java.util.Map<String, Long> named) {
        if (!named.containsKey("rip") || !named.containsKey("rsp")) {
            return java.util.Optional.empty();
        }
        String[] full = {"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx", "rdx", "rsi",
            "rdi", "orig_rax", "rip", "cs", "rflags", "rsp", "ss"};
        long[] v = new long[COUNT];
        for (int i = 0; i < COUNT; i++) {
            Long x = named.get(full[i]);
            if (x == null && i == FLAGS) {
                x = named.getOrDefault("eflags", named.get("flags"));
            }
            v[i] = x == null ? 0 : x;
        }
        return java.util.Optional.of(new Registers(v));
    }

    /** A {@code struct pt_regs} in memory. */
    public static Registers read(VirtualMemory mem, long address) {
        byte[] b = mem.read(address, SIZE);
        long[] v = new long[COUNT];
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < COUNT; i++) {
            v[i] = bb.getLong(i * 8);
        }
        return new Registers(v);
    }

    /** The IRET frame only ({@code pt_regs.ip} onwards at {@code iretAddress}); the rest reads as 0. */
    public static Registers readIret(VirtualMemory mem, long iretAddress) {
        long[] v = new long[COUNT];
        for (int i = IP; i < COUNT; i++) {
            v[i] = mem.u64(iretAddress + (i - IP) * 8L);
        }
        return new Registers(v);
    }

    public long get(int index) {
        return v[index];
    }

    public long ip() {
        return v[IP];
    }

    public long sp() {
        return v[SP];
    }

    public long bp() {
        return v[BP];
    }

    public long cs() {
        return v[CS];
    }

    /** The context was in user mode (CPL 3 in the saved CS). */
    public boolean userMode() {
        return (v[CS] & 3) != 0;
    }

    @Override
    public long pc() {
        return ip();
    }

    @Override
    public java.util.Map<String, Long> named() {
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < COUNT; i++) {
            m.put(FULL[i], v[i]);
        }
        return m;
    }

    @Override
    public java.util.List<String> generalPurpose() {
        return GENERAL;
    }

    @Override
    public java.util.List<String> arguments() {
        return ARGUMENTS;
    }

    @Override
    public java.util.OptionalLong link() {
        return java.util.OptionalLong.empty();
    }

    @Override
    public org.coroner.arch.DwarfRegisters numbering() {
        return org.coroner.arch.x86_64.X86_64DwarfRegisters.INSTANCE;
    }

    @Override
    public String display(String name) {
        return "%" + name;
    }

    @Override
    public String pcName() {
        return "RIP";
    }

    public static String name(int index) {
        return NAMES[index];
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < COUNT; i++) {
            sb.append(i == 0 ? "" : " ").append(NAMES[i]).append('=').append(Long.toHexString(v[i]));
        }
        return sb.toString();
    }
}
