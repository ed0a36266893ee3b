package org.coroner.oops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Small hand-written inputs: prefixes, interleaving, garbage. */
class ReportFinderTest {

    private static final String GPF = """
            general protection fault, probably for non-canonical address 0xdffffc0000000003: 0000 [#1] PREEMPT SMP KASAN
            CPU: 0 PID: 5015 Comm: syz-executor.0 Not tainted 6.1.0 #1
            RIP: 0010:ext4_xattr_block_find+0x2d/0x2c0 fs/ext4/xattr.c:1877
            Code: 48 89 fd
            RSP: 0018:ffffc90003a5f7d8 EFLAGS: 00010202
            Call Trace:
             <TASK>
             ext4_xattr_set_handle+0x5a1/0x1200 fs/ext4/xattr.c:2350
             ext4_xattr_set+0x13c/0x2b0 fs/ext4/xattr.c:2458
             __vfs_setxattr+0x173/0x1e0 fs/xattr.c:182
             do_syscall_64+0x35/0xb0
             entry_SYSCALL_64_after_hwframe+0x63/0xcd
             </TASK>
            """;

    private static List<FoundReport> find(String s) {
        return ReportFinder.findAll(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String prefixed(String body, java.util.function.IntFunction<String> prefix) {
        StringBuilder sb = new StringBuilder();
        String[] lines = body.split("\n");
        for (int i = 0; i < lines.length; i++) {
            sb.append(prefix.apply(i)).append(lines[i]).append("\r\n");
        }
        return sb.toString();
    }

    @Test
    void plainText() {
        FoundReport r = find("boot\n" + GPF).getFirst();
        assertThat(r.title()).isEqualTo("general protection fault in ext4_xattr_block_find");
        assertThat(r.startLine()).isEqualTo(2);
        assertThat(r.corrupted()).isFalse();
    }

    @Test
    void everyPrefixStyleGivesTheSameTitle() {
        List<java.util.function.IntFunction<String>> styles = List.of(
                i -> String.format("[%5d.%06d] ", 3 + i, i),
                i -> String.format("[%5d.%06d][ T5015] ", 3, i),
                i -> "[T5015] ",
                i -> "<4>" + String.format("[%5d.%06d] ", 3, i),
                i -> String.format("Nov 22 10:00:%02d myhost kernel: ", i),
                i -> String.format("2026-11-22T10:00:%02d.123456+00:00 myhost kernel: [%5d.%06d] ", i, 3, i),
                i -> "kernel: ",
                i -> String.format("[Sun Nov 22 10:00:%02d 2026] ", i));
        for (var style : styles) {
            List<FoundReport> rs = find(prefixed("systemd[1]: Started foo.\n" + GPF, style));
            assertThat(rs).as(style.apply(0)).hasSize(1);
            assertThat(rs.getFirst().title()).as(style.apply(0)).isEqualTo("general protection fault in ext4_xattr_block_find");
            assertThat(rs.getFirst().lines().getFirst()).startsWith("general protection fault, probably");
            assertThat(rs.getFirst().startLine()).isEqualTo(2);
        }
    }

    @Test
    void linesOfAnotherTaskInterleavedStayOut() {
        String[] lines = GPF.split("\n");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            sb.append(String.format("[  10.%06d][ T5015] %s%n", i, lines[i]));
            sb.append(String.format("[  10.%06d][   T36] audit: type=1400 audit(1:2): avc: denied%n", i));
        }
        FoundReport r = find(sb.toString()).getFirst();
        assertThat(r.title()).isEqualTo("general protection fault in ext4_xattr_block_find");
        assertThat(r.lines()).noneMatch(l -> l.startsWith("audit"));
        assertThat(r.lines()).hasSize(lines.length);
        assertThat(r.startLine()).isEqualTo(1);
        assertThat(r.endLine()).isEqualTo(2 * lines.length - 1);
    }

    @Test
    void warningThenPanicOnWarnIsOneReport() {
        String log = """
                [    1.0] ------------[ cut here ]------------
                [    1.1] WARNING: CPU: 1 PID: 42 at net/core/dev.c:1234 dev_close_many+0x1c/0x30
                [    1.2] Modules linked in:
                [    1.3] RIP: 0010:dev_close_many+0x1c/0x30
                [    1.4] Call Trace:
                [    1.5]  dev_close+0x10/0x20
                [    1.6]  do_syscall_64+0x35/0xb0
                [    1.7] ---[ end trace 0000000000000000 ]---
                [    1.8] Kernel panic - not syncing: panic_on_warn set ...
                """;
        List<FoundReport> rs = find(log);
        assertThat(rs).hasSize(1);
        assertThat(rs.getFirst().title()).isEqualTo("WARNING in dev_close_many");
        assertThat(rs.getFirst().kind()).isEqualTo("warning");
        assertThat(rs.getFirst().endLine()).isEqualTo(9);
    }

    @Test
    void garbageNeverThrows() {
        Random rnd = new Random(42);
        for (int n : new int[] {0, 1, 3, 4, 5, 100, 100_000}) {
            byte[] b = new byte[n];
            rnd.nextBytes(b);
            assertThat(ReportFinder.findAll(b)).isEmpty();
        }
        assertThat(find("")).isEmpty();
        assertThat(find("BUG:")).hasSize(1).allMatch(FoundReport::corrupted).allMatch(r -> r.guiltyFrame() == null);
        // a report whose stack is lost names no guilty frame, though its title says "in corrupted"
        FoundReport lost = find("general protection fault: 0000 [#1] SMP\nCPU: 0 PID: 1\n").getFirst();
        assertThat(lost.title()).isEqualTo("general protection fault in corrupted");
        assertThat(lost.corrupted()).isTrue();
        assertThat(lost.guiltyFrame()).isNull();
        // truncated right after the header: a report, flagged corrupted
        FoundReport t = find("[    4.1] BUG: kernel NULL pointer dereference, address: 0000000000000008\n[    4.2] #PF: sup")
                .getFirst();
        assertThat(t.corrupted()).isTrue();
        assertThat(t.kind()).isEqualTo("null-pointer-dereference");
        // bytes that are not UTF-8 inside a report
        byte[] bad = ("WARNING: CPU: 0 PID: 1 at mm/slub.c:1 kfree+0x1/0x2 \u00ff\n" + "Call Trace:\n").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(ReportFinder.findAll(bad)).hasSize(1);
    }

    @Test
    void cleanerMapsLinesAndContexts() {
        List<LogLine> lines = LineCleaner.cleanAll("[    3.210000] a\r\n[    3.21][ T123] b\n[  C1] c\n<4>d\n\u00ff\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertThat(lines).extracting(LogLine::text).containsExactly("a", "b", "c", "d", "\ufffd");
        assertThat(lines).extracting(LogLine::context).containsExactly("console", "T123", "C1", "", "");
        assertThat(lines).extracting(LogLine::number).containsExactly(1, 2, 3, 4, 5);
    }
}
