package org.coroner.cli.shell.mem;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.coroner.kernel.Tasks;
import org.coroner.kernel.mm.Vmas;
import org.coroner.session.Session;
import org.coroner.testing.FixtureSessions;
import org.coroner.testing.Fixtures;
import org.coroner.testing.ShellRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code vm} and the VMA lines of {@code vtop -u}: the VMAs read from the maple tree against the
 * kernel's own count ({@code mm->map_count}) for every process, and against the user registers the
 * kernel printed in the console log (the faulting insmod's RIP is in an executable mapping of
 * /bin/busybox, its RSP in the stack, which grows down). crash 8.0.2 cannot answer here: it looks
 * for {@code mm_struct.mmap}, which 6.1 replaced with the maple tree.
 */
@Tag("fixtures")
class VmCommandTest {
    private static final long VM_EXEC = 0x4;
    private static final long VM_GROWSDOWN = 0x100;
    private static final Pattern VMA = Pattern.compile("^([0-9a-f]{16}) +([0-9a-f]+) +([0-9a-f]+) +([0-9a-f]+) ?(.*)$");

    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba", "qemu-null"})
    void everyProcessHasAsManyVmasAsTheKernelCountsInOrder(String scenario) {
        Session s = FixtureSessions.session(scenario);
        int processes = 0;
        for (Tasks.Task t : s.tasks().all()) {
            long mm = t.task().member("mm").u64();
            if (mm == 0 || t.pid() != t.tgid()) {
                continue;
            }
            List<Vmas.Vma> vmas = Vmas.of(s.kernel(), mm);
            long mapCount = s.kernel().object("struct mm_struct", mm).member("map_count").u64();
            assertThat(vmas).as("%s (%d)", t.comm(), t.pid()).hasSize((int) mapCount);
            for (int i = 0; i < vmas.size(); i++) {
                Vmas.Vma v = vmas.get(i);
                assertThat(Long.compareUnsigned(v.start(), v.end())).isNegative();
                assertThat(s.kernel().object("struct vm_area_struct", v.address()).member("vm_mm").u64()).isEqualTo(mm);
                if (i > 0) {
                    assertThat(Long.compareUnsigned(vmas.get(i - 1).end(), v.start())).isNotPositive();
                }
            }
            processes++;
        }
        assertThat(processes).isGreaterThanOrEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "qemu-null"})
    void thePanicTasksUserRegistersFromTheLogLieInItsCodeAndStack(String scenario) throws Exception {
        Session s = FixtureSessions.session(scenario);
        Path log = scenario.equals("null") ? Fixtures.vmcoreDir("null").resolve("console.log")
                : Fixtures.qemuDumps("null").resolve("console.log");
        String text = Files.readString(log);
        long rip = Long.parseUnsignedLong(first(text, "RIP: 0033:0x([0-9a-f]+)"), 16);
        long rsp = Long.parseUnsignedLong(first(text, "RSP: 002b:([0-9a-f]+)"), 16);

        ShellRun sh = new ShellRun(s);
        List<String> vm = sh.run("vm").lines().toList();
        assertThat(sh.errors()).isEmpty();
        Tasks.Task panic = s.current().orElseThrow();
        assertThat(vm.get(0)).startsWith("PID: " + panic.pid() + " ").contains("COMMAND: \"insmod\"");
        assertThat(vm.get(1)).isEqualTo("       MM               PGD          RSS    TOTAL_VM");
        assertThat(vm.get(2)).startsWith(String.format("%x  ", panic.task().member("mm").u64()));
        assertThat(vm.get(3)).isEqualTo("      VMA           START       END     FLAGS FILE");
        List<Matcher> rows = vm.subList(4, vm.size()).stream().map(VMA::matcher).filter(Matcher::matches).toList();
        assertThat(rows).hasSize(vm.size() - 4);
        Matcher code = rows.stream().filter(m -> contains(m, rip)).findFirst().orElseThrow();
        assertThat(Long.parseLong(code.group(4), 16) & VM_EXEC).isNotZero();
        assertThat(code.group(5)).isEqualTo("/bin/busybox");
        Matcher stack = rows.stream().filter(m -> contains(m, rsp)).findFirst().orElseThrow();
        assertThat(Long.parseLong(stack.group(4), 16) & VM_GROWSDOWN).isNotZero();

        // vtop -u: the walk, then the VMA that holds the address; outside every VMA, crash's "(not accessible)"
        String vtop = sh.run(String.format("vtop -u %x", rip));
        assertThat(vtop).contains("      VMA           START       END     FLAGS FILE\n" + code.group(0) + "\n");
        assertThat(vtop).contains("  PAGE: ").contains("(PRESENT|USER");
        assertThat(sh.run("vtop -u 1000")).isEqualTo("VIRTUAL     PHYSICAL        \n1000        (not accessible)\n\n");

        // -m: the mm_struct as struct prints it; -v: every vm_area_struct, in the maple tree's order
        long mm = panic.task().member("mm").u64();
        String header = vm.get(0) + "\n";
        assertThat(sh.run("vm -m")).isEqualTo(header + sh.run(String.format("struct mm_struct %x", mm)));
        List<Vmas.Vma> vmas = Vmas.of(s.kernel(), mm);
        StringBuilder each = new StringBuilder(header);
        for (Vmas.Vma v : vmas) {
            each.append(sh.run(String.format("struct vm_area_struct -x %x", v.address())));
        }
        assertThat(sh.run("vm -v -x")).isEqualTo(each.toString());
        // tree -t maple on mm->mm_mt: the same VMAs, in order, with the members asked for
        long mt = s.kernel().object("struct mm_struct", mm).member("mm_mt").address();
        List<String> tree = sh.run(String.format("tree -t maple -s vm_area_struct.vm_start -x %x", mt)).lines().toList();
        assertThat(tree).hasSize(2 * vmas.size());
        for (int i = 0; i < vmas.size(); i++) {
            assertThat(tree.get(2 * i)).isEqualTo(Long.toHexString(vmas.get(i).address()));
            assertThat(tree.get(2 * i + 1)).isEqualTo("  vm_start = 0x" + Long.toHexString(vmas.get(i).start()) + ",");
        }
        assertThat(sh.errors()).isEmpty();

        // a kernel thread has no mm
        assertThat(sh.run("vm 2").lines().toList()).hasSize(3).element(2).asString().matches(" +0 +0 +0k +0k +");
    }

    private static boolean contains(Matcher m, long va) {
        return Long.compareUnsigned(va, Long.parseUnsignedLong(m.group(2), 16)) >= 0
                && Long.compareUnsigned(va, Long.parseUnsignedLong(m.group(3), 16)) < 0;
    }

    private static String first(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(regex).isTrue();
        return m.group(1);
    }
}
