package org.coroner.cli.shell.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** crash's eval layout: sizes in KB/MB/GB, signed decimal for negative values, the bits set. */
class EvalCommandTest {
    @Test
    void printsCrashsNumberLayout() {
        assertThat(EvalCommand.format(4096, false)).isEqualTo("""
                hexadecimal: 1000  (4KB)
                    decimal: 4096 \s
                      octal: 10000
                     binary: 0000000000000000000000000000000000000000000000000001000000000000
                """);
        assertThat(EvalCommand.format(-1, false)).contains("    decimal: 18446744073709551615  (-1)\n")
                .startsWith("hexadecimal: ffffffffffffffff  \n");
        assertThat(EvalCommand.format(1L << 30, false)).startsWith("hexadecimal: 40000000  (1GB)\n");
        assertThat(EvalCommand.format(0x1234, true)).endsWith("   bits set: 12 9 5 4 2 \n");
    }
}
