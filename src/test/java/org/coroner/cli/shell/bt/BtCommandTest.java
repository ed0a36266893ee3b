package org.coroner.cli.shell.bt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.List;

import org.coroner.cli.shell.Shell;
import org.coroner.kernel.stack.Backtracer;
import org.coroner.kernel.stack.FixtureKernels;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code bt} output against crash's on the same dumps, where crash is right. */
@Tag("fixtures")
class BtCommandTest {
    static String run(String scenario, String line) {
        Backtracer bt = FixtureKernels.backtracer(scenario);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Shell shell = new Shell(new PrintWriter(out), new PrintWriter(err));
        shell.register(new BtCommand(bt));
        java.util.concurrent.atomic.AtomicReference<org.coroner.kernel.Tasks.Task> context = new java.util.concurrent.atomic.AtomicReference<>();
        shell.register(new org.coroner.cli.shell.proc.ForeachCommand(bt, () -> java.util.Optional.ofNullable(context.get()),
                context::set, n -> shell.commands().get(n)));
        shell.execute(line);
        return out + err.toString();
    }

    private static List<String> crash(String scenario, String file) throws IOException {
        return Files.readAllLines(Fixtures.vmcoreDir(scenario).resolve("crash").resolve(file));
    }

    @Test
    void panicTaskPrintsTheOopsBlockAndUserRegistersLikeCrash() throws IOException {
        String out = run("null", "bt");
        System.out.println(out);
        List<String> ours = out.lines().toList();
        List<String> crash = crash("null", "bt.txt");
        // Header, exception block and user registers: byte for byte as crash prints them.
        assertThat(ours.get(0)).isEqualTo(crash.stream().filter(l -> l.startsWith("PID:")).findFirst().orElseThrow());
        int ce = crash.indexOf("    [exception RIP: create_oops.constprop.0+35]");
        int oe = ours.indexOf("    [exception RIP: create_oops.constprop.0+35]");
        assertThat(oe).isPositive();
        assertThat(ours.subList(oe, oe + 8)).isEqualTo(crash.subList(ce, ce + 8));
        // Above it, the frames crash shows too (the dump caught the CPU in panic's delay loop).
        assertThat(ours.subList(1, oe)).containsExactly(
                " #0 [ffffcfdd404fb9e8] delay_tsc at ffffffff887f77a3",
                " #1 [ffffcfdd404fb9e8] panic at ffffffff88801f99",
                " #2 [ffffcfdd404fba68] oops_end.cold at ffffffff887fbdcf",
                " #3 [ffffcfdd404fba88] page_fault_oops at ffffffff87e87339",
                " #4 [ffffcfdd404fbb08] exc_page_fault at ffffffff888485d0",
                " #5 [ffffcfdd404fbb30] asm_exc_page_fault at ffffffff88a00c02");
        // crash's frames above the exception, same slots and addresses (crash misses oops_end.cold).
        List<String> ourTails = ours.subList(1, oe).stream().map(l -> l.substring(l.indexOf('['))).toList();
        for (String c : crash.subList(crash.indexOf(ours.get(0)) + 1, ce)) {
            assertThat(ourTails).contains(c.substring(c.indexOf('[')));
        }
        // After it crash shows stale frames; the real ones are these, then the user registers.
        assertThat(ours.subList(oe + 8, oe + 13)).containsExactly(
                " #6 [ffffcfdd404fbbe8] do_one_initcall at ffffffff87e024b9",
                " #7 [ffffcfdd404fbc58] do_init_module at ffffffff87f493aa",
                " #8 [ffffcfdd404fbc78] __do_sys_finit_module at ffffffff87f4ba7c",
                " #9 [ffffcfdd404fbd48] do_syscall_64 at ffffffff88843e1d",
                "#10 [ffffcfdd404fbf50] entry_SYSCALL_64_after_hwframe at ffffffff88a00126");
        assertThat(ours.subList(oe + 13, ours.size())).isEqualTo(crash.subList(crash.size() - 7, crash.size()));
    }

