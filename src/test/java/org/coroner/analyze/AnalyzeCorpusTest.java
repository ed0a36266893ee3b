package org.coroner.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code analyze --log} over syzkaller's crash-report corpus: never fails on real-world logs, and each
 * class of the vocabulary comes out for the reports syzkaller itself titles that way.
 */
@Tag("fixtures")
class AnalyzeCorpusTest {
    /** syzkaller title prefix → the kind every report so titled must get. */
    private static final Map<String, Kind> EXPECTED = Map.of(
            "KASAN: use-after-free", Kind.USE_AFTER_FREE,
            "KASAN: slab-use-after-free", Kind.USE_AFTER_FREE,
            "KASAN: invalid-free", Kind.DOUBLE_FREE,
            "INFO: task hung", Kind.HUNG_TASK,
            "BUG: soft lockup", Kind.SOFT_LOCKUP,
            "kernel BUG", Kind.BUG_ON,
            "BUG: stack guard page was hit", Kind.STACK_OVERFLOW,
            "BUG: corrupted list", Kind.LIST_CORRUPTION,
            "BUG: unable to handle kernel NULL pointer dereference", Kind.NULL_POINTER_DEREFERENCE,
            "kernel panic: sysrq triggered crash", Kind.SYSRQ_TRIGGERED);

    @Test
    void everyReportGetsAVerdictAndTheClassesMatchSyzkallersTitles(@TempDir Path tmp) throws Exception {
        int reports = 0;
        int rcu = 0;
        int rcuStall = 0;
        int kasanFreed = 0;
        int kasanFreedNamed = 0;
        List<String> wrong = new ArrayList<>();
        try (var files = Files.list(Fixtures.corpus())) {
            for (Path p : files.sorted().toList()) {
                String text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                int sep = text.indexOf("\n\n");
                String title = sep < 0 ? null : text.substring(0, sep).lines().filter(l -> l.startsWith("TITLE: "))
                        .map(l -> l.substring(7)).findFirst().orElse(null);
                if (title == null) {
                    continue;
                }
                String body = text.substring(sep + 2);
                int rep = body.indexOf("\n\nREPORT:\n");
                Path log = tmp.resolve(p.getFileName() + ".log");
                Files.write(log, (rep >= 0 ? body.substring(0, rep) : body).getBytes(StandardCharsets.ISO_8859_1));
                Analysis a = new LogAnalyzer(log, null).analyze();
                reports++;
                assertThat(a.verdict().summary()).as(p.toString()).isNotBlank();
                assertThat(a.evidence()).as(p.toString()).isNotEmpty();
                for (var e : EXPECTED.entrySet()) {
                    if (title.startsWith(e.getKey()) && a.verdict().kind() != e.getValue()) {
                        wrong.add(p.getFileName() + " '" + title + "': " + a.verdict().kind().id());
                    }
                }
                if (title.startsWith("KASAN: use-after-free") && body.contains("Freed by task")) {
                    kasanFreed++;
                    boolean named = a.evidence().stream().anyMatch(e -> e.statement().startsWith("Freed by task"));
                    kasanFreedNamed += named ? 1 : 0;
                }
                if (title.startsWith("INFO: rcu detected stall")) {
                    rcu++;
                    rcuStall += a.verdict().kind() == Kind.RCU_STALL ? 1 : 0;
                }
            }
        }
        assertThat(reports).isGreaterThan(400);
        assertThat(wrong).isEmpty();
        assertThat(rcuStall).as("rcu stalls").isGreaterThanOrEqualTo(rcu - 1);
        // KASAN's free track is quoted as evidence wherever the report has one
        assertThat(kasanFreed).isGreaterThan(5);
        assertThat(kasanFreedNamed).isEqualTo(kasanFreed);
    }
}
