package org.coroner.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of each subcommand: its options and parameters as data, the parser, and the
 * usage text. Written out rather than taken from an annotation-driven library: reading annotations
 * by reflection took about 0.1 s of every run's 0.3 s (README, "Dependencies and why").
 *
 * <p>Forms accepted: {@code --name VALUE}, {@code --name=VALUE}, {@code -x VALUE}, {@code -xVALUE},
 * short flags together ({@code -hV}), {@code --} before parameters that start with {@code -};
 * a lone {@code -} is a parameter (standard input). Every command has {@code -h, --help} and
 * {@code -V, --version}.
 */
public final class Cli {
    static final int WIDTH = 80;

    private Cli() {
    }

    /** An option: a flag when {@code label} is null, else it takes a value; repeatable ones collect each. */
    record Option(String name, String shortName, String label, boolean repeatable, String description) {
        String display() {
            return shortName == null ? name : shortName;
        }

        String synopsis() {
            String s = "[" + display() + (label == null ? "" : (shortName == null ? "=" : " ") + label) + "]";
            return repeatable ? s + "..." : s;
        }
    }

    /** The parameters after the options: between {@code min} and {@code max} of them. */
    record Parameters(String label, int min, int max, String description) {
    }

    /** What a command accepts, and what its usage text says. */
    static final class Spec {
        final String name;
        final List<String> description = new ArrayList<>();
        final List<Option> options = new ArrayList<>();
        Parameters parameters;

        Spec(String name, String... description) {
            this.name = name;
            this.description.addAll(List.of(description));
        }

        Spec flag(String name, String description) {
            options.add(new Option(name, null, null, false, description));
            return this;
        }

        Spec option(String name, String label, String description) {
            options.add(new Option(name, null, label, false, description));
            return this;
        }

        Spec shortOption(String shortName, String label, String description) {
            options.add(new Option(shortName, shortName, label, false, description));
            return this;
        }

        Spec repeatable(String name, String label, String description) {
            options.add(new Option(name, null, label, true, description));
            return this;
        }

        Spec parameters(String label, int min, int max, String description) {
            parameters = new Parameters(label, min, max, description);
            return this;
        }

        String qualifiedName() {
            return "coroner " + name;
        }

        Option find(String name) {
            for (Option o : options) {
                if (o.name.equals(name)) {
                    return o;
                }
            }
            return null;
        }

        /** Parses {@code args} (the words after the subcommand's name). */
        Args parse(List<String> args) {
            Args a = new Args(this);
            boolean onlyParameters = false;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (onlyParameters || arg.equals("-") || !arg.startsWith("-")) {
                    a.parameters.add(arg);
                } else if (arg.equals("--")) {
                    onlyParameters = true;
                } else if (arg.startsWith("--")) {
                    int eq = arg.indexOf('=');
                    String name = eq < 0 ? arg : arg.substring(0, eq);
                    if (a.helpOrVersion(name)) {
                        continue;
                    }
                    Option o = find(name);
                    if (o == null) {
                        throw new UsageException(this, "Unknown option: '" + name + "'");
                    }
                    if (o.label == null) {
                        if (eq >= 0) {
                            throw new UsageException(this, "option '" + name + "' takes no value (got '" + arg.substring(eq + 1) + "')");
                        }
                        a.set(o, null);
                    } else if (eq >= 0) {
                        a.set(o, arg.substring(eq + 1));
                    } else if (i + 1 < args.size()) {
                        a.set(o, args.get(++i));
                    } else {
                        throw new UsageException(this, "Missing required parameter for option '" + name + "' (" + o.label + ")");
                    }
                } else {
                    // short options: flags may be run together; one that takes a value takes the
                    // rest of the word, or the next word
                    for (int k = 1; k < arg.length(); k++) {
                        String name = "-" + arg.charAt(k);
                        if (a.helpOrVersion(name)) {
                            continue;
                        }
                        Option o = find(name);
                        if (o == null) {
                            throw new UsageException(this, "Unknown option: '" + (k == 1 ? arg : name) + "'");
                        }
                        if (o.label == null) {
                            a.set(o, null);
                            continue;
                        }
                        if (k + 1 < arg.length()) {
                            String v = arg.substring(k + 1);
                            a.set(o, v.startsWith("=") ? v.substring(1) : v);
                        } else if (i + 1 < args.size()) {
                            a.set(o, args.get(++i));
                        } else {
                            throw new UsageException(this, "Missing required parameter for option '" + name + "' (" + o.label + ")");
                        }
                        break;
                    }
                }
            }
            if (a.help || a.version) {
                return a;
            }
            Parameters p = parameters;
            int n = a.parameters.size();
            if (p == null && n > 0) {
                throw new UsageException(this, "Unmatched argument: '" + a.parameters.get(0) + "'");
            }
            if (p != null && n < p.min) {
                throw new UsageException(this, n == 0 ? "Missing required parameter: '" + p.label + "'"
                        : "Missing required parameter: '" + p.label + "' (" + p.min + " needed, " + n + " given)");
            }
            if (p != null && n > p.max) {
                throw new UsageException(this, "Unmatched argument: '" + a.parameters.get(p.max) + "' ("
                        + p.label + " takes at most " + p.max + ")");
            }
            return a;
        }

