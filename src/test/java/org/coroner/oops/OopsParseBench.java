package org.coroner.oops;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.coroner.io.MappedFile;

/**
 * Parse-throughput benchmark (run by {@code bench/oops-parse-bench.sh}, not a unit test):
 * {@code OopsParseBench CORPUS_DIR OUT_FILE SIZE_MB [RUNS]} builds OUT_FILE (once) by concatenating
 * the console logs of the corpus until SIZE_MB, then finds and titles every report in it, memory
 * mapped, single-threaded, and prints MB/s per run: by wall time, and by the thread's CPU time (on a
 * shared machine the wall figure includes time other processes took from this core).
 */
public final class OopsParseBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private OopsParseBench() {
    }

    public static void main(String[] args) throws IOException {
        Path corpus = Path.of(args[0]);
        Path out = Path.of(args[1]);
        long size = Long.parseLong(args[2]) << 20;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        if (!Files.isRegularFile(out) || Files.size(out) < size) {
            build(corpus, out, size);
        }
        long bytes = Files.size(out);
        for (int run = 1; run <= runs; run++) {
            long t0 = System.nanoTime();
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long[] count = new long[2];
            try (MappedFile mf = MappedFile.open(out)) {
                ReportFinder.scan(mf.segment(), r -> {
                    count[0]++;
                    count[1] += r.lines().size();
                });
            }
            double s = (System.nanoTime() - t0) / 1e9;
            double cpu = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e9;
            System.out.printf("run %d: %,d bytes, %,d reports (%,d report lines) in %.2f s = %.0f MB/s"
                    + " (CPU %.2f s = %.0f MB/s)%n", run, bytes, count[0], count[1], s, bytes / 1e6 / s, cpu,
                    bytes / 1e6 / cpu);
        }
    }

    private static void build(Path corpus, Path out, long size) throws IOException {
        List<byte[]> logs = new ArrayList<>();
        try (Stream<Path> s = Files.list(corpus)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                logs.add(SyzCorpusFile.read(p).log());
            }
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        long written = 0;
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            while (written < size) {
                for (byte[] log : logs) {
                    os.write(log);
                    written += log.length;
                    if (written >= size) {
                        break;
                    }
                }
            }
        }
        System.out.printf("built %s: %,d bytes from %d corpus logs%n", out, written, logs.size());
    }
}
