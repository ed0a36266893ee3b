package org.coroner.cli.shell.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.coroner.cli.shell.Shell;
import org.coroner.cli.shell.ShellCommands;
import org.coroner.session.Session;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 3's acceptance for the data commands, against what crash printed for the fixture dumps
 * (crash/*.txt): p jiffies, sym create_oops.constprop.0, the task list through list -h; bad input
 * gives one crash-style line and the session goes on; value history numbers as crash's p does.
 */
@Tag("fixtures")
class DataAcceptanceTest {
    private static final class Run {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final Shell shell;

        Run(Session s) {
            shell = new Shell(new PrintWriter(out), new PrintWriter(err));
            ShellCommands.registerAll(shell, s);
        }

        String out(String line) {
            int o = out.getBuffer().length();
            shell.execute(line);
            return out.getBuffer().substring(o);
        }

        String err(String line) {
            int o = err.getBuffer().length();
            out(line);
            return err.getBuffer().substring(o);
        }
    }

    private static List<String> crash(String scenario, String file) {
        return Fixtures.crashOutput(scenario, file);
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba"})
    void acceptanceCommandsEqualCrashsFixtureOutput(String scenario) throws Exception {
        try (Session s = Session.open(Fixtures.vmlinux(), Fixtures.vmcoreDir(scenario).resolve("vmcore"),
                List.of(Fixtures.kernelDir()), false)) {
            Run r = new Run(s);
            assertThat(r.out("p jiffies").lines().toList()).isEqualTo(crash(scenario, "p_jiffies.txt"));
            assertThat(r.out("sym create_oops.constprop.0").lines().toList()).isEqualTo(crash(scenario, "sym_create_oopsconstprop0.txt"));
            List<String> tasks = r.out("list task_struct.tasks -s task_struct.pid,comm -h init_task").lines().toList();
            assertThat(tasks).hasSizeGreaterThan(150).isEqualTo(crash(scenario, "tasklist.txt"));
            // by address too: the symbol's own line, and 35 bytes into it the line of the faulting statement
            long fn = s.symbols().lookup("create_oops.constprop.0").orElseThrow().address();
            assertThat(r.out("sym " + Long.toHexString(fn))).isEqualTo(crash(scenario, "sym_create_oopsconstprop0.txt").get(0) + "\n");
            assertThat(r.out("sym " + Long.toHexString(fn + 35))).isEqualTo(String.format(
                    "%x (t) create_oops.constprop.0+35 [crashlab] /usr/src/crashlab/crashlab.c: 39%n", fn + 35));
            // the value history goes on: jiffies was $1
            assertThat(r.out("p $1")).isEqualTo("$2 = " + crash(scenario, "p_jiffies.txt").get(0).replaceFirst(".* = ", "") + "\n");
            assertThat(r.out("p $ + 1").trim()).startsWith("$3 = ");
            assertThat(r.err("")).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba"})
    void badInputIsOneLineAndTheSessionGoesOn(String scenario) throws Exception {
        try (Session s = Session.open(Fixtures.vmlinux(), Fixtures.vmcoreDir(scenario).resolve("vmcore"),
                List.of(Fixtures.kernelDir()), false)) {
            Run r = new Run(s);
            long pob = s.kernel().memory().u64(s.kernel().requireSymbol("page_offset_base"));
            String beyondRam = Long.toHexString(pob + s.dump().maxPfn() * s.dump().pageSize());
            assertThat(r.err("rd -64 " + beyondRam + " 4"))
                    .isEqualTo("rd: seek error: kernel virtual address: " + beyondRam + "  type: \"64-bit KVADDR\"\n");
            assertThat(r.err("rd ffffffffff000000")).isEqualTo("rd: invalid kernel virtual address: ffffffffff000000  type: \"64-bit KVADDR\"\n");
            assertThat(r.err("p nosuch_symbol")).isEqualTo("p: No symbol \"nosuch_symbol\" in current context.\n");
            assertThat(r.err("p init_task.nosuch")).isEqualTo("p: There is no member named nosuch.\n");
            assertThat(r.err("p (struct task_struct *")).isEqualTo("p: A syntax error in expression, near `'.\n");
            assertThat(r.err("p *(int *)0x" + beyondRam))
                    .isEqualTo("p: seek error: kernel virtual address: " + beyondRam + "  type: \"gdb_readmem_callback\"\n");
            assertThat(r.err("struct nosuch")).isEqualTo("struct: invalid data structure reference: nosuch\n");
            assertThat(r.err("struct task_struct.nosuch ffffffff81000000"))
                    .isEqualTo("struct: invalid data structure reference: task_struct.nosuch\n");
            assertThat(r.out("sym nosuch_symbol")).isEqualTo("symbol not found: nosuch_symbol\npossible alternatives:\n  (none found)\n");
            assertThat(r.err("sym 0")).isEqualTo("sym: invalid address: 0\n");
            assertThat(r.err("whatis nosuch_type")).isEqualTo("whatis: cannot resolve: nosuch_type\n");
            assertThat(r.err("list -h 0")).isEqualTo("list: invalid kernel virtual address: 0\n");
            assertThat(r.err("tree -t nosuch init_task")).isEqualTo("tree: invalid tree type: nosuch\n");
            assertThat(r.err("eval 1 +")).isEqualTo("eval: invalid expression: 1 +\n");
            // after all that, the session still answers
            assertThat(r.out("p jiffies").lines().toList()).isEqualTo(crash(scenario, "p_jiffies.txt"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"null"})
    void everyDataCommandHasHelp(String scenario) throws Exception {
        try (Session s = Session.open(Fixtures.vmlinux(), Fixtures.vmcoreDir(scenario).resolve("vmcore"), List.of(), false)) {
            Run r = new Run(s);
            for (String c : List.of("p", "eval", "struct", "union", "whatis", "ptype", "rd", "sym", "list", "tree", "task")) {
                String help = r.out("help " + c);
                assertThat(help.lines().count()).as(c).isGreaterThan(3);
                assertThat(help).as(c).startsWith(c + " ");
            }
            assertThat(r.out("help")).contains("p          ").contains("tree       ").contains("whatis     ");
        }
    }
}
