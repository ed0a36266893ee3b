package org.coroner.dump;

import java.nio.file.Path;

/**
 * Benchmark (not a test; scripts/bench-dump.sh runs it): time to open each dump and read its
 * VMCOREINFO, and how many pages per second a sequential and a strided read of all pages reach
 * with a cold page cache in the dump (each pass opens the dump anew).
 */
public final class DumpBench {
    private DumpBench() {
    }

    public static void main(String[] args) {
        for (String a : args) {
            Path p = Path.of(a);
            long t0 = System.nanoTime();
            long records = -1;
            try (Dump d = DumpFile.open(p)) {
                long t1 = System.nanoTime();
                d.vmcoreinfo();
                d.cpus();
                long t2 = System.nanoTime();
                System.out.printf("%-60s %-36s open %6.1f ms, +vmcoreinfo+cpus %5.1f ms%n", p, d.formatName(),
                        (t1 - t0) / 1e6, (t2 - t1) / 1e6);
            }
            for (int pass = 0; pass < 3; pass++) {
                try (Dump d = DumpFile.open(p)) {
                    byte[] b = new byte[d.pageSize()];
                    long n = 0;
                    long t = System.nanoTime();
                    for (long pfn = 0; pfn < d.maxPfn(); pfn++) {
                        if (d.memory().contains(pfn * d.pageSize())) {
                            d.memory().read(pfn * d.pageSize(), b, 0, b.length);
                            n++;
                        }
                    }
                    double s = (System.nanoTime() - t) / 1e9;
                    System.out.printf("    pass %d: %d pages in %.2f s = %.0f pages/s (%.0f MB/s)%n", pass, n, s, n / s,
                            n * (double) d.pageSize() / s / 1e6);
                }
            }
        }
    }
}