        /** The usage text, in the layout {@code --help} of most command-line tools has. */
        void usage(PrintWriter out) {
            List<String> synopsis = new ArrayList<>();
            synopsis.add("[-hV]");
            List<Option> sorted = new ArrayList<>(options);
            // flags first, then options with values, each by name
            sorted.sort(java.util.Comparator.comparing((Option o) -> o.label != null)
                    .thenComparing(o -> o.display().replace("-", "")));
            for (Option o : sorted) {
                synopsis.add(o.synopsis());
            }
            if (parameters != null) {
                synopsis.add(parameters.min == 0 && !parameters.label.startsWith("[") ? "[" + parameters.label + "]" : parameters.label);
            }
            String head = "Usage: " + qualifiedName() + " ";
            out.print(fill(head, synopsis, head.length()));
            for (String d : description) {
                out.print(wrapWords(d, 0));
            }
            List<String[]> rows = new ArrayList<>();
            if (parameters != null) {
                rows.add(new String[] {"      " + parameters.label, parameters.description});
            }
            for (Option o : options) {
                String left = o.shortName != null ? "  " + o.shortName + (o.label == null ? "" : " " + o.label)
                        : "      " + o.name + (o.label == null ? "" : "=" + o.label);
                rows.add(new String[] {left, o.description});
            }
            rows.add(new String[] {"  -h, --help", "Show this help message and exit."});
            rows.add(new String[] {"  -V, --version", "Print version information and exit."});
            table(rows, out);
            out.flush();
        }
    }

    /** What a command line said: flags, values of options, and the parameters in order. */
    static final class Args {
        final Spec spec;
        final List<String> parameters = new ArrayList<>();
        private final Map<String, List<String>> values = new HashMap<>();
        boolean help;
        boolean version;

        Args(Spec spec) {
            this.spec = spec;
        }

        /** Notes {@code -h, --help} and {@code -V, --version}, which every command has; true if it is one. */
        boolean helpOrVersion(String name) {
            boolean h = name.equals("-h") || name.equals("--help");
            boolean v = name.equals("-V") || name.equals("--version");
            help |= h;
            version |= v;
            return h || v;
        }

        void set(Option o, String value) {
            List<String> v = values.computeIfAbsent(o.name, k -> new ArrayList<>());
            if (!o.repeatable && !v.isEmpty()) {
                throw new UsageException(spec, "option '" + o.name + "' should be specified only once");
            }
            v.add(value);
        }

        private Option known(String name) {
            Option o = spec.find(name);
            if (o == null) {
                throw new IllegalArgumentException(spec.name + " has no option " + name);
            }
            return o;
        }

        boolean flag(String name) {
            known(name);
            return values.containsKey(name);
        }

        String value(String name) {
            known(name);
            List<String> v = values.get(name);
            return v == null ? null : v.get(0);
        }

        Path path(String name) {
            String v = value(name);
            return v == null ? null : Path.of(v);
        }

        List<Path> paths(String name) {
            known(name);
            List<Path> out = new ArrayList<>();
            for (String v : values.getOrDefault(name, List.of())) {
                out.add(Path.of(v));
            }
            return out;
        }

        List<Path> parameterPaths() {
            List<Path> out = new ArrayList<>();
            for (String v : parameters) {
                out.add(Path.of(v));
            }
            return out;
        }
    }

    /** A command line the command does not accept: one line, then a pointer to {@code --help}. */
    static final class UsageException extends RuntimeException {
        final String command;

        UsageException(Spec spec, String message) {
            this(spec.qualifiedName(), message);
        }

        UsageException(String command, String message) {
            super(message);
            this.command = command;
        }
    }

    /** The top-level usage: the commands with the first sentence of what each does. */
    static void usage(Map<String, Spec> commands, String description, PrintWriter out) {
        out.println("Usage: coroner [-hV] [COMMAND]");
        out.print(wrapWords(description, 0));
        table(List.of(new String[] {"  -h, --help", "Show this help message and exit."},
                new String[] {"  -V, --version", "Print version information and exit."}), out);
        out.println("Commands:");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"  help", "Display help information about the specified command."});
        for (Map.Entry<String, Spec> e : commands.entrySet()) {
            String d = e.getValue().description.isEmpty() ? "" : e.getValue().description.get(0);
            rows.add(new String[] {"  " + e.getKey(), d});
        }
        table(rows, out);
        out.flush();
    }

    /** Two columns, the second wrapped; a left cell too wide for its column puts the text below it. */
    private static void table(List<String[]> rows, PrintWriter out) {
        int col = 0;
        for (String[] r : rows) {
            col = Math.max(col, r[0].length());
        }
        col = Math.min(col + 2, 30);
        for (String[] r : rows) {
            String left = r[0];
            if (left.length() + 2 > col) {
                out.println(left);
                left = "";
            }
            out.print(fill(left + " ".repeat(col - left.length()), words(r[1]), col));
        }
    }

    /** A paragraph filled to {@link #WIDTH}, its leading spaces kept. */
    private static String wrapWords(String text, int indent) {
        int i = 0;
        while (i < text.length() && text.charAt(i) == ' ') {
            i++;
        }
        return fill(text.substring(0, i), words(text.substring(i)), indent);
    }

    private static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (String w : text.split(" +")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    /** {@code prefix}, then the words filled to {@link #WIDTH}; lines after the first start at {@code indent}. */
    private static String fill(String prefix, List<String> words, int indent) {
        StringBuilder sb = new StringBuilder(prefix);
        int lineStart = 0;
        int lineHead = prefix.length(); // where the current line's first word goes
        for (String w : words) {
            boolean hasWord = sb.length() - lineStart > lineHead;
            if (hasWord && sb.length() - lineStart + 1 + w.length() > WIDTH) {
                sb.append('\n');
                lineStart = sb.length();
                sb.append(" ".repeat(indent));
                lineHead = indent;
            } else if (hasWord) {
                sb.append(' ');
            }
            sb.append(w);
        }
        return sb.append('\n').toString();
    }
}
