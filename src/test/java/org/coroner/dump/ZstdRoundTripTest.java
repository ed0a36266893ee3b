package org.coroner.dump;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fixture's pages rewritten as zstd pages (aircompressor) read back identical; excluded ones as "not in dump". */
@Tag("fixtures")
class ZstdRoundTripTest {
    @TempDir
    Path tmp;

    @Test
    void everyPageReadsBackIdentical() throws IOException {
        Path out = tmp.resolve("vmcore-zstd");
        try (Dump src = DumpFile.open(Fixtures.vmcoreDir("null").resolve("vmcore"))) {
            KdumpZstdWriter.Stats stats = KdumpZstdWriter.write(src, out, pfn -> pfn % 101 == 7);
            assertThat(stats.zstdPages()).isGreaterThan(10_000); // most of an idle 512 MiB guest is zero pages
            assertThat(stats.zeroPages()).isGreaterThan(1000);
            assertThat(stats.excludedPages()).isGreaterThan(1000);
            try (Dump z = DumpFile.open(out)) {
                assertThat(z.formatName()).isEqualTo("kdump-compressed (zstd)");
                assertThat(z.vmcoreinfo()).isEqualTo(src.vmcoreinfo());
                assertThat(z.cpus()).isEqualTo(src.cpus());
                assertThat(z.maxPfn()).isEqualTo(src.maxPfn());
                byte[] a = new byte[4096];
                byte[] b = new byte[4096];
                long same = 0;
                long excluded = 0;
                for (long pfn = 0; pfn < src.maxPfn(); pfn++) {
                    long p = pfn * 4096;
                    if (!src.memory().contains(p)) {
                        assertThat(z.memory().contains(p)).isFalse();
                        continue;
                    }
                    if (pfn % 101 == 7) {
                        try {
                            z.memory().read(p, b, 0, 4096);
                            throw new AssertionError("excluded pfn 0x" + Long.toHexString(pfn) + " was read");
                        } catch (NotInDumpException e) {
                            assertThat(e.reason()).isEqualTo(NotInDumpException.Reason.EXCLUDED);
                            excluded++;
                        }
                        continue;
                    }
                    src.memory().read(p, a, 0, 4096);
                    z.memory().read(p, b, 0, 4096);
                    if (!Arrays.equals(a, b)) {
                        throw new AssertionError("pfn 0x" + Long.toHexString(pfn) + " differs after the zstd round trip");
                    }
                    same++;
                }
                assertThat(same).isEqualTo(stats.zstdPages() + stats.rawPages() + stats.zeroPages());
                assertThat(excluded).isEqualTo(stats.excludedPages());
            }
        }
    }
}
