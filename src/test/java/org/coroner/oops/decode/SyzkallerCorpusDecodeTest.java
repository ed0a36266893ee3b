package org.coroner.oops.decode;

import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/** Report shapes from syzkaller's corpus: old and new x86_64 formats, exception stacks, symbolized logs. */
@Tag("fixtures")
class SyzkallerCorpusDecodeTest {

    static DecodedOops decode(String name) {
        return OopsDecoder.decode(ReportLines.corpus(Fixtures.corpus().resolve(name)));
    }

    @Test
    void doubleFaultStackAndEmptyFirstTrace() {
        DecodedOops d = decode("314");
        assertThat(d.fault()).isEqualTo("PANIC: double fault, error_code: 0x0");
        assertThat(d.pid()).isEqualTo(917);
        assertThat(d.comm()).isEqualTo("netifd");
        assertThat(d.rip()).isEqualTo(new Location("compat_sock_ioctl", 0xfeaL, 0x103eL, null, null, null));
        assertThat(d.registers().get("SS")).isZero();
        assertThat(d.registers().get("GS_SEL")).isEqualTo(0x63L);
        // the first "Call Trace:" is empty; the frames come from the one after the panic, on the #DF stack
        assertThat(d.frames()).extracting(Frame::function, Frame::section, Frame::reliable).containsExactly(
                tuple("dump_stack", "#DF", true), tuple("panic", "#DF", true), tuple("df_debug", "#DF", true),
                tuple("do_double_fault", "#DF", true), tuple("double_fault", "#DF", true), tuple("dev_ioctl", "#DF", false));
        assertThat(d.code().markedByte()).isEqualTo(43);
        assertThat(d.code().bytes()[43]).isEqualTo((byte) 0xe8);
        assertThat(d.panic()).isEqualTo("Machine halted.");
    }

    @Test
    void uidOnTheCpuLineAndCallerIds() {
        DecodedOops d = decode("730");
        assertThat(d.cpu()).isEqualTo(1);
        assertThat(d.uid()).isZero();
        assertThat(d.pid()).isEqualTo(5830);
        assertThat(d.comm()).isEqualTo("syz-executor175");
        assertThat(d.release()).isEqualTo("6.12.0-rc7-syzkaller-00012-g3022e9d00ebe");
        assertThat(d.build()).isEqualTo("#0");
        assertThat(d.fault()).startsWith("WARNING: CPU: 1 PID: 5830 at fs/inode.c:336 drop_nlink+0xc4/0x110");
        assertThat(d.rip().toString()).isEqualTo("drop_nlink+0xc4/0x110");
        assertThat(d.registers().get("DR7")).isEqualTo(0x400L);
        assertThat(d.frames().getFirst().toString()).isEqualTo("? __warn+0x168/0x4e0");
        assertThat(d.reliableFrames().getFirst().function()).isEqualTo("udf_rmdir");
    }

    @Test
    void symbolizedLogWithInlineFrames() {
        DecodedOops d = decode("400");
        assertThat(d.frames().getFirst()).isEqualTo(
                new Frame("__dump_stack", null, null, null, null, true, null, null, "lib/dump_stack.c", 77, true));
        assertThat(d.frames().get(1)).isEqualTo(
                new Frame("dump_stack", 0x172L, 0x1f0L, null, null, true, null, null, "lib/dump_stack.c", 113, null));
        assertThat(d.rip().toString()).isEqualTo("__flush_work+0x740/0x880");
        // the trace goes on after the RIP block of the WARNING's pt_regs
        assertThat(d.frames()).extracting(Frame::function).contains("blk_sync_queue", "kobject_put.cold");
        assertThat(d.code().bytes()[d.code().markedByte()]).isEqualTo((byte) 0x0f);
    }

    @Test
    void oldBracketedFramesAndKasanAddress() {
        DecodedOops old = decode("95");
        assertThat(old.arch()).isEqualTo(Arch.X86_64);
        assertThat(old.frames()).hasSize(24);
        assertThat(old.frames().getFirst()).isEqualTo(
                new Frame("dump_stack", 0xc1L, 0x124L, null, null, true, null, 0xffffffff81d0010dL, null, null, null));
        assertThat(old.frames().get(5).reliable()).isFalse();
        assertThat(old.frames().get(5).function()).isEqualTo("rcu_barrier_func");
        DecodedOops kasan = decode("110");
        assertThat(kasan.address()).isEqualTo(0xffff8801a751e6f8L);
        assertThat(kasan.addressSource()).isEqualTo("KASAN");
        assertThat(kasan.addressMeaning().region().name()).startsWith("direct mapping");
        assertThat(kasan.frames()).hasSize(14);
        assertThat(kasan.frames().getLast().function()).isEqualTo("entry_SYSCALL_64_fastpath");
    }

    @Test
    void nmiSection() {
        // file 718: an RCU stall; the first trace is the GP kthread's, the <NMI> one comes later
        DecodedOops d = decode("718");
        assertThat(d.pid()).isEqualTo(17);
        assertThat(d.comm()).isEqualTo("rcu_preempt");
        assertThat(d.frames().getFirst().toString()).isEqualTo("__schedule+0x1335/0x44b0");
        List<String> tail = ReportLines.corpus(Fixtures.corpus().resolve("718"));
        int nmi = tail.indexOf(tail.stream().filter(l -> l.strip().equals("<NMI>")).findFirst().orElseThrow());
        DecodedOops fromNmi = OopsDecoder.decode(tail.subList(nmi - 1, tail.size()));
        assertThat(fromNmi.frames().getFirst().section()).isEqualTo("NMI");
        assertThat(fromNmi.frames().getFirst().toString()).isEqualTo("? show_regs+0x5d/0x70");
        assertThat(fromNmi.frames()).filteredOn(f -> "TASK".equals(f.section())).first()
                .extracting(Frame::function).isEqualTo("timerqueue_add");
        assertThat(fromNmi.userRegisters().ip().address()).isEqualTo(0x7f9e69847189L);
    }

    @Test
    void wholeCorpusDecodesWithoutThrowing() throws IOException {
        int n = 0;
        try (Stream<Path> files = Files.list(Fixtures.corpus())) {
            for (Path f : files.sorted().toList()) {
                DecodedOops d = OopsDecoder.decode(ReportLines.corpus(f));
                assertThat(d).isNotNull();
                n++;
            }
        }
        assertThat(n).isGreaterThan(400);
    }
}
