package org.coroner.oops.decode;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Decoding rules on report shapes the fixtures do not cover; no shared data needed. */
class OopsDecoderTest {

    /**
     * An i386 Oops from a 2.6.32 Ubuntu kernel (a NULL write in a test module), as quoted in a public
     * kernel-debugging tutorial; timestamps removed. Old format: IP:/EIP: with [<addr>], "EIP is at",
     * "Process ... (pid:", bracketed frames, a bare "Oops: 0002" and no #PF lines.
     */
    static final String I386_OOPS = """
            BUG: unable to handle kernel NULL pointer dereference at (null)
            IP: [<f82d2005>] hello_init+0x5/0x11 [hello]
            *pde = 00000000
            Oops: 0002 [#1] SMP
            last sysfs file: /sys/devices/virtual/sound/timer/uevent
            Modules linked in: hello(+) vmblock vsock vmmemctl vmhgfs acpiphp snd_ens1371 gameport snd_ac97_codec
            Pid: 1586, comm: insmod Not tainted (2.6.32-21-generic #32-Ubuntu) VMware Virtual Platform
            EIP: 0060:[<f82d2005>] EFLAGS: 00010246 CPU: 0
            EIP is at hello_init+0x5/0x11 [hello]
            EAX: 00000000 EBX: fffffffc ECX: f82cf040 EDX: 00000001
            ESI: f82cf040 EDI: 00000000 EBP: f1b9ff5c ESP: f1b9ff5c
             DS: 007b ES: 007b FS: 00d8 GS: 00e0 SS: 0068
            Process insmod (pid: 1586,ti=f1b9e000 task=f137b340 task.ti=f1b9e000)
            Stack:
             f1b9ff88 c0101131 f82cf040 c076d240 fffffffc f82cf040 0072cff4 f82d2000
            <0> fffffffc f82cf040 0072cff4 f1b9ffac c0182340 f19638f8 f137b340 f19638c0
            <0> 00000004 09cc9018 09cc9018 00020000 f1b9e000 c01033ec 09cc9018 00015324
            Call Trace:
             [<c0101131>] ? do_one_initcall+0x31/0x190
             [<f82d2000>] ? hello_init+0x0/0x11 [hello]
             [<c0182340>] ? sys_init_module+0xb0/0x210
             [<c01033ec>] ? syscall_call+0x7/0xb
            Code: <c7> 05 00 00 00 00 01 00 00 00 5d c3 00 00 00 00 00 00 00 00 00 00
            EIP: [<f82d2005>] hello_init+0x5/0x11 [hello] SS:ESP 0068:f1b9ff5c
            CR2: 0000000000000000
            ---[ end trace e294b69a66d752cb]---
            """;

    @Test
    void i386OldFormat() {
        DecodedOops d = OopsDecoder.decode(I386_OOPS.lines().toList());
        assertThat(d.arch()).isEqualTo(Arch.I386);
        assertThat(d.cpu()).isZero();
        assertThat(d.pid()).isEqualTo(1586);
        assertThat(d.comm()).isEqualTo("insmod");
        assertThat(d.taint().tainted()).isFalse();
        assertThat(d.release()).isEqualTo("2.6.32-21-generic");
        assertThat(d.build()).isEqualTo("#32-Ubuntu");
        assertThat(d.hardware()).isEqualTo("VMware Virtual Platform");
        assertThat(d.address()).isZero();
        assertThat(d.addressMeaning().summary()).isEqualTo("NULL pointer");
        assertThat(d.addressMeaning().region().layout()).isEqualTo("i386");
        // no #PF lines in 2.6: the die line's code is the page-fault error code
        PageFaultErrorCode pf = d.errorCode();
        assertThat(pf.source()).isEqualTo("Oops");
        assertThat(pf.value()).isEqualTo(2);
        assertThat(pf.write()).isTrue();
        assertThat(pf.present()).isFalse();
        assertThat(pf.access()).isEqualTo("supervisor write access in kernel mode");
        assertThat(pf.cause()).isEqualTo("not-present page");
        assertThat(d.rip()).isEqualTo(new Location("hello_init", 0x5L, 0x11L, "hello", null, 0xf82d2005L));
        RegisterSet r = d.registers();
        assertThat(r.user()).isFalse();
        assertThat(r.get("CS")).isEqualTo(0x60L);
        assertThat(r.get("EFLAGS")).isEqualTo(0x10246L);
        assertThat(r.get("EBX")).isEqualTo(0xfffffffcL);
        assertThat(r.get("ESP")).isEqualTo(0xf1b9ff5cL);
        assertThat(r.get("SS")).isEqualTo(0x68L);
        assertThat(d.frames()).hasSize(4).noneMatch(Frame::reliable);
        assertThat(d.frames().get(1)).isEqualTo(new Frame("hello_init", 0L, 0x11L, "hello", null, false, null, 0xf82d2000L, null, null, null));
        assertThat(d.code().markedByte()).isZero();
        assertThat(d.code().bytes()[0]).isEqualTo((byte) 0xc7);
        assertThat(d.modules().getFirst()).isEqualTo(LinkedModule.of("hello", "+"));
        assertThat(d.modules().getFirst().loading()).isTrue();
        assertThat(d.pageTableWalk()).isEqualTo("*pde = 00000000");
        assertThat(d.endTrace()).isEqualTo("e294b69a66d752cb");
        assertThat(d.cr2()).isZero();
    }

