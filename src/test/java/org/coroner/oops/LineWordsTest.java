package org.coroner.oops;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The word probes find every word the finder asks for wherever it lies in a line (the probes are
 * every fourth byte, so each alignment is tried), both from a buffer and while {@link LineReader}
 * reads the line, and find nothing in lines without them.
 */
class LineWordsTest {
    private static final List<String> HEADERS = new ArrayList<>();
    private static final LineWords WORDS;

    static {
        OopsCatalog.ALL.forEach(o -> HEADERS.add(o.header()));
        HEADERS.addAll(OopsCatalog.INFO_WITH_STACK);
        WORDS = new LineWords.Builder().add(LineWords.HEADER, HEADERS)
                .add(LineWords.STACK_START, StackRules.STACK_START_WORDS)
                .add(LineWords.SHOULD_FAIL, List.of(StackRules.SHOULD_FAIL)).build();
    }

    @Test
    void everyWordAtEveryAlignmentBothWays() {
        List<String> all = new ArrayList<>(HEADERS);
        all.addAll(StackRules.STACK_START_WORDS);
        all.add(StackRules.SHOULD_FAIL);
        for (String w : all) {
            long bit = HEADERS.contains(w) ? LineWords.HEADER : w.equals(StackRules.SHOULD_FAIL)
                    ? LineWords.SHOULD_FAIL : LineWords.STACK_START;
            for (int pad = 0; pad < 9; pad++) {
                String line = "[   12.345678] " + " ".repeat(pad) + w + (pad % 2 == 0 ? "" : " tail text");
                byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
                int from = 15;
                assertThat(WORDS.scan(b, from, b.length) & bit).as("%s at +%d", w, pad).isNotZero();
                assertThat(readerScan(line + "\nnext line\n", from) & bit).as("%s at +%d, read", w, pad).isNotZero();
                // before the text start it does not count
                assertThat(WORDS.scan(b, from + pad + 1, b.length) & bit).as("%s cut", w).isZero();
            }
        }
    }

    @Test
    void framesAndRegistersHoldNoWord() {
        for (String line : List.of(" __x64_sys_ioctl+0x1a3/0x1f0 fs/ioctl.c:856",
                "RAX: 0000000000000000 RBX: ffff88801c6e8000 RCX: ffffffff81b1ba4a",
                " kernel/locking/lockdep.c:5754 lock_acquire+0x1b1/0x560",
                "Code: 48 89 df e8 3a 9c ff ff 48 8b 45 00 <48> 8b 40 28 48 85 c0 74")) {
            byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
            assertThat(WORDS.scan(b, 0, b.length)).as(line).isZero();
            assertThat(readerScan(line + "\n", 0)).as(line).isZero();
        }
        // a colon of a short header's shape, but not the header
        byte[] b = "xBUGx: yINFO; zUBSAN".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(WORDS.scan(b, 0, b.length)).isZero();
    }

    @Test
    void carriageReturnsFallBackToTheBuffer() {
        assertThat(readerScan("[    1.0] BUG: KASAN: use-after-free\r\n", 10) & LineWords.HEADER).isNotZero();
        assertThat(readerScan("[    1.0] Call Trace:", 10) & LineWords.STACK_START).isNotZero(); // no newline: the file's end
    }

    private static long readerScan(String text, int from) {
        LineReader r = new LineReader(MemorySegment.ofArray(text.getBytes(StandardCharsets.ISO_8859_1)), 0, WORDS);
        r.next();
        return WORDS.scan(r, from, r.len);
    }
}
