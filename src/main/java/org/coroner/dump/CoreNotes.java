package org.coroner.dump;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.coroner.elf.ElfFile;
import org.coroner.io.Bytes;

/**
 * What the ELF notes of a dump say about its CPUs and VMCOREINFO. Layouts are the ABI's:
 * {@code struct elf_prstatus} ({@code pr_pid} at 32, {@code pr_reg} at 112) with the
 * architecture's {@code user_regs_struct}, and QEMU's {@code QEMUCPUState} (x86_64).
 */
final class CoreNotes {
    static final int NT_PRSTATUS = 1;
    private static final int PR_PID = 32;
    private static final int PR_REG = 112;

    /** x86_64 {@code user_regs_struct}, the order of {@code pr_reg}. */
    private static final String[] X86_64_REGS = {"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
        "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "rflags", "rsp", "ss", "fs_base", "gs_base",
        "ds", "es", "fs", "gs"};

    /** QEMUCPUState general registers from offset 8, then rip and rflags. */
    private static final String[] QEMU_GPRS = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags"};
    private static final String[] QEMU_SEGS = {"cs", "ds", "es", "fs", "gs", "ss", "ldt", "tr", "gdt", "idt"};

    /** {@code sizeof(struct elf_prstatus)}: 27 {@code pr_reg} words on x86_64, 34 on arm64. */
    private static final int PRSTATUS_X86_64 = 336;
    private static final int PRSTATUS_ARM64 = 392;

    private CoreNotes() {
    }

    /**
     * The machine the PRSTATUS notes were written for, from their size (the ABI fixes it per
     * architecture): for dumps whose header does not name the machine (QEMU's kdump-compressed
     * dumps of arm64 guests say "Unknown").
     */
    static Optional<String> machineOfPrstatus(List<ElfFile.Note> notes) {
        for (ElfFile.Note n : notes) {
            if (n.type() == NT_PRSTATUS && n.name().equals("CORE")) {
                if (n.desc().size() == PRSTATUS_X86_64) {
                    return Optional.of("x86_64");
                }
                if (n.desc().size() == PRSTATUS_ARM64) {
                    return Optional.of("arm64");
                }
            }
        }
        return Optional.empty();
    }

    /** The VMCOREINFO note's text (trailing NULs removed). */
    static Optional<String> vmcoreinfo(List<ElfFile.Note> notes) {
        for (ElfFile.Note n : notes) {
            if (n.name().equals("VMCOREINFO")) {
                return Optional.of(text(n.desc()));
            }
        }
        return Optional.empty();
    }

    static String text(Bytes b) {
        byte[] raw = b.bytes(0, (int) b.size());
        int end = raw.length;
        while (end > 0 && raw[end - 1] == 0) {
            end--;
        }
        return new String(raw, 0, end, StandardCharsets.UTF_8);
    }

    /**
     * One {@link CpuState} per CPU: the i-th PRSTATUS note and the i-th QEMU note describe the same
     * CPU (QEMU writes them in CPU order; kdump writes one PRSTATUS per CPU).
     */
    static List<CpuState> cpus(List<ElfFile.Note> notes, String machine) {
        List<Bytes> prstatus = new ArrayList<>();
        List<Bytes> qemu = new ArrayList<>();
        for (ElfFile.Note n : notes) {
            if (n.type() == NT_PRSTATUS && n.name().equals("CORE")) {
                prstatus.add(n.desc());
            } else if (n.name().equals("QEMU") && n.type() == 0) {
                qemu.add(n.desc());
            }
        }
        int count = Math.max(prstatus.size(), qemu.size());
        List<CpuState> out = new ArrayList<>(count);
        for (int cpu = 0; cpu < count; cpu++) {
            Map<String, Long> regs = new LinkedHashMap<>();
            OptionalInt pid = OptionalInt.empty();
            List<String> sources = new ArrayList<>();
            if (cpu < prstatus.size()) {
                Bytes d = prstatus.get(cpu);
                if (d.size() >= PR_REG) {
                    pid = OptionalInt.of(d.s32(PR_PID));
                }
                String[] names = regNames(machine);
                for (int r = 0; r < names.length && PR_REG + 8L * (r + 1) <= d.size(); r++) {
                    regs.put(names[r], d.u64(PR_REG + 8L * r));
                }
                sources.add("PRSTATUS");
            }
            if (cpu < qemu.size() && machine.equals("x86_64")) {
                addQemu(qemu.get(cpu), regs);
                sources.add("QEMU");
            }
            out.add(new CpuState(cpu, pid, regs, String.join("+", sources)));
        }
        return out;
    }

    private static String[] regNames(String machine) {
        if (machine.equals("arm64")) {
            String[] n = new String[34];
            for (int i = 0; i < 31; i++) {
                n[i] = "x" + i;
            }
            n[31] = "sp";
            n[32] = "pc";
            n[33] = "pstate";
            return n;
        }
        return X86_64_REGS;
    }

    /** QEMUCPUState: version, size, 18 registers, 10 segments of 24 bytes, cr0..cr4, kernel_gs_base (optional). */
    private static void addQemu(Bytes d, Map<String, Long> regs) {
        long size = Math.min(d.size(), d.u32(4));
        long p = 8;
        for (String name : QEMU_GPRS) {
            if (p + 8 > size) {
                return;
            }
            regs.putIfAbsent(name, d.u64(p));
            p += 8;
        }
        for (String seg : QEMU_SEGS) {
            if (p + 24 > size) {
                return;
            }
            if (seg.length() == 2 && !seg.equals("tr")) {
                regs.putIfAbsent(seg, d.u32(p));
            }
            regs.putIfAbsent(seg + "_base", d.u64(p + 16));
            if (seg.equals("gdt") || seg.equals("idt")) {
                regs.putIfAbsent(seg + "_limit", d.u32(p + 4));
            }
            p += 24;
        }
        for (int cr = 0; cr < 5; cr++) {
            if (p + 8 > size) {
                return;
            }
            regs.put("cr" + cr, d.u64(p));
            p += 8;
        }
        if (p + 8 <= size) {
            regs.put("kernel_gs_base", d.u64(p));
        }
    }
}