    /**
     * A 6.1 i386 Oops from an rcutorture run, as posted to LKML (timestamps and caller ids removed):
     * the modern format, where EIP is symbolic and the first line (BUG: ...) was not quoted, so the
     * faulting address must come from CR2.
     */
    static final String I386_MODERN = """
            #PF: supervisor write access in kernel mode
            #PF: error_code(0x0003) - permissions violation
            *pde = 010001e1
            Oops: 0003 [#1] SMP
            CPU: 2 PID: 57 Comm: rcu_torture_rea Tainted: G S                 6.1.0-rc2-00010-g0af8489b0216 #2130 63d19ac2b985fca570c354d8750f489755de37ed
            EIP: kvm_kick_cpu+0x54/0x90
            Code: 2f c5 01 8b 04 9d e0 d4 4e c4 83 15 14 7b 2f c5 00 83 05 08 6d 2f c5 01 0f b7 0c 30 b8 05 00 00 00 83 15 0c 6d 2f c5 00 31 db <0f> 01 c1 83 05 10 6d 2f c5 01 8b 5d f8 8b 75 fc 83 15 14 6d 2f c5
            EAX: 00000005 EBX: 00000000 ECX: 00000003 EDX: c108f5a0
            ESI: c5153580 EDI: 00000046 EBP: c69cddf8 ESP: c69cddf0
            DS: 007b ES: 007b FS: 00d8 GS: 0000 SS: 0068 EFLAGS: 00010046
            CR0: 80050033 CR2: c108f5f4 CR3: 0776b000 CR4: 00350e90
            Call Trace:
             __pv_queued_spin_unlock_slowpath+0x66/0x110
             __pv_queued_spin_unlock+0x4b/0x60
             __raw_callee_save___pv_queued_spin_unlock+0x9/0x10
             do_raw_spin_unlock+0x49/0xa0
             _raw_spin_unlock_irqrestore+0x53/0xd0
            """;

