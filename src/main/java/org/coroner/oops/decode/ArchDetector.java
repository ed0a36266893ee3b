package org.coroner.oops.decode;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Tells the architecture from a report's own wording: register names, the entry code at the
 * bottom of traces, the abort-info lines, the kernel release. Each kind of evidence adds to a
 * score; no evidence at all gives null rather than a default.
 */
final class ArchDetector {
    private ArchDetector() {
    }

    private static final Pattern X86_64_REGS = Pattern.compile("^(?:RIP: |RAX: |R1[0-5]: |R0[89]: |RSP: |ORIG_RAX)");
    private static final Pattern X86_64_TEXT = Pattern.compile(
            "entry_SYSCALL_64|do_syscall_64|asm_exc_|asm_sysvec_|x86_64|amd64|ret_from_fork_asm|#PF: |knlGS:|\\[<ffffffff[89a-f][0-9a-f]{7}>\\]");
    private static final Pattern I386_REGS = Pattern.compile("^(?:EIP: |EAX: |ESI: |eax: |esi: |EIP is at )");
    private static final Pattern I386_TEXT = Pattern.compile(
            "entry_INT80_32|do_int80_syscall_32|entry_SYSENTER_32|\\bi[3-6]86\\b|-686\\b|\\*pde = |\\[<[c-f][0-9a-f]{7}>\\]");
    private static final Pattern ARM64_REGS = Pattern.compile("^(?:pc : |lr : |x29: |pstate: |sp : )");
    private static final Pattern ARM64_TEXT = Pattern.compile(
            "Internal error: |ESR = 0x|Mem abort info:|el0t_64_sync|el1h_64_sync|__arm64_sys_|el0_svc|arm64|aarch64|invoke_syscall|dummy-virt|\\[<ffff[0-8][0-9a-f]{11}>\\]");

    static Arch detect(List<String> lines) {
        int x64 = 0, x32 = 0, a64 = 0;
        for (String raw : lines) {
            if (raw == null) {
                continue;
            }
            String t = raw.strip();
            if (X86_64_REGS.matcher(t).lookingAt()) x64 += 3;
            if (X86_64_TEXT.matcher(t).find()) x64++;
            if (I386_REGS.matcher(t).lookingAt()) x32 += 3;
            if (I386_TEXT.matcher(t).find()) x32++;
            if (ARM64_REGS.matcher(t).lookingAt()) a64 += 3;
            if (ARM64_TEXT.matcher(t).find()) a64++;
        }
        // a 32-bit task on a 64-bit kernel still shows RIP/R08..: 64-bit evidence outweighs compat entry points
        if (x64 == 0 && x32 == 0 && a64 == 0) {
            return null;
        }
        if (a64 > x64 && a64 > x32) {
            return Arch.ARM64;
        }
        return x64 >= x32 ? Arch.X86_64 : Arch.I386;
    }
}
