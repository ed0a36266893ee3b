package org.coroner.cli.shell;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.coroner.memory.FaultException;

/**
 * The command loop: reads lines (from a terminal with history and completion, a file, or a pipe),
 * runs each command, and sends its output to the terminal, a file ({@code > f}, {@code >> f}) or a
 * system shell pipeline ({@code | grep x}). A failing command prints one line and the session goes on.
 */
public final class Shell {
    private final Map<String, ShellCommand> commands = new TreeMap<>();
    private final Map<String, String> aliases = new TreeMap<>();
    private final List<java.util.function.Function<List<String>, java.util.Optional<List<String>>>> fallbacks = new ArrayList<>();
    private final PrintWriter out;
    private final PrintWriter err;
    private boolean quit;

    public Shell(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
        register(new HelpCommand());
    }

    public void register(ShellCommand c) {
        commands.put(c.name(), c);
    }

    public void alias(String alias, String command) {
        aliases.put(alias, command);
    }

    /**
     * A resolver for a command word that names no command: it returns the words to run instead
     * (crash runs a type name as {@code struct}, a symbol as {@code p}; gdb's {@code p/x} is {@code p /x}).
     */
    public void fallback(java.util.function.Function<List<String>, java.util.Optional<List<String>>> resolver) {
        fallbacks.add(resolver);
    }

    public Map<String, ShellCommand> commands() {
        return commands;
    }

    public boolean quitRequested() {
        return quit;
    }

    /** Runs one input line (possibly several {@code ;}-separated commands). */
    public void execute(String line) {
        for (CommandLineSplitter.Invocation inv : CommandLineSplitter.split(line)) {
            if (inv.words().isEmpty()) {
                continue;
            }
            String name = inv.words().get(0);
            if (name.equals("q") || name.equals("quit") || name.equals("exit")) {
                quit = true;
                return;
            }
            name = aliases.getOrDefault(name, name);
            ShellCommand cmd = commands.get(name);
            for (var f : cmd == null ? fallbacks : List.<java.util.function.Function<List<String>, java.util.Optional<List<String>>>>of()) {
                java.util.Optional<List<String>> words;
                try {
                    words = f.apply(inv.words());
                } catch (RuntimeException e) {
                    words = java.util.Optional.empty();
                }
                if (words.isPresent() && commands.containsKey(words.get().get(0))) {
                    cmd = commands.get(words.get().get(0));
                    List<String> quoted = words.get();
                    if (cmd.keepsQuotes()) {
                        // the same rewrite of the words as typed (p/x 'a': the quotes are the expression's)
                        try {
                            List<String> q = f.apply(inv.quotedWords()).orElse(List.of());
                            if (!q.isEmpty() && q.get(0).equals(quoted.get(0))) {
                                quoted = q;
                            }
                        } catch (RuntimeException e) {
                            // keep the words without their quotes
                        }
                    }
                    inv = new CommandLineSplitter.Invocation(words.get(), quoted, inv.pipe(), inv.redirect(), inv.append());
                    break;
                }
            }
            if (cmd == null) {
                err.println("coroner: command not found: " + name);
                err.flush();
                continue;
            }
            runWithOutput(cmd, inv);
        }
    }

    private void runWithOutput(ShellCommand cmd, CommandLineSplitter.Invocation inv) {
        List<String> words = cmd.keepsQuotes() ? inv.quotedWords() : inv.words();
        List<String> args = words.subList(1, words.size());
        if (inv.pipe() == null && inv.redirect() == null) {
            runGuarded(cmd, args, out);
            out.flush();
            return;
        }
        StringWriter buf = new StringWriter();
        PrintWriter pw = new PrintWriter(buf);
        runGuarded(cmd, args, pw);
        pw.flush();
        String text = buf.toString();
        try {
            if (inv.redirect() != null && inv.pipe() == null) {
                Files.writeString(Path.of(inv.redirect()), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        inv.append() ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE);
            } else {
                String pipeline = inv.pipe() + (inv.redirect() != null ? (inv.append() ? " >> " : " > ") + inv.redirect() : "");
                Process p = new ProcessBuilder("/bin/sh", "-c", pipeline).redirectErrorStream(true).start();
                try (OutputStream os = p.getOutputStream()) {
                    os.write(text.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // the pipeline closed its input early (head, grep -m): not an error
                }
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        out.println(l);
                    }
                }
                p.waitFor();
                out.flush();
            }
        } catch (IOException e) {
            err.println(cmd.name() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runGuarded(ShellCommand cmd, List<String> args, PrintWriter to) {
        try {
            cmd.run(args, to);
        } catch (CommandException | IllegalArgumentException e) {
            to.flush();
            err.println(cmd.name() + ": " + e.getMessage());
        } catch (FaultException e) {
            to.flush();
            err.println(cmd.name() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            to.flush();
            if (System.getenv("CORONER_DEBUG") != null) {
                e.printStackTrace(err);
            }
            err.println(cmd.name() + ": internal error: " + e);
        }
        err.flush();
    }

    /** Reads and runs commands until end of input or {@code q}; no prompt (batch mode). */
    public void runBatch(BufferedReader in) throws IOException {
        String line;
        while (!quit && (line = in.readLine()) != null) {
            execute(line);
        }
    }

    /** The interactive loop on a terminal, with history in {@code ~/.coroner_history} and completion. */
    public void runInteractive(String prompt) throws IOException {
        var terminal = org.jline.terminal.TerminalBuilder.builder().system(true).build();
        List<String> names = new ArrayList<>(commands.keySet());
        names.addAll(aliases.keySet());
        names.add("q");
        var reader = org.jline.reader.LineReaderBuilder.builder().terminal(terminal)
                .completer(new org.jline.reader.impl.completer.StringsCompleter(names))
                .variable(org.jline.reader.LineReader.HISTORY_FILE,
                        Path.of(System.getProperty("user.home"), ".coroner_history"))
                .build();
        while (!quit) {
            String line;
            try {
                line = reader.readLine(prompt);
            } catch (org.jline.reader.UserInterruptException e) {
                continue;
            } catch (org.jline.reader.EndOfFileException e) {
                break;
            }
            execute(line);
        }
        terminal.close();
    }

    private final class HelpCommand implements ShellCommand {
        @Override
        public String name() {
            return "help";
        }

        @Override
        public String summary() {
            return "list the commands, or show one command's help";
        }

        @Override
        public String help() {
            return "help [COMMAND]\n  Without an argument, lists the commands; with one, prints its help.";
        }

        @Override
        public void run(List<String> args, PrintWriter o) {
            if (args.isEmpty()) {
                for (ShellCommand c : commands.values()) {
                    o.printf("%-10s %s%n", c.name(), c.summary());
                }
                o.printf("%-10s %s%n", "q", "leave the session");
                return;
            }
            ShellCommand c = commands.get(aliases.getOrDefault(args.get(0), args.get(0)));
            if (c == null) {
                throw new CommandException("no such command: " + args.get(0));
            }
            o.println(c.help());
        }
    }
}