    @Test
    void i386ModernFormat() {
        DecodedOops d = OopsDecoder.decode(I386_MODERN.lines().toList());
        assertThat(d.arch()).isEqualTo(Arch.I386);
        assertThat(d.cpu()).isEqualTo(2);
        assertThat(d.pid()).isEqualTo(57);
        assertThat(d.comm()).isEqualTo("rcu_torture_rea");
        assertThat(d.taint().flags()).extracting(TaintFlag::name).containsExactly("CPU_OUT_OF_SPEC");
        assertThat(d.release()).isEqualTo("6.1.0-rc2-00010-g0af8489b0216");
        assertThat(d.build()).isEqualTo("#2130 63d19ac2b985fca570c354d8750f489755de37ed");
        assertThat(d.errorCode().value()).isEqualTo(3);
        assertThat(d.errorCode().present()).isTrue();
        assertThat(d.errorCode().cause()).isEqualTo("permissions violation");
        assertThat(d.errorCode().consistent()).isTrue();
        assertThat(d.address()).isEqualTo(0xc108f5f4L);
        assertThat(d.addressSource()).isEqualTo("CR2");
        assertThat(d.addressMeaning().region().name()).startsWith("kernel: lowmem");
        assertThat(d.rip()).isEqualTo(new Location("kvm_kick_cpu", 0x54L, 0x90L, null, null, null));
        assertThat(d.registers().user()).isFalse();
        assertThat(d.registers().get("EDX")).isEqualTo(0xc108f5a0L);
        assertThat(d.registers().get("GS")).isZero();
        assertThat(d.code().bytes()[d.code().markedByte()]).isEqualTo((byte) 0x0f);
        assertThat(d.frames()).hasSize(5).allMatch(Frame::reliable);
        assertThat(d.pageTableWalk()).isEqualTo("*pde = 010001e1");
        // the same dump with a user-mode SS is the user context of a syscall
        DecodedOops user = OopsDecoder.decode(List.of("EIP: 0xb7ed5549",
                "EAX: ffffffda EBX: 0804b486 ECX: 80000004 EDX: 080493de",
                "ESI: b7cb3220 EDI: b7da98e0 EBP: bfb06748 ESP: bfb066dc",
                "DS: 007b ES: 007b FS: 0000 GS: 0033 SS: 007b EFLAGS: 00000296"));
        assertThat(user.registers()).isNull();
        assertThat(user.userRegisters().ip().address()).isEqualTo(0xb7ed5549L);
    }

    @Test
    void pageFaultErrorCodeWordsFollowTheKernel() {
        assertThat(PageFaultErrorCode.decode(0x0002, "Oops", false, null, null).access()).isEqualTo("supervisor write access in kernel mode");
        PageFaultErrorCode fetch = PageFaultErrorCode.decode(0x0011, "#PF", false, null, null);
        assertThat(fetch.instructionFetch()).isTrue();
        assertThat(fetch.access()).isEqualTo("supervisor instruction fetch in kernel mode");
        assertThat(fetch.cause()).isEqualTo("permissions violation");
        assertThat(PageFaultErrorCode.decode(0x0003, "#PF", false, null, null).cause()).isEqualTo("permissions violation");
        assertThat(PageFaultErrorCode.decode(0x0009, "#PF", false, null, null).cause()).isEqualTo("reserved bit violation");
        PageFaultErrorCode pk = PageFaultErrorCode.decode(0x0023, "#PF", false, null, null);
        assertThat(pk.protectionKey()).isTrue();
        assertThat(pk.cause()).isEqualTo("protection keys violation");
        assertThat(PageFaultErrorCode.decode(0x0007, "#PF", true, null, null).access()).isEqualTo("user write access in user mode");
        assertThat(PageFaultErrorCode.decode(0x0043, "#PF", false, null, null).shadowStack()).isTrue();
        assertThat(PageFaultErrorCode.decode(0x8001, "#PF", false, null, null).sgx()).isTrue();
        // printed words that disagree with the bits are reported, not trusted
        assertThat(PageFaultErrorCode.decode(0x0002, "#PF", false, "supervisor read access in kernel mode", "not-present page")
                .consistent()).isFalse();
    }

    @Test
    void esrDecoding() {
        Esr w = Esr.decode(0x96000045L);
        assertThat(w.ecName()).isEqualTo("DABT (current EL)");
        assertThat(w.abort().wnr()).isTrue();
        assertThat(w.abort().access()).isEqualTo("write");
        assertThat(w.abort().fscName()).isEqualTo("level 1 translation fault");
        Esr perm = Esr.decode(0x9600004fL);
        assertThat(perm.abort().fscName()).isEqualTo("level 3 permission fault");
        assertThat(perm.abort().level()).isEqualTo(3);
        Esr iabt = Esr.decode(0x8600000fL);
        assertThat(iabt.ecName()).isEqualTo("IABT (current EL)");
        assertThat(iabt.abort().data()).isFalse();
        assertThat(iabt.abort().wnr()).isNull();
        assertThat(iabt.abort().access()).isEqualTo("instruction fetch");
        Esr bug = Esr.decode(0xf2000800L);
        assertThat(bug.ec()).isEqualTo(0x3c);
        assertThat(bug.ecName()).isEqualTo("BRK (AArch64)");
        assertThat(bug.brk().comment()).isEqualTo(0x800);
        assertThat(bug.brk().meaning()).contains("BUG_BRK_IMM");
        assertThat(bug.abort()).isNull();
        assertThat(Esr.decode(0x96000021L).abort().fscName()).isEqualTo("alignment fault");
        assertThat(Esr.decode(0x96000010L).abort().level()).isNull();
        assertThat(Esr.decode(0x56000000L).ecName()).isEqualTo("SVC (AArch64)");
        assertThat(Esr.decode(0x56000000L).il()).isEqualTo(32);
    }

