package org.coroner.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * crash itself, run live on a dump: one batch run of {@code crash -s VMLINUX VMCORE} with every
 * command the tests compare on stdin, each command's output told apart by an {@code eval} marker
 * between the commands. The output of a run is kept in {@code target/crash-reference/} under a
 * digest of the dump, the vmlinux and the commands, so test reruns do not start crash again (it
 * takes 10-15 s to start).
 */
public final class CrashReference {
    private static final long MARK = 0xc0de_0000L;
    private static final Map<String, CrashReference> RUNS = new ConcurrentHashMap<>();

    private final List<String> commands;
    private final List<String> outputs;

    private CrashReference(List<String> commands, List<String> outputs) {
        this.commands = commands;
        this.outputs = outputs;
    }

    /** The output of every command, run once per JVM (and per change of the commands) on {@code vmcore}. */
    public static synchronized CrashReference run(Path vmcore, List<String> commands) {
        String key = vmcore + "\n" + String.join("\n", commands);
        return RUNS.computeIfAbsent(key, x -> new CrashReference(List.copyOf(commands), execute(vmcore, commands)));
    }

    /** What crash printed for {@code command} (stdout and stderr interleaved as crash wrote them). */
    public String output(String command) {
        return output(command, 0);
    }

    /** The output of the {@code n}th (from 0) run of {@code command} in the batch. */
    public String output(String command, int n) {
        for (int i = 0; i < commands.size(); i++) {
            if (commands.get(i).equals(command) && n-- == 0) {
                return outputs.get(i);
            }
        }
        throw new IllegalArgumentException("not in the crash run: " + command);
    }

    public List<String> lines(String command) {
        return output(command).lines().toList();
    }

    private static List<String> execute(Path vmcore, List<String> commands) {
        try {
            Path vmlinux = Fixtures.vmlinux();
            String digest = digest(vmcore + "|" + Files.size(vmcore) + "|" + Files.size(vmlinux) + "|" + String.join("\n", commands));
            Path cacheDir = Path.of("target", "crash-reference");
            Files.createDirectories(cacheDir);
            Path cached = cacheDir.resolve(digest + ".txt");
            String text;
            if (Files.isRegularFile(cached)) {
                text = Files.readString(cached);
            } else {
                StringBuilder in = new StringBuilder();
                for (int i = 0; i < commands.size(); i++) {
                    in.append(String.format("eval 0x%x%n", MARK + i)).append(commands.get(i)).append('\n');
                }
                in.append(String.format("eval 0x%x%n", MARK + commands.size())).append("q\n");
                Path cmds = Files.createTempFile("coroner-crash", ".cmds");
                Files.writeString(cmds, in);
                try {
                    Process p = new ProcessBuilder("crash", "-s", vmlinux.toString(), vmcore.toString())
                            .redirectErrorStream(true).redirectInput(cmds.toFile()).start();
                    text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    p.waitFor();
                } finally {
                    Files.deleteIfExists(cmds);
                }
                Path tmp = cacheDir.resolve(digest + ".tmp" + ProcessHandle.current().pid());
                Files.writeString(tmp, text);
                Files.move(tmp, cached, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return split(text, commands);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Cuts crash's output at the markers: {@code eval} prints "hexadecimal: c0de0003" first, then decimal, octal, binary. */
    private static List<String> split(String text, List<String> commands) {
        String[] out = new String[commands.size()];
        List<String> lines = text.lines().toList();
        int at = -1;
        List<String> current = null;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("hexadecimal: c0de")) {
                int n = (int) (Long.parseLong(l.substring("hexadecimal: ".length()).trim().split("\\s+")[0], 16) - MARK);
                if (current != null && at >= 0 && at < commands.size()) {
                    out[at] = String.join("\n", current) + (current.isEmpty() ? "" : "\n");
                }
                at = n;
                current = new ArrayList<>();
                // skip "decimal:", "octal:", "binary:" lines of the marker
                while (i + 1 < lines.size() && lines.get(i + 1).matches("^\\s*(decimal|octal|binary):.*")) {
                    i++;
                }
                continue;
            }
            if (current != null) {
                current.add(l);
            }
        }
        for (int i = 0; i < out.length; i++) {
            if (out[i] == null) {
                throw new IllegalStateException("crash stopped before " + commands.get(i) + "; its output ends with: "
                        + text.substring(Math.max(0, text.length() - 500)));
            }
        }
        return List.of(out);
    }

    private static String digest(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
