package org.coroner.cli.shell.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.coroner.testing.Fixtures;

/**
 * Runs a list of commands through crash on a dump in one batch ({@code crash -s VMLINUX VMCORE},
 * commands on stdin, crashlab's symbols loaded first with {@code mod -s}) and splits its output
 * per command: each command is followed by an {@code eval} of a marker value whose output is
 * recognized.
 */
final class CrashLive {
    static final String MARKER = "eval 0x5a5a5a5a5a";
    private static final Pattern SPLIT = Pattern.compile(
            "hexadecimal: 5a5a5a5a5a  \n    decimal: 388062927450  \n      octal: 5513226455132\n     binary: [01]{64}\n");

    private CrashLive() {
    }

    /** crash's output of each command, in order (stdout and stderr as crash interleaves them). */
    static List<String> run(Path vmcore, List<String> commands) {
        StringBuilder in = new StringBuilder();
        in.append("mod -s crashlab ").append(Fixtures.crashlabKo()).append('\n').append(MARKER).append('\n');
        for (String c : commands) {
            in.append(c).append('\n').append(MARKER).append('\n');
        }
        in.append("q\n");
        String out;
        try {
            Process p = new ProcessBuilder("crash", "-s", Fixtures.vmlinux().toString(), vmcore.toString())
                    .redirectErrorStream(true).start();
            Thread writer = new Thread(() -> {
                try (var os = p.getOutputStream()) {
                    os.write(in.toString().getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // crash exited early: its output says why
                }
            });
            writer.start();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            writer.join();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run crash (scripts/setup.sh installs it)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        String[] parts = SPLIT.split(out, -1);
        List<String> result = new ArrayList<>();
        for (int i = 1; i < parts.length && result.size() < commands.size(); i++) {
            result.add(parts[i]);
        }
        if (result.size() != commands.size()) {
            throw new IllegalStateException("crash answered " + result.size() + " of " + commands.size()
                    + " commands; its output began: " + out.substring(0, Math.min(out.length(), 2000)));
        }
        return result;
    }
}
