package org.coroner.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.coroner.memory.FaultException;
import org.junit.jupiter.api.Test;

/** gdb's rules for strings, characters, flag enums and formats, on values that need no memory. */
class ValuePrinterTest {
    private static final ValuePrinter NATURAL = printer(ValuePrinter.Format.NATURAL, false);

    private static ValuePrinter printer(ValuePrinter.Format f, boolean radix16) {
        return new ValuePrinter((a, dst, off, len) -> {
            throw new FaultException(a, "no memory in this test");
        }, a -> Optional.empty(), f, radix16);
    }

    private static String quoted(String s, char quote) {
        StringBuilder b = new StringBuilder();
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        ValuePrinter.quoted(b, bytes, 0, bytes.length, quote);
        return b.toString();
    }

    @Test
    void quotesAsGdbDoes() {
        assertThat(quoted("insmod\0\0", '"')).isEqualTo("\"insmod\\000\\000\"");
        assertThat(quoted("a\"b\\c", '"')).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(quoted("'", '\'')).isEqualTo("'\\''");
        assertThat(quoted("'", '"')).isEqualTo("\"'\"");
        assertThat(quoted("\n\t\r\7\b\f\u000b", '"')).isEqualTo("\"\\n\\t\\r\\a\\b\\f\\v\"");
        // a digit right after an octal escape is escaped too, so that it is not read as part of it
        assertThat(quoted("\u00ab2x2", '"')).isEqualTo("\"\\253\\062x2\"");
        assertThat(quoted("\u007f\u00ff", '"')).isEqualTo("\"\\177\\377\"");
    }

    @Test
    void charArraysDropOneTrailingNulAndStopAtWholeRunsPast256Characters() {
        CType comm = DerivedTypes.array(BaseTypes.CHAR, 16);
        byte[] b = "swapper/0\0\0\0\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(NATURAL.plain(comm, b, ValuePrinter.NOWHERE)).isEqualTo("\"swapper/0\\000\\000\\000\\000\\000\\000\"");
        // 512 zero bytes are one run: printed whole, no ellipsis (crash's init_task __padding)
        CType pad = DerivedTypes.array(BaseTypes.UNSIGNED_CHAR, 512);
        assertThat(NATURAL.plain(pad, new byte[512], ValuePrinter.NOWHERE)).isEqualTo("\"" + "\\000".repeat(511) + "\"");
        // 300 different characters: 256 of them and then "..."
        byte[] abc = new byte[300];
        for (int i = 0; i < abc.length; i++) {
            abc[i] = (byte) ('a' + i % 2);
        }
        assertThat(NATURAL.plain(DerivedTypes.array(BaseTypes.CHAR, 300), abc, ValuePrinter.NOWHERE))
                .isEqualTo("\"" + "ab".repeat(128) + "\"...");
        // under /x a char array is an array of numbers, every element
        assertThat(printer(ValuePrinter.Format.HEX, false).plain(DerivedTypes.array(BaseTypes.CHAR, 3), new byte[] {'s', 0, 0},
                ValuePrinter.NOWHERE)).isEqualTo("{0x73, 0x0, 0x0}");
    }

    @Test
    void arraysStopAfter256Elements() {
        byte[] b = new byte[8 * 300];
        String s = NATURAL.plain(DerivedTypes.array(BaseTypes.UNSIGNED_LONG, 300), b, ValuePrinter.NOWHERE);
        assertThat(s).startsWith("{0, 0,").endsWith("0...}");
        assertThat(s.split(", ")).hasSize(256);
    }

    @Test
    void scalarsInTheirFormats() {
        assertThat(NATURAL.plain(BaseTypes.CHAR, new byte[] {115}, ValuePrinter.NOWHERE)).isEqualTo("115 's'");
        assertThat(NATURAL.plain(BaseTypes.CHAR, new byte[] {(byte) 0xff}, ValuePrinter.NOWHERE)).isEqualTo("-1 '\\377'");
        assertThat(NATURAL.plain(BaseTypes.UNSIGNED_CHAR, new byte[] {(byte) 200}, ValuePrinter.NOWHERE)).isEqualTo("200 '\\310'");
        assertThat(NATURAL.plain(BaseTypes.BOOL, new byte[] {1}, ValuePrinter.NOWHERE)).isEqualTo("true");
        assertThat(NATURAL.plain(BaseTypes.INT, new byte[] {-1, -1, -1, -1}, ValuePrinter.NOWHERE)).isEqualTo("-1");
        assertThat(printer(ValuePrinter.Format.HEX, false).plain(BaseTypes.INT, new byte[] {-1, -1, -1, -1}, ValuePrinter.NOWHERE))
                .isEqualTo("0xffffffff");
        assertThat(printer(ValuePrinter.Format.DECIMAL, false).plain(BaseTypes.UNSIGNED_INT, new byte[] {-1, -1, -1, -1},
                ValuePrinter.NOWHERE)).isEqualTo("-1");
        // crash's -x (output radix 16): numbers in hex, a char without its character
        assertThat(printer(ValuePrinter.Format.NATURAL, true).plain(BaseTypes.CHAR, new byte[] {115}, ValuePrinter.NOWHERE))
                .isEqualTo("0x73");
        byte[] ptr = {0x10, 0, 0, 0, 0, 0, 0, 0};
        assertThat(NATURAL.top(DerivedTypes.pointer(BaseTypes.INT), ptr, ValuePrinter.NOWHERE)).isEqualTo("(int *) 0x10");
        assertThat(NATURAL.top(DerivedTypes.pointer(DerivedTypes.pointer(BaseTypes.CHAR)), new byte[8], ValuePrinter.NOWHERE))
                .isEqualTo("(char **) 0x0");
    }

    @Test
    void flagEnumsDecomposeAndOthersPrintTheNumber() {
        Map<String, Long> flags = new LinkedHashMap<>();
        flags.put("A", 1L);
        flags.put("B", 2L);
        flags.put("C", 8L);
        assertThat(ValuePrinter.isFlagEnum(flags)).isTrue();
        Map<String, Long> plain = new LinkedHashMap<>();
        plain.put("X", 0L);
        plain.put("Y", 3L);
        assertThat(ValuePrinter.isFlagEnum(plain)).isFalse();
    }
}
