package org.coroner.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.coroner.arch.arm64.Arm64AddressSpace;
import org.coroner.arch.arm64.unwind.Arm64Frame;
import org.coroner.arch.arm64.unwind.Arm64Registers;
import org.coroner.io.BadInputException;
import org.coroner.kernel.stack.Arm64Backtraces;
import org.coroner.session.Session;
import org.coroner.testing.Arm64Fixtures;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shell on the arm64 dumps. crash 8.0.2 as Debian builds it is an x86_64-target crash and cannot
 * open arm64 dumps ("machine type mismatch"), so {@code log} is checked against the console log of
 * the same run and {@code sys} against VMCOREINFO and console facts; the Oops exception frame against
 * the registers the kernel printed.
 */
@Tag("fixtures")
class Arm64ShellTest {
    private static final Pattern LOG_M = Pattern.compile("^(\\[[ 0-9.]+\\]) <(\\d)>(.*)$");

    static String run(Session s, String line) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Shell shell = new Shell(new PrintWriter(out), new PrintWriter(err));
        ShellCommands.registerAll(shell, s);
        shell.execute(line);
        assertThat(err.toString()).isEmpty();
        return out.toString();
    }

    static List<String> console(String scenario) throws Exception {
        return Files.readAllLines(Arm64Fixtures.dumpDir(scenario).resolve("console.log"), StandardCharsets.ISO_8859_1)
                .stream().map(l -> l.replace("\r", "")).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba", "sysrq", "pac"})
    void logIsTheConsoleLogPlusTheDebugRecordsTheConsoleDidNotShow(String scenario) throws Exception {
        try (Session s = Arm64Fixtures.open(scenario, "zlib")) {
            List<String> shown = new ArrayList<>();
            int debug = 0;
            for (String l : run(s, "log -m").lines().toList()) {
                Matcher m = LOG_M.matcher(l);
                assertThat(m.matches()).as(l).isTrue();
                if (m.group(2).equals("7")) {
                    debug++; // loglevel=7 on the command line: the console shows levels 0-6
                } else {
                    shown.add(m.group(1) + " " + m.group(3));
                }
            }
            List<String> printed = console(scenario).stream().filter(l -> l.startsWith("[")).toList();
            assertThat(shown).containsExactlyElementsOf(printed);
            assertThat(run(s, "log").lines().count()).isEqualTo(printed.size() + debug);
            System.out.printf("arm64 %s: log = %d console lines + %d debug records%n", scenario, printed.size(), debug);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba", "sysrq", "pac"})
    void sysFieldsAreTheKernelsFacts(String scenario) throws Exception {
        try (Session s = Arm64Fixtures.open(scenario, "elf")) {
            Map<String, String> sys = new HashMap<>();
            for (String l : run(s, "sys").lines().toList()) {
                int c = l.indexOf(':');
                sys.put(l.substring(0, c).trim(), l.substring(c + 1).trim());
            }
            List<String> con = console(scenario);
            String version = con.stream().filter(l -> l.contains("] Linux version ")).findFirst().orElseThrow();
            assertThat(sys.get("RELEASE")).isEqualTo(s.vmcoreInfo().osRelease().orElseThrow()).isEqualTo(Arm64Fixtures.RELEASE);
            assertThat(version).endsWith(") " + sys.get("VERSION"));
            assertThat(sys.get("MACHINE")).startsWith("aarch64");
            assertThat(sys.get("CPUS")).startsWith("2");
            assertThat(sys.get("MEMORY")).isEqualTo("512 MB");
            String panic = sys.get("PANIC");
            assertThat(panic).startsWith("\"");
            assertThat(String.join("\n", con)).contains(panic.substring(1, panic.indexOf('"', 1)));
            long tasks = org.coroner.kernel.stack.Arm64ConsoleTasks.pids(Arm64Fixtures.dumpDir(scenario).resolve("console.log"));
            // panic_print listed every thread; sys also counts the 2 idle tasks, as crash does
            assertThat(sys.get("TASKS")).isEqualTo(Long.toString(tasks + 2));
            // UPTIME is jiffies since INITIAL_JIFFIES at HZ (the image's config: 250), frozen at the panic;
            // under TCG jiffies (ticks) and the printk clock (the counter) drift apart by seconds, either
            // way, with the load on the host (seen: 27 s against 29.2 on null, 23 s against 17.3 on
            // mutex_abba): the console's last stamp is only a rough check (a wrong HZ would be 2.5x off)
            long hz = Files.readAllLines(Arm64Fixtures.dir().resolve("image/boot/config-" + Arm64Fixtures.RELEASE)).stream()
                    .filter(l -> l.startsWith("CONFIG_HZ=")).mapToLong(l -> Long.parseLong(l.substring(10))).findFirst().orElseThrow();
            long jiffies = s.kernel().memory().u64(s.kernel().requireSymbol("jiffies_64"));
            long initial = (-300L * hz) & 0xffffffffL;
            String[] hms = sys.get("UPTIME").split(":");
            long up = Long.parseLong(hms[0]) * 3600 + Long.parseLong(hms[1]) * 60 + Long.parseLong(hms[2]);
            assertThat(up).isEqualTo((jiffies - initial) / hz);
            double last = con.stream().filter(l -> l.startsWith("[")).mapToDouble(l -> Double.parseDouble(l.substring(1, 13).trim()))
                    .max().orElseThrow();
            assertThat((double) up).isCloseTo(last, org.assertj.core.api.Assertions.within(Math.max(10.0, last * 0.5)));
        }
    }

    @Test
    void oopsExceptionFrameHoldsTheRegistersTheKernelPrinted() throws Exception {
        try (Session s = Arm64Fixtures.open("null", "zlib")) {
            Map<String, Long> printed = new HashMap<>();
            String pc = null;
            Pattern reg = Pattern.compile("(x\\d+|sp) ?: ([0-9a-f]{16})");
            boolean in = false;
            for (String l : console("null")) {
                if (l.contains("Internal error: Oops")) {
                    in = true;
                } else if (in && l.contains("Call trace:")) {
                    break;
                } else if (in && l.contains("] pc : ")) {
                    pc = l.substring(l.indexOf("pc : ") + 5, l.indexOf('/'));
                } else if (in) {
                    Matcher m = reg.matcher(l);
                    while (m.find()) {
                        printed.put(m.group(1), Long.parseUnsignedLong(m.group(2), 16));
                    }
                }
            }
            assertThat(printed).hasSize(31);
            var bt = s.backtracer();
            Arm64Backtraces.Backtrace b = bt.arm64Backtrace(bt.panicTask().orElseThrow());
            assertThat(b.task().comm()).isEqualTo("insmod");
            assertThat(b.complete()).isTrue();
            Arm64Frame oops = b.frames().stream().filter(Arm64Frame::isException).findFirst().orElseThrow();
            Arm64Registers r = oops.regs();
            assertThat(bt.symbolizer().lookup(r.pc()).orElseThrow().kernel()).isEqualTo(pc.replace(" [crashlab]", ""));
            assertThat(r.sp()).isEqualTo(printed.get("sp"));
            for (int x = 0; x <= 29; x++) {
                assertThat(r.x(x)).as("x" + x).isEqualTo(printed.get("x" + x));
            }
            // the pt_regs lie below the el1h_64_sync frame record, in it
            assertThat(oops.regsAddress() + s.backtracer().arm64().orElseThrow().ptRegs().stackframeOffset()).isEqualTo(oops.fp());
            Arm64Frame user = b.frames().get(b.frames().size() - 1);
            assertThat(user.isUserRegs()).isTrue();
            assertThat(user.regs().get(Arm64Registers.SYSCALLNO)).isEqualTo(273); // __NR_finit_module
            String text = run(s, "bt");
            assertThat(text).contains(String.format("     PC: %016x  [create_oops.constprop.0+68]", r.pc()))
                    .contains(String.format("     SP: %016x  PSTATE: %08x", r.sp(), r.pstate()))
                    .contains("] create_oops.constprop.0 at ").contains("[crashlab]")
                    .contains("ORIG_X0: 0000000000000003  SYSCALLNO: 111");
            // bt -e finds the same pt_regs by their shape alone: the Oops's and the user entry's
            var found = bt.arm64().orElseThrow().exceptionFrames(b, bt.orc()::isText).stream()
                    .map(Arm64Backtraces.ExceptionFrame::address).toList();
            assertThat(found).contains(oops.regsAddress(), user.regsAddress());
            assertThat(run(s, "bt -e")).contains(String.format("%nKERNEL-MODE EXCEPTION FRAME AT: %x", oops.regsAddress()))
                    .contains(String.format("%nUSER-MODE EXCEPTION FRAME AT: %x", user.regsAddress()));
            if (bt.symbolizer().lookup(b.frames().get(0).pc()).orElseThrow().symbol().equals("vectors")) {
                assertThat(text).contains("(the CPU had just taken an exception: the interrupted pc, in ELR_EL1");
            }
        }
    }

    /** {@code bt -l}: each vmlinux frame's line is binutils' for the same code (the call: pc - 4 for a return address). */
    @Test
    void btLinesEqualAddr2line() throws Exception {
        try (Session s = Arm64Fixtures.open("null", "zlib")) {
            List<Long> link = new ArrayList<>();
            List<String> ours = new ArrayList<>();
            for (String scenarioTask : List.of("panic", "1")) {
                var t = scenarioTask.equals("panic") ? s.backtracer().panicTask().orElseThrow()
                        : s.backtracer().byPid(1).get(0);
                for (Arm64Frame f : s.backtracer().arm64Backtrace(t).frames()) {
                    long at = f.exact() ? f.pc() : f.pc() - 4;
                    if (!f.isCall() || s.backtracer().modules().containing(at).isPresent()) {
                        continue;
                    }
                    var loc = s.debugInfo().at(at);
                    if (loc.isPresent()) {
                        link.add(at - s.kernel().kaslrOffset());
                        ours.add(loc.get().file() + ":" + loc.get().line());
                    }
                }
            }
            List<String> cmd = new ArrayList<>(List.of("aarch64-linux-gnu-addr2line", "-e", Arm64Fixtures.vmlinux().toString()));
            link.forEach(a -> cmd.add(Long.toHexString(a)));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            List<String> theirs = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(l -> l.replaceAll(" \\(discriminator \\d+\\)$", "")).toList();
            assertThat(p.waitFor()).isZero();
            assertThat(ours.size()).isGreaterThan(30);
            assertThat(ours).containsExactlyElementsOf(theirs);
            System.out.printf("arm64 bt -l: %d vmlinux frames equal addr2line%n", ours.size());
        }
    }

    /** {@code bt -t}: every real return address (the lr of each frame record the unwind followed) is among the scan's hits. */
    @Test
    void stackScanFindsEveryReturnAddressOfTheTrace() throws Exception {
        try (Session s = Arm64Fixtures.open("mutex_abba", "zlib")) {
            var bt = s.backtracer();
            int checked = 0;
            for (var t : s.tasks().all()) {
                Arm64Backtraces.Backtrace b = bt.arm64Backtrace(t);
                var hits = bt.arm64().orElseThrow().scan(b, bt.orc()::isText, true);
                List<Arm64Frame> fs = b.frames();
                for (int i = 0; i + 1 < fs.size(); i++) {
                    Arm64Frame next = fs.get(i + 1);
                    if (fs.get(i).isCall() && next.isCall() && !next.exact()) {
                        long slot = fs.get(i).fp() + 8;
                        assertThat(hits).as(t.comm()).contains(new Arm64Backtraces.ScanHit(slot, next.pc(), fs.get(i).stack().kind()));
                        checked++;
                    }
                }
            }
            assertThat(checked).isGreaterThan(300);
            String text = run(s, "bt -T 2");
            assertThat(text).contains("START: __switch_to at ").contains("] kthreadd at ");
        }
    }

    @Test
    void everyCpuAndEveryTaskHasACompleteTrace() throws Exception {
        for (String scenario : Arm64Fixtures.SCENARIOS) {
            try (Session s = Arm64Fixtures.open(scenario, "zlib")) {
                String all = run(s, "foreach bt");
                assertThat(all).doesNotContain("unwind stopped");
                String cpus = run(s, "bt -a");
                assertThat(cpus.lines().filter(l -> l.startsWith("PID: ")).count()).isEqualTo(2);
                assertThat(cpus).doesNotContain("unwind stopped");
            }
        }
    }

    @Test
    void pacSignedReturnAddressesAreStripped() throws Exception {
        // pac: QEMU's -cpu max has pointer authentication; the kernel signs every saved lr (paciasp)
        try (Session s = Arm64Fixtures.open("pac", "zlib")) {
            assertThat(String.join("\n", console("pac"))).contains("CPU features: detected: Address authentication");
            int signed = 0;
            int records = 0;
            for (var t : s.tasks().all()) {
                List<Arm64Frame> fs = s.backtracer().arm64Backtrace(t).frames();
                for (int i = 0; i + 1 < fs.size(); i++) {
                    if (fs.get(i).isCall() && fs.get(i + 1).isCall() && !fs.get(i + 1).exact()) {
                        long raw = s.kernel().memory().u64(fs.get(i).fp() + 8);
                        records++;
                        signed += raw != fs.get(i + 1).pc() ? 1 : 0;
                        // a kernel return address: the PAC bits above the 48 VA bits become ones again
                        assertThat(fs.get(i + 1).pc()).isEqualTo(raw | 0xffff000000000000L);
                        assertThat(s.backtracer().symbolizer().lookup(fs.get(i + 1).pc())).isPresent();
                    }
                }
            }
            System.out.printf("arm64 pac: %d of %d saved return addresses carried PAC bits%n", signed, records);
            assertThat(signed).isGreaterThan(records / 2);
        }
    }

    @Test
    void irqStackTransitionIsShownAsCrashDoes() throws Exception {
        // sysrq: CPU 1 was stopped by the panic's IPI while a kworker ran: the IPI handler runs on the IRQ stack
        try (Session s = Arm64Fixtures.open("sysrq", "zlib")) {
            String cpus = run(s, "bt -a");
            assertThat(cpus).contains("--- <IRQ stack> ---").contains(" ipi_handler at ").contains(" el1h_64_irq at ");
        }
    }

    @Test
    void translationOfTheLinearMapEqualsThePageTableWalk() throws Exception {
        try (Session s = Arm64Fixtures.open("null", "zlib")) {
            Arm64AddressSpace space = (Arm64AddressSpace) s.addressSpace();
            assertThat(space.vaBits()).isEqualTo(48);
            // the panic printed "Kernel Offset: 0x... from 0xffff800008000000" and "PHYS_OFFSET: 0x..."
            String con = String.join("\n", console("null"));
            Matcher off = Pattern.compile("Kernel Offset: 0x([0-9a-f]+) from 0x([0-9a-f]+)").matcher(con);
            assertThat(off.find()).isTrue();
            assertThat(s.kernel().kaslrOffset()).isEqualTo(Long.parseUnsignedLong(off.group(1), 16)).isNotZero();
            assertThat(Long.parseUnsignedLong(off.group(2), 16)).isEqualTo(Arm64AddressSpace.KIMAGE_VADDR_48);
            Matcher phys = Pattern.compile("PHYS_OFFSET: 0x([0-9a-f]+)").matcher(con);
            assertThat(phys.find()).isTrue();
            assertThat(space.physOffset()).isEqualTo(Long.parseUnsignedLong(phys.group(1), 16));
            long task = s.backtracer().panicTask().orElseThrow().address();
            assertThat(space.isLinear(task)).isTrue();
            Arm64AddressSpace.Translation walked = space.walk(task);
            assertThat(walked.physicalAddress()).isEqualTo(space.translate(task).physicalAddress());
            assertThat(walked.levels()).isNotEmpty();
            long text = s.kernel().requireSymbol("_stext"); // _text.._stext (the image header) is not mapped
            assertThat(space.walk(text).physicalAddress()).isEqualTo(text - space.kimageVoffset());
            long stack = s.kernel().object("struct task_struct", task).member("stack").u64();
            assertThat(space.isLinear(stack) || space.isKernelImage(stack)).isFalse(); // vmap'ed stack
            assertThat(space.walk(stack).pageSize()).isEqualTo(4096);
        }
    }

    @Test
    void blockMappedLinearMapWalksToTheSameAddresses() throws Exception {
        // pac boots with rodata=off: the linear map is built of 2 MiB block descriptors
        try (Session s = Arm64Fixtures.open("pac", "elf")) {
            Arm64AddressSpace space = (Arm64AddressSpace) s.addressSpace();
            int blocks = 0;
            for (var t : s.tasks().all()) {
                Arm64AddressSpace.Translation w = space.walk(t.address());
                assertThat(w.physicalAddress()).isEqualTo(space.translate(t.address()).physicalAddress());
                blocks += w.pageSize() >= (2 << 20) ? 1 : 0;
                // and the bytes read through the walk are the task's: its own pid
                assertThat(s.kernel().object("struct task_struct", t.address()).member("pid").value()).isEqualTo(t.pid());
            }
            assertThat(blocks).isEqualTo(s.tasks().all().size() - 1); // init_task lives in the image
        }
    }

    @Test
    void mismatchedArchitecturesExitWithOneLineOnTheCommandLine() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = org.coroner.cli.Main.execute(new String[] {"shell", "-c", "sys", Arm64Fixtures.vmlinux().toString(),
            Fixtures.vmcoreDir("null").resolve("vmcore").toString()}, new PrintWriter(out), new PrintWriter(err));
        assertThat(rc).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString().lines().toList()).containsExactly("coroner: " + Arm64Fixtures.vmlinux()
                + ": is an arm64 kernel but vmcore is a dump of an x86_64 machine");
    }

    @Test
    void mismatchedArchitecturesAreOneClearLine() {
        Path arm64Dump = Arm64Fixtures.dumpDir("null").resolve("zlib");
        Path x86Dump = Fixtures.vmcoreDir("null").resolve("vmcore");
        assertThatThrownBy(() -> Session.open(Arm64Fixtures.vmlinux(), x86Dump, List.of(), false))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("is an arm64 kernel but vmcore is a dump of an x86_64 machine")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> Session.open(Fixtures.vmlinux(), arm64Dump, List.of(), false))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("is an x86_64 kernel but zlib is a dump of an arm64 machine");
    }
}
