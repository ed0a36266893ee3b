package org.coroner.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.coroner.io.BadInputException;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Truncated, corrupt and wrong files: one-line errors naming the file, the page and the offset; the rest stays readable. */
@Tag("fixtures")
class BadDumpTest {
    @TempDir
    Path tmp;

    private Path head(Path src, long bytes, String name) throws IOException {
        Path out = tmp.resolve(name);
        try (InputStream in = Files.newInputStream(src); OutputStream o = Files.newOutputStream(out)) {
            byte[] buf = new byte[1 << 20];
            long left = bytes;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    break;
                }
                o.write(buf, 0, n);
                left -= n;
            }
        }
        return out;
    }

    /**
     * Reads every page of the truncated copy in pfn order: pages stay equal to the original's until
     * the first unreadable one, whose error must be {@code expected} (formatted with its pfn).
     */
    private static String firstUnreadable(Dump whole, Dump cut) {
        byte[] a = new byte[4096];
        byte[] b = new byte[4096];
        long good = 0;
        for (long pfn = 0; pfn < whole.maxPfn(); pfn++) {
            long p = pfn * 4096;
            if (!whole.memory().contains(p)) {
                continue;
            }
            assertThat(cut.memory().contains(p)).isTrue();
            whole.memory().read(p, a, 0, 4096);
            try {
                cut.memory().read(p, b, 0, 4096);
            } catch (UnreadablePageException e) {
                assertThat(e.physicalAddress()).isEqualTo(p);
                assertThat(good).isGreaterThan(1000);
                return e.getMessage();
            }
            assertThat(b).isEqualTo(a);
            good++;
        }
        throw new AssertionError("every page of the truncated copy was readable");
    }

    @Test
    void truncatedFlattenedFixture() throws IOException {
        Path src = Fixtures.vmcoreDir("null").resolve("vmcore");
        long cut = Files.size(src) / 2;
        Path half = head(src, cut, "vmcore-half");
        try (Dump whole = DumpFile.open(src); Dump d = DumpFile.open(half)) {
            assertThat(d.vmcoreinfo()).isEqualTo(whole.vmcoreinfo());
            assertThat(d.cpus()).isEqualTo(whole.cpus());
            String msg = firstUnreadable(whole, d);
            assertThat(msg).matches(java.util.regex.Pattern.quote(half.toString())
                    + ": truncated: page 0x[0-9a-f]+ \\(pfn\\) (data|descriptor) at offset 0x[0-9a-f]+ not in the flattened stream .*")
                    .endsWith("but the file ends at 0x" + Long.toHexString(cut));
            assertThat(msg).doesNotContain("\n");
        }
    }

    @Test
    void truncatedKdumpCompressedNamesPageAndOffset() throws IOException {
        Path dir = DumpFixtures.qemuDumps();
        assumeTrue(dir != null, "run scripts/make-dumps.sh");
        Path src = dir.resolve("d31-lzo");
        long cut = Files.size(src) * 3 / 5;
        Path part = head(src, cut, "d31-part");
        try (Dump whole = DumpFile.open(src); Dump d = DumpFile.open(part)) {
            String msg = firstUnreadable(whole, d);
            // page data is written in pfn order: the first unreadable page is the one the cut went through
            assertThat(msg).matches(java.util.regex.Pattern.quote(part.toString())
                    + ": truncated: page 0x[0-9a-f]+ \\(pfn\\) data at offset 0x" + Long.toHexString(cut)
                    + " past end of file \\(0x" + Long.toHexString(cut) + " bytes\\)");
        }
    }

    @Test
    void truncatedElfCore() throws IOException {
        Path dir = DumpFixtures.qemuDumps();
        assumeTrue(dir != null, "run scripts/make-dumps.sh");
        Path src = dir.resolve("elf");
        long cut = 64L << 20;
        Path part = head(src, cut, "elf-part");
        try (Dump whole = DumpFile.open(src); Dump d = DumpFile.open(part)) {
            assertThat(d.vmcoreinfo()).isEqualTo(whole.vmcoreinfo());
            String msg = firstUnreadable(whole, d);
            assertThat(msg).matches(java.util.regex.Pattern.quote(part.toString())
                    + ": truncated: page 0x[0-9a-f]+ \\(pfn\\) data at offset 0x" + Long.toHexString(cut)
                    + " past end of file \\(0x" + Long.toHexString(cut) + " bytes\\)");
        }
    }

    @Test
    void corruptPageIsReportedAndOthersStayReadable() throws IOException {
        Path dir = DumpFixtures.qemuDumps();
        assumeTrue(dir != null, "run scripts/make-dumps.sh");
        Path copy = tmp.resolve("d31-corrupt");
        Files.copy(dir.resolve("d31-lzo"), copy);
        byte[] all = Files.readAllBytes(copy);
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(all).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        // disk_dump_header: block_size at 428, sub_hdr_size at 432, bitmap_blocks at 436; the
        // page descriptors (24 bytes: offset, size, flags) follow the bitmaps, one per dumped page
        int block = bb.getInt(428);
        long pdTable = (long) block * (1 + bb.getInt(432) + bb.getInt(436));
        long victim = -1;
        long k = 0;
        try (Dump d = DumpFile.open(copy)) {
            for (long pfn = 0; pfn < d.maxPfn() && victim < 0; pfn++) {
                if (!d.memory().contains(pfn * 4096)) {
                    continue;
                }
                int pd = (int) (pdTable + 24 * k);
                if (k >= 1000 && bb.getInt(pd + 12) == 0x2) {   // an lzo page
                    victim = pfn;
                    long off = bb.getLong(pd);
                    int size = bb.getInt(pd + 8);
                    for (int i = 0; i < size; i++) {
                        all[(int) off + i] = (byte) 0xff;
                    }
                }
                k++;
            }
        }
        Files.write(copy, all);
        try (Dump d = DumpFile.open(copy); Dump whole = DumpFile.open(dir.resolve("d31-lzo"))) {
            long v = victim;
            assertThatThrownBy(() -> d.memory().readLong(v * 4096))
                    .isInstanceOf(UnreadablePageException.class)
                    .hasMessageStartingWith(copy + ": corrupt: page 0x" + Long.toHexString(v) + " (pfn) lzo data at offset 0x");
            assertThat(d.memory().read(0x1000, 4096)).isEqualTo(whole.memory().read(0x1000, 4096));
        }
    }

    @Test
    void wrongFilesAreOneLineBadInput() throws IOException {
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "this is not a vmcore\n");
        assertThatThrownBy(() -> DumpFile.open(text)).isInstanceOf(BadInputException.class)
                .hasMessage(text + ": not a memory dump: neither an ELF core, a kdump-compressed file nor a flattened makedumpfile stream (starts with 7468697320697320)");
        Path empty = Files.createFile(tmp.resolve("empty"));
        assertThatThrownBy(() -> DumpFile.open(empty)).isInstanceOf(BadInputException.class).hasMessageEndingWith("(empty file)");
        assertThatThrownBy(() -> DumpFile.open(Fixtures.crashlabKo())).isInstanceOf(BadInputException.class)
                .hasMessage(Fixtures.crashlabKo() + ": ELF file but not a core dump (e_type 1)");
        assertThatThrownBy(() -> DumpFile.open(tmp.resolve("missing"))).isInstanceOf(BadInputException.class)
                .hasMessageEndingWith("no such file");
        Path dir = DumpFixtures.qemuDumps();
        if (dir != null) {
            Path stub = head(dir.resolve("d31-lzo"), 300, "stub");
            assertThatThrownBy(() -> DumpFile.open(stub)).isInstanceOf(BadInputException.class)
                    .hasMessage(stub + ": truncated: disk_dump_header at offset 0x12c past end of file (0x12c bytes)");
            Path noBitmaps = head(dir.resolve("d31-lzo"), 3 * 4096, "no-bitmaps");
            assertThatThrownBy(() -> DumpFile.open(noBitmaps)).isInstanceOf(BadInputException.class)
                    .hasMessageStartingWith(noBitmaps + ": truncated: bitmaps end at offset 0x");
        }
        Path flatStub = head(Fixtures.vmcoreDir("null").resolve("vmcore"), 4096, "flat-stub");
        assertThatThrownBy(() -> DumpFile.open(flatStub)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("truncated: disk_dump_header at offset 0x0 not in the flattened stream");
    }
}
