package org.coroner.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellTest {
    @Test
    void splitsCommandsPipesAndRedirectsAsCrashDoes() {
        var inv = CommandLineSplitter.split("bt -a | grep 'exception RIP' ; log > /tmp/log.txt;p jiffies >> x");
        assertThat(inv).hasSize(3);
        assertThat(inv.get(0).words()).containsExactly("bt", "-a");
        assertThat(inv.get(0).pipe()).isEqualTo("grep 'exception RIP'");
        assertThat(inv.get(1).words()).containsExactly("log");
        assertThat(inv.get(1).redirect()).isEqualTo("/tmp/log.txt");
        assertThat(inv.get(1).append()).isFalse();
        assertThat(inv.get(2).redirect()).isEqualTo("x");
        assertThat(inv.get(2).append()).isTrue();
        assertThat(CommandLineSplitter.words("search -c \"a b\" ''")).containsExactly("search", "-c", "a b", "");
    }

    @Test
    void runsCommandsThroughPipesFilesAndKeepsGoingAfterErrors(@TempDir Path tmp) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Shell shell = new Shell(new PrintWriter(out), new PrintWriter(err));
        shell.register(new ShellCommand() {
            public String name() { return "count"; }
            public String summary() { return "print numbers"; }
            public String help() { return "count N"; }
            public void run(List<String> args, PrintWriter o) {
                int n = Integer.parseInt(args.get(0));
                if (n < 0) {
                    throw new CommandException("negative count: " + n);
                }
                for (int i = 1; i <= n; i++) {
                    o.println(i);
                }
            }
        });
        Path f = tmp.resolve("out.txt");
        shell.execute("count 5 | grep -v 3 | wc -l; count -1; nosuch; count 2 > " + f);
        assertThat(out.toString().trim()).isEqualTo("4");
        assertThat(err.toString()).contains("count: negative count: -1").contains("command not found: nosuch");
        assertThat(Files.readString(f)).isEqualTo("1\n2\n");
        shell.execute("q");
        assertThat(shell.quitRequested()).isTrue();
    }
}
