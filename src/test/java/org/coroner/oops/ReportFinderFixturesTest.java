package org.coroner.oops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Reports in the console logs of the crashlab scenarios (x86_64 and arm64, Debian 6.1). */
@Tag("fixtures")
class ReportFinderFixturesTest {

    private static List<FoundReport> find(Path log) {
        return ReportFinder.findAll(log);
    }

    private static String line(Path log, int number) throws IOException {
        return LineCleaner.cleanAll(Files.readAllBytes(log)).get(number - 1).text();
    }

    @Test
    void nullDereferenceOnX86IsOneReportThroughThePanic() throws IOException {
        Path log = Fixtures.vmcoreDir("null").resolve("console.log");
        List<FoundReport> reports = find(log);
        assertThat(reports).hasSize(1); // "INFO: NMI handler ... took too long" later is no crash
        FoundReport r = reports.getFirst();
        assertThat(r.title()).isEqualTo("BUG: unable to handle kernel NULL pointer dereference in create_oops");
        assertThat(r.kind()).isEqualTo("null-pointer-dereference");
        assertThat(r.guiltyFrame()).isEqualTo("create_oops");
        assertThat(r.corrupted()).isFalse();
        assertThat(r.startLine()).isEqualTo(370);
        assertThat(line(log, 370)).isEqualTo("BUG: kernel NULL pointer dereference, address: 0000000000000008");
        assertThat(r.lines().getFirst()).isEqualTo(line(log, 370));
        assertThat(r.lines()).contains("Oops: 0000 [#1] PREEMPT SMP NOPTI", "Kernel panic - not syncing: Fatal exception",
                "RIP: 0010:create_oops.constprop.0+0x23/0x36 [crashlab]");
        // '?' frames are kept for the decoder, as printed
        assertThat(r.lines()).anyMatch(l -> l.startsWith(" ? "));
        assertThat(line(log, r.endLine())).startsWith("---[ end Kernel panic - not syncing: Fatal exception");
        // the report's own lines, titled again on their own, give the same answer
        Titler.Description again = Titler.describe(r.lines()).orElseThrow();
        assertThat(again.title()).isEqualTo(r.title());
        assertThat(again.guiltyFrame()).isEqualTo("create_oops");
    }

    @Test
    void mutexDeadlockGivesTwoHungTaskReports() {
        List<FoundReport> reports = find(Fixtures.vmcoreDir("mutex_abba").resolve("console.log"));
        assertThat(reports).extracting(FoundReport::title)
                .containsExactly("INFO: task hung in mutex_ab", "INFO: task hung in mutex_ba");
        assertThat(reports).extracting(FoundReport::kind).containsOnly("hung-task");
        assertThat(reports.getFirst().startLine()).isEqualTo(368);
        assertThat(reports.getFirst().endLine()).isEqualTo(384); // up to the second task's report
        assertThat(reports.get(1).lines()).contains("Kernel panic - not syncing: hung_task: blocked tasks");
    }

    @Test
    void listCorruptionOnX86IsAGeneralProtectionFaultOnThePoison() {
        List<FoundReport> reports = find(Fixtures.consoleLog("listdel.log"));
        assertThat(reports).hasSize(1);
        FoundReport r = reports.getFirst();
        assertThat(r.title()).isEqualTo("general protection fault in lab_list_use_after_del");
        assertThat(r.kind()).isEqualTo("general-protection-fault");
        assertThat(r.lines().getFirst()).contains("non-canonical address 0xdead0000000000e8");
    }

    @Test
    void sysrqCrashIsAPanicWithoutOops() {
        for (String name : List.of("sysrq.log", "arm64-sysrq.log")) {
            List<FoundReport> reports = find(Fixtures.consoleLog(name));
            assertThat(reports).as(name).hasSize(1);
            FoundReport r = reports.getFirst();
            assertThat(r.title()).isEqualTo("kernel panic: sysrq triggered crash");
            assertThat(r.kind()).isEqualTo("panic");
            assertThat(r.corrupted()).isFalse();
            assertThat(r.lines().getFirst()).isEqualTo("Kernel panic - not syncing: sysrq triggered crash");
        }
    }

    @Test
    void arm64FaultsUseTheUnableToHandleHeaderAndPcLine() {
        FoundReport nul = find(Fixtures.consoleLog("arm64-null.log")).getFirst();
        assertThat(nul.title()).isEqualTo("BUG: unable to handle kernel NULL pointer dereference in create_oops");
        assertThat(nul.kind()).isEqualTo("null-pointer-dereference");
        assertThat(nul.startLine()).isEqualTo(238);
        assertThat(nul.lines()).anyMatch(l -> l.startsWith("Internal error: Oops: 0000000096000006"));

        List<FoundReport> listdel = find(Fixtures.consoleLog("arm64-listdel.log"));
        assertThat(listdel).hasSize(1); // "Internal error:" inside it starts no report of its own
        assertThat(listdel.getFirst().title())
                .isEqualTo("BUG: unable to handle kernel paging request in lab_list_use_after_del");
        assertThat(listdel.getFirst().kind()).isEqualTo("paging-fault");
    }
}