    @Test
    void esrPrintedFieldsAreCrossChecked() {
        List<String> lines = List.of(
                "Unable to handle kernel write to read-only memory at virtual address ffff800008a1c000",
                "Mem abort info:",
                "  ESR = 0x000000009600004f",
                "  EC = 0x25: DABT (current EL), IL = 32 bits",
                "  SET = 0, FnV = 0",
                "  EA = 0, S1PTW = 0",
                "  FSC = 0x0f: level 3 permission fault",
                "Data abort info:",
                "  ISV = 0, ISS = 0x0000004f",
                "  CM = 0, WnR = 0",
                "pc : foo+0x10/0x20",
                "lr : bar+0x30/0x40");
        DecodedOops d = OopsDecoder.decode(lines);
        assertThat(d.arch()).isEqualTo(Arch.ARM64);
        assertThat(d.address()).isEqualTo(0xffff800008a1c000L);
        // bit 6 of 0x4f is set: the ESR says write, the edited "WnR = 0" line disagrees
        assertThat(d.esr().mismatches()).containsExactly("WnR printed 0, ESR says 1");
    }

    @Test
    void x86BareOopsWithoutPfLines() {
        DecodedOops d = OopsDecoder.decode(List.of(
                "BUG: unable to handle kernel paging request at ffffc90000f2e000",
                "IP: foo_write+0x12/0x80 [foo]",
                "PGD 7d023067 P4D 7d023067 PUD 7d024067 PMD 7a9c5067 PTE 0",
                "Oops: 0002 [#1] SMP PTI",
                "CPU: 3 PID: 4242 Comm: bash Tainted: P        W  O      4.15.0-20-generic #21-Ubuntu",
                "RIP: 0010:foo_write+0x12/0x80 [foo]"));
        assertThat(d.errorCode().source()).isEqualTo("Oops");
        assertThat(d.errorCode().access()).isEqualTo("supervisor write access in kernel mode");
        assertThat(d.taint().proprietary()).isTrue();
        assertThat(d.taint().letters()).isEqualTo("PWO");
        assertThat(d.addressMeaning().region().name()).startsWith("vmalloc/ioremap space");
        assertThat(d.addressMeaning().region().nominal()).isTrue();
    }

    @Test
    void sectionsAndOldInlineMarkers() {
        DecodedOops d = OopsDecoder.decode(List.of(
                "Call Trace:",
                " <IRQ>",
                " foo+0x1/0x2",
                " </IRQ>",
                " <SOFTIRQ>",
                " ? bar+0x3/0x4 [baz 0123456789abcdef]",
                " </SOFTIRQ>",
                " <#MC>",
                " mce+0x5/0x6",
                " </#MC>",
                " <TASK>",
                " task_fn+0x7/0x8",
                " </TASK>",
                "Modules linked in: baz(O) [last unloaded: qux]"));
        assertThat(d.frames()).extracting(Frame::function, Frame::section, Frame::reliable).containsExactly(
                org.assertj.core.groups.Tuple.tuple("foo", "IRQ", true),
                org.assertj.core.groups.Tuple.tuple("bar", "SOFTIRQ", false),
                org.assertj.core.groups.Tuple.tuple("mce", "#MC", true),
                org.assertj.core.groups.Tuple.tuple("task_fn", "TASK", true));
        assertThat(d.frames().get(1).buildId()).isEqualTo("0123456789abcdef");
        assertThat(d.frames().get(1).module()).isEqualTo("baz");
        assertThat(d.lastUnloaded()).isEqualTo("qux");
        DecodedOops old = OopsDecoder.decode(List.of(
                "Call Trace:",
                " <IRQ>  [<ffffffff81012345>] handle_irq+0x10/0x20",
                " <EOI>  [<ffffffff81054321>] ? cpu_idle+0x30/0x40"));
        assertThat(old.frames()).extracting(Frame::function, Frame::section, Frame::reliable, Frame::address).containsExactly(
                org.assertj.core.groups.Tuple.tuple("handle_irq", "IRQ", true, 0xffffffff81012345L),
                org.assertj.core.groups.Tuple.tuple("cpu_idle", null, false, 0xffffffff81054321L));
    }

