package org.coroner.oops;

import java.util.regex.Pattern;

/** Regex building blocks for kernel console text; {@code .} never crosses a {@code \n}, and only {@code \n} ends a line. */
final class Patterns {
    private Patterns() {
    }

    /** {@code [<ffffffff81234567>]} or {@code [ffff...]}: an address some kernels print before a frame. */
    static final String PC = "\\[\\<?(?:0x)?[0-9a-f]+\\>?\\]";
    /** A function name followed by {@code +off} or a compiler suffix ({@code .isra.0}, {@code .cold}). */
    static final String FUNC = "([a-zA-Z0-9_]+)(?:\\.|\\+)";
    static final String SRC = "([a-zA-Z0-9_/.\\-]+\\.[a-z]+:[0-9]+)";
    /** A task name: anything, even spaces or colons, kept short so a bad line cannot run away. */
    static final String TASK = "[\\s\\S]{0,100}?";
    static final String ADDR = "0x[0-9a-f]+";

    /** Compiles with the placeholders {@code {{PC}} {{FUNC}} {{SRC}} {{TASK}} {{ADDR}}} expanded. */
    static Pattern re(String re) {
        String s = re.replace("{{ADDR}}", ADDR).replace("{{PC}}", PC).replace("{{FUNC}}", FUNC)
                .replace("{{SRC}}", SRC).replace("{{TASK}}", TASK);
        return Pattern.compile(s, Pattern.UNIX_LINES);
    }

    /** The faulting instruction pointer line of x86 ({@code RIP:}), powerpc ({@code NIP}), arm/arm64 ({@code pc :}, {@code PC is at}). */
    static final String RIP_FRAME = "(?:IP|NIP|pc |PC is at):? (?:(?:[0-9]+:)?(?:{{PC}} +){0,2}{{FUNC}}"
            + "|(?:[0-9]+:)?0x[0-9a-f]+|(?:[0-9]+:)?{{PC}} +\\[< *\\(null\\)>\\] +\\(null\\)|[0-9]+: +\\(null\\))";
    static final Pattern RIP = re(RIP_FRAME);
    /** A WARN()'s trapping IP, or the interrupt frame powerpc prints in its place. */
    static final Pattern RIP_OR_INTERRUPT = re("(?:" + RIP_FRAME + "|--- interrupt: [0-9]+ at {{FUNC}})");
    static final Pattern CALL_TRACE = re("(?:Call (?:T|t)race:)|(?:Backtrace:)");
}