    @Test
    void idleCpuShowsTheIrqStackAndTheInterruptedIdleLoop() {
        String out = run("null", "bt -c 0");
        System.out.println(out);
        assertThat(out).contains("--- <IRQ stack> ---", "[exception RIP: native_safe_halt+11]", "do_idle at",
                "secondary_startup_64_no_verify at");
        assertThat(out).doesNotContain("bogus");
    }

    @Test
    void moduleFramesAreSymbolizedAndEveryTaskHasATrace() {
        String out = run("mutex_abba", "bt 92");
        System.out.println(out);
        assertThat(out).contains("mutex_ab at ", " [crashlab]", "__mutex_lock.constprop.0 at", "ret_from_fork at");
        String all = run("mutex_abba", "foreach bt");
        assertThat(all.lines().filter(l -> l.startsWith("PID:")).count()).isEqualTo(57);
        assertThat(all).doesNotContain("unwind stopped", "internal error");
    }

    @Test
    void scanModesListTextAddressesAndSavedRegisters() {
        String t = run("null", "bt -t");
        System.out.println(t);
        // The scan shows the stale return addresses the kernel marked with '?', which bt never shows.
        assertThat(t).contains("START: delay_tsc at", "do_filp_open at", "do_sys_openat2 at");
        assertThat(run("null", "bt")).doesNotContain("do_filp_open", "do_sys_openat2");
        String e = run("null", "bt -e");
        System.out.println(e);
        assertThat(e).contains(" KERNEL-MODE EXCEPTION FRAME AT: ffffcfdd404fbb38",
                "    [exception RIP: create_oops.constprop.0+35]", " USER-MODE EXCEPTION FRAME AT: ");
    }

    /**
     * {@code bt -l} with file:line from addr2line (the DWARF reader is not wired in yet): each
     * frame's line is that of its call instruction ({@code pc - 1}), the exception's of its RIP.
     */
    @Test
    void lineNumbersComeFromTheCallInstruction() {
        Backtracer bt = FixtureKernels.backtracer("null");
        org.coroner.kernel.Tasks.Task insmod = bt.byPid(90).get(0);
        List<org.coroner.arch.x86_64.unwind.Frame> frames = bt.backtrace(insmod).frames();
        java.util.List<Long> wanted = new java.util.ArrayList<>();
        for (var f : frames) {
            long a = f.isReturnAddress() ? f.pc() - 1 : f.pc();
            if (bt.orc().isKernelText(a)) {
                wanted.add(a);
            }
        }
        java.util.List<String> cmd = new java.util.ArrayList<>(List.of("addr2line", "-e", Fixtures.vmlinux().toString()));
        wanted.forEach(a -> cmd.add(Long.toHexString(a - bt.kernel().kaslrOffset())));
        String[] answers = Fixtures.run(cmd.toArray(String[]::new)).split("\n");
        java.util.Map<Long, org.coroner.kernel.stack.SourceLines.Location> map = new java.util.HashMap<>();
        for (int i = 0; i < wanted.size(); i++) {
            String a = answers[i].replaceAll(" \\(discriminator \\d+\\)", "");
            int c = a.lastIndexOf(':');
            map.put(wanted.get(i), new org.coroner.kernel.stack.SourceLines.Location(a.substring(0, c), Integer.parseInt(a.substring(c + 1))));
        }
        StringWriter out = new StringWriter();
        new BtCommand(bt, bt::panicTask, a -> java.util.Optional.ofNullable(map.get(a))).run(List.of("-l"), new PrintWriter(out));
        System.out.println(out);
        List<String> lines = out.toString().lines().toList();
        int i = lines.indexOf(lines.stream().filter(l -> l.contains("] do_one_initcall at")).findFirst().orElseThrow());
        assertThat(lines.get(i + 1)).matches("    \\S*init/main\\.c: \\d+");
        int p = lines.indexOf(lines.stream().filter(l -> l.contains("] panic at")).findFirst().orElseThrow());
        assertThat(lines.get(p + 1)).matches("    \\S*kernel/panic\\.c: \\d+");
        assertThat(out.toString()).contains("    [exception RIP: create_oops.constprop.0+35]");
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        assertThat(run("null", "bt 12345")).isEqualTo("bt: invalid task or pid value: 12345\n");
        assertThat(run("null", "bt -q")).isEqualTo("bt: invalid option: -q\n");
    }
}