    @Test
    void newerCpuLineAndVerboseTaint() {
        DecodedOops d = OopsDecoder.decode(List.of(
                "CPU: 2 UID: 1000 PID: 777 Comm: kworker/2:1 Tainted: G        W  OE      6.12.0-1-amd64 #1 Debian 6.12.6-1",
                "Tainted: [W]=WARN, [O]=OOT_MODULE, [E]=UNSIGNED_MODULE"));
        assertThat(d.cpu()).isEqualTo(2);
        assertThat(d.uid()).isEqualTo(1000);
        assertThat(d.comm()).isEqualTo("kworker/2:1");
        assertThat(d.taint().letters()).isEqualTo("WOE");
        assertThat(Taint.parse("[W]=WARN, [J]=FWCTL").letters()).isEqualTo("WJ");
        assertThat(Taint.parse("G   Z").unknownLetters()).containsExactly('Z');
        assertThat(TaintFlag.ALL).hasSize(20);
        assertThat(TaintFlag.ALL).extracting(TaintFlag::letter).doesNotHaveDuplicates();
        for (int i = 0; i < TaintFlag.ALL.size(); i++) {
            assertThat(TaintFlag.ALL.get(i).bit()).isEqualTo(i);
        }
    }

    @Test
    void codeLineVariants() {
        CodeBytes paren = CodeBytes.parse("55 48 89 e5 (0f) 0b 5d c3");
        assertThat(paren.markedByte()).isEqualTo(4);
        CodeBytes none = CodeBytes.parse("Unable to access opcode bytes at 0xffffffffc04b1ff9.");
        assertThat(none.units()).isEmpty();
        assertThat(none.hex()).isNull();
        assertThat(none.note()).startsWith("Unable to access opcode bytes");
        assertThat(none.bytes()).isEmpty();
        CodeBytes cut = CodeBytes.parse("48 8b 43 <28> 48 8");
        assertThat(cut.truncated()).isTrue();
        assertThat(cut.hex()).isEqualTo("488b432848");
        CodeBytes thumb = CodeBytes.parse("4770 b580 (af00) 2300");
        assertThat(thumb.unitSize()).isEqualTo(2);
        assertThat(thumb.markedByte()).isEqualTo(4);
        assertThat(thumb.hex()).isEqualTo("704780b500af0023");
    }

    @Test
    void garbageAndTruncationNeverThrow() {
        List<String> report = I386_OOPS.lines().toList();
        // every prefix of every line, in place of that line
        for (int i = 0; i < report.size(); i++) {
            String l = report.get(i);
            for (int n = 0; n <= l.length(); n++) {
                List<String> copy = new ArrayList<>(report);
                copy.set(i, l.substring(0, n));
                OopsDecoder.decode(copy);
            }
        }
        Random rnd = new Random(42);
        for (int round = 0; round < 200; round++) {
            List<String> junk = new ArrayList<>();
            for (int k = 0; k < 30; k++) {
                StringBuilder b = new StringBuilder();
                int len = rnd.nextInt(120);
                for (int c = 0; c < len; c++) {
                    b.append((char) rnd.nextInt(rnd.nextBoolean() ? 128 : 0x3000));
                }
                junk.add(rnd.nextInt(4) == 0 ? report.get(rnd.nextInt(report.size())) + b : b.toString());
            }
            junk.add(null);
            OopsDecoder.decode(junk);
        }
        DecodedOops empty = OopsDecoder.decode(List.of());
        assertThat(empty.arch()).isNull();
        assertThat(empty.frames()).isEmpty();
        assertThat(OopsDecoder.decode(null).cpu()).isNull();
        // overflowing numbers decode as far as they go
        DecodedOops big = OopsDecoder.decode(List.of("CPU: 99999999999 PID: 1 Comm: x Not tainted 6.1.0 #1",
                "RAX: 0000000000000000000000 RBX: 1", "RIP: 0010:f+0xffffffffffffffffff/0x1"));
        assertThat(big.registers()).isNotNull();
    }
}
