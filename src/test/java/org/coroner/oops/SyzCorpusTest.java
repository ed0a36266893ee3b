package org.coroner.oops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The acceptance figures on syzkaller's Linux report corpus (the two thirds in ../shared). */
@Tag("fixtures")
class SyzCorpusTest {

    @Test
    void titlesNoReportsAndCorruptionAgreeWithSyzkaller() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Fixtures.corpus())) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(400);
        int withTitle = 0, titleOk = 0, without = 0, noneOk = 0, corruptOk = 0, withFrame = 0, frameOk = 0;
        List<String> misses = new ArrayList<>();
        for (Path p : files) {
            SyzCorpusFile f = SyzCorpusFile.read(p);
            Optional<FoundReport> first = ReportFinder.findFirst(f.log());
            if (f.title() == null) {
                without++;
                if (first.isEmpty()) {
                    noneOk++;
                    corruptOk++;
                } else {
                    misses.add(p.getFileName() + ": expected no report, got '" + first.get().title() + "'");
                }
                continue;
            }
            withTitle++;
            if (first.isEmpty()) {
                misses.add(p.getFileName() + ": expected '" + f.title() + "', got no report");
                continue;
            }
            FoundReport r = first.get();
            if (f.frame() != null) {
                withFrame++;
                if (f.frame().equals(r.guiltyFrame())) {
                    frameOk++;
                } else {
                    misses.add(p.getFileName() + ": frame expected " + f.frame() + ", got " + r.guiltyFrame());
                }
            }
            if (r.title().equals(f.title()) || f.alts().contains(r.title())) {
                titleOk++;
            } else {
                misses.add(p.getFileName() + ": expected '" + f.title() + "', got '" + r.title() + "'");
            }
            if (r.corrupted() == f.corrupted()) {
                corruptOk++;
            } else {
                misses.add(p.getFileName() + ": corrupted expected " + f.corrupted() + ", got " + r.corrupted()
                        + " (" + r.corruptedReason() + ")");
            }
        }
        double titles = 100.0 * titleOk / withTitle;
        double none = 100.0 * noneOk / without;
        double corrupt = 100.0 * corruptOk / files.size();
        misses.forEach(m -> System.out.println("  miss " + m));
        System.out.printf("syzkaller corpus: guilty frame equals FRAME: %d/%d (informational)%n", frameOk, withFrame);
        System.out.printf("syzkaller corpus: %d files; first-report title matches %d/%d (%.1f%%); no report %d/%d (%.1f%%); "
                + "CORRUPTED agrees %d/%d (%.1f%%)%n", files.size(), titleOk, withTitle, titles, noneOk, without, none,
                corruptOk, files.size(), corrupt);
        assertThat(titles).as("title matches TITLE or ALT (%)").isGreaterThanOrEqualTo(97.0);
        assertThat(none).as("no report for files without TITLE (%)").isGreaterThanOrEqualTo(95.0);
        assertThat(corrupt).as("CORRUPTED agrees (%)").isGreaterThanOrEqualTo(90.0);
    }
}
