package org.coroner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: the forms each subcommand's options take, what is refused and how, and the usage text. */
class CliTest {
    static OopsCommandTest.Run run(String... args) {
        return OopsCommandTest.run(args);
    }

    @Test
    void optionsTakeTheirValueInEveryForm() {
        Cli.Args a = ShellMain.SPEC.parse(List.of("--modules", "m1", "--modules=m2", "-csys; bt", "--force", "v", "c"));
        assertThat(a.paths("--modules")).containsExactly(Path.of("m1"), Path.of("m2"));
        assertThat(a.value("-c")).isEqualTo("sys; bt");
        assertThat(a.flag("--force")).isTrue();
        assertThat(a.value("-i")).isNull();
        assertThat(a.parameters).containsExactly("v", "c");

        Cli.Args b = ShellMain.SPEC.parse(List.of("v", "-c", "log", "c", "--source", "/src"));
        assertThat(b.value("-c")).isEqualTo("log");
        assertThat(b.parameters).containsExactly("v", "c");
        assertThat(b.paths("--source")).containsExactly(Path.of("/src"));
        assertThat(b.flag("--force")).isFalse();
    }

    @Test
    void aLoneDashIsStandardInputAndDoubleDashEndsOptions() {
        assertThat(OopsCommand.SPEC.parse(List.of("-")).parameters).containsExactly("-");
        Cli.Args a = OopsCommand.SPEC.parse(List.of("--json", "--", "--all"));
        assertThat(a.flag("--json")).isTrue();
        assertThat(a.flag("--all")).isFalse();
        assertThat(a.parameters).containsExactly("--all");
    }

    @Test
    void helpAndVersionAreKnownToEveryCommandAndSkipTheParameterCheck() {
        for (String name : Subcommands.NAMES) {
            Cli.Spec spec = Subcommands.named(name).spec();
            assertThat(spec.parse(List.of("--help")).help).as(name).isTrue();
            assertThat(spec.parse(List.of("-hV")).version).as(name).isTrue();
        }
    }

    @Test
    void refusalsNameTheOptionAndTheProblem() {
        assertThatThrownBy(() -> OopsCommand.SPEC.parse(List.of("--bogus", "f"))).isInstanceOf(Cli.UsageException.class)
                .hasMessage("Unknown option: '--bogus'");
        assertThatThrownBy(() -> OopsCommand.SPEC.parse(List.of("f", "--vmlinux"))).hasMessageContaining("'--vmlinux' (PATH)");
        assertThatThrownBy(() -> OopsCommand.SPEC.parse(List.of("--vmlinux=a", "--vmlinux=b", "f")))
                .hasMessage("option '--vmlinux' should be specified only once");
        assertThatThrownBy(() -> OopsCommand.SPEC.parse(List.of("--json=yes", "f"))).hasMessageContaining("takes no value");
        assertThatThrownBy(() -> OopsCommand.SPEC.parse(List.of())).hasMessage("Missing required parameter: 'FILE'");
        assertThatThrownBy(() -> OopsCommand.SPEC.parse(List.of("a", "b"))).hasMessageStartingWith("Unmatched argument: 'b'");
        assertThatThrownBy(() -> ShellMain.SPEC.parse(List.of("vmcore"))).hasMessageContaining("(2 needed, 1 given)");
        assertThatThrownBy(() -> ShellMain.SPEC.parse(List.of("-x"))).hasMessage("Unknown option: '-x'");
        assertThatThrownBy(() -> ShellMain.SPEC.parse(List.of("-fc", "sys"))).hasMessage("Unknown option: '-fc'");
    }

    @Test
    void aBadCommandLineIsOneLineAndAPointerToHelpWithExitCode2() {
        for (String[] args : new String[][] {{"oops"}, {"oops", "--nope", "x"}, {"nope"}, {"--nope"}, {"help", "nope"},
                {"analyze", "--vmlinux"}, {"shell", "-c"}, {"elf", "a", "b"}, {"analyze"}}) {
            OopsCommandTest.Run r = run(args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(Main.BAD_INPUT);
            assertThat(r.out()).isEmpty();
            List<String> lines = r.err().lines().toList();
            assertThat(lines).as(r.err()).hasSize(2);
            assertThat(lines.get(0)).startsWith("coroner: ");
            assertThat(lines.get(1)).matches("Try 'coroner( [a-z]+)? --help' for more information\\.");
        }
        assertThat(run("analyze").err()).contains("give VMLINUX VMCORE");
        assertThat(run("nope").err()).contains("one of: help, elf, oops, analyze, shell");
    }

    @Test
    void usageListsEveryCommandAndEveryOptionWithinEightyColumns() {
        OopsCommandTest.Run top = run("--help");
        assertThat(top.code()).isZero();
        assertThat(top.err()).isEmpty();
        assertThat(top.out()).startsWith("Usage: coroner [-hV] [COMMAND]\n");
        for (String name : Subcommands.NAMES) {
            assertThat(top.out()).containsPattern("(?m)^  " + name + " +\\S");
            Cli.Spec spec = Subcommands.named(name).spec();
            OopsCommandTest.Run help = run(name, "--help");
            assertThat(help.code()).isZero();
            assertThat(run("help", name).out()).isEqualTo(help.out());
            assertThat(help.out()).startsWith("Usage: coroner " + name + " [-hV]");
            for (Cli.Option o : spec.options) {
                assertThat(help.out()).as(name).containsPattern("(?m)^ +" + o.name() + "[ =]");
            }
            assertThat(help.out()).contains("  -h, --help ").contains("  -V, --version ");
            assertThat(help.out().lines()).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(Cli.WIDTH));
        }
        assertThat(top.out().lines()).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(Cli.WIDTH));
        assertThat(run().out()).isEqualTo(top.out());
        assertThat(run("-V").out()).startsWith("coroner ").contains("(Java 25");
    }

    @Test
    void aFailureInsideACommandIsOneLineNamingTheFile(@TempDir Path tmp) throws Exception {
        Path garbage = tmp.resolve("garbage.bin");
        Files.write(garbage, new byte[] {1, 2, 3, 4, 5});
        OopsCommandTest.Run r = run("elf", garbage.toString());
        assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(r.err().strip()).doesNotContain("\n").contains("garbage.bin");
        OopsCommandTest.Run missing = run("oops", tmp.resolve("none.log").toString());
        assertThat(missing.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(missing.err().strip()).isEqualTo("coroner: " + tmp.resolve("none.log") + ": no such file");
    }
}
