package org.coroner.oops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class LiteralsTest {

    @Test
    void readsTheRunsEveryMatchContains() {
        Literals debugobjects = Literals.parse("WARNING: .*lib/debugobjects\\.c.* (?:debug_print|at)");
        assertThat(debugobjects.mayFind("WARNING: CPU: 0 PID: 1 at lib/debugobjects.c:123 debug_print+0x1", 0)).isTrue();
        assertThat(debugobjects.mayFind("WARNING: CPU: 0 PID: 1 at lib/kobject.c:123 kobject_add+0x1", 0)).isFalse();
        // in order: the file before the space that follows it
        assertThat(debugobjects.mayFind("lib/debugobjects.c WARNING:x", 0)).isFalse();
        // anchored at the header for lookingAt, and on the header's line only
        String text = "xx WARNING: at mm/usercopy.c y\nlib/debugobjects.c \n";
        assertThat(debugobjects.mayMatchAt(text, 3)).isFalse();
        assertThat(Literals.parse("WARNING: .*mm/usercopy\\.c").mayMatchAt(text, 3)).isTrue();
        assertThat(Literals.parse("WARNING: .*mm/usercopy\\.c").mayMatchAt(text, 2)).isFalse();
        // a quantified character is optional: "k?.?malloc" must not require the k
        Literals kmalloc = Literals.parse("WARNING: .*mm/.*\\.c.* k?.?malloc");
        assertThat(kmalloc.mayFind("WARNING: at mm/slab_common.c:1012 __kmalloc", 0)).isTrue();
        // classes, groups, anchors and escapes are gaps between runs
        assertThat(Literals.parse("WARNING: [Tt]he mand mount option").mayFind("WARNING: The mand mount option", 0))
                .isTrue();
        assertThat(Literals.parse("WARNING: [Tt]he mand mount option").mayFind("WARNING: CPU: 0 PID: 1 at", 0))
                .isFalse();
        assertThat(Literals.parse("(handler|interrupt).*took too long").mayFind("INFO: NMI handler took too long", 0))
                .isTrue();
        assertThat(Literals.parse("(handler|interrupt).*took too long").mayFind("INFO: task hung", 0)).isFalse();
        assertThat(Literals.parse("^Booting the kernel").mayFind("[    0.000000] Booting the kernel.", 0)).isTrue();
        assertThat(Literals.parse("^Booting the kernel").mayFind("Booting", 0)).isFalse();
        // a top-level | : any alternative's runs
        Literals boot = Literals.parse("Parsing ELF|Decompressing Linux|Unknown parameter '");
        assertThat(boot.mayFind("Decompressing Linux... done", 0)).isTrue();
        assertThat(boot.mayFind("Booting the kernel.", 0)).isFalse();
        // a gap that may hold a newline lets runs be on later lines
        Literals kasan = Literals.parse("BUG: KASAN: ([a-z\\-]+) on address(?:.*\\n)+?.*(Read|Write) of size");
        assertThat(kasan.mayMatchAt("BUG: KASAN: oob on address 0\nRead of size 8\n", 0)).isTrue();
        // what the reader does not understand runs always
        assertThat(Literals.parse("a\\Qb\\E").mayFind("anything", 0)).isTrue();
        assertThat(Literals.parse("x(?s).*y").mayFind("anything", 0)).isTrue();
        // (?i): runs compare ignoring case
        Literals uses = Literals.parse("(?i)warning: .* uses (deprecated v2 capabilities|wireless extensions)");
        assertThat(uses.mayFind("Warning: foo USES wireless extensions", 0)).isTrue();
        assertThat(uses.mayFind("Warning: foo is fine", 0)).isFalse();
    }

    /** Every regex the finder guards with its literals, on every line of the corpus and fixture logs. */
    @Test
    @Tag("fixtures")
    void neverRejectsALineTheRegexMatches() throws IOException {
        Set<Pattern> anywhere = new LinkedHashSet<>();
        for (OopsCatalog.Oops o : OopsCatalog.ALL) {
            anywhere.addAll(o.suppressions());
            for (OopsCatalog.Format f : o.formats()) {
                if (f.stack() != null) {
                    anywhere.addAll(f.stack().parts());
                    anywhere.addAll(f.stack().parts2());
                }
            }
        }
        anywhere.remove(OopsCatalog.PARSE_STACK);
        anywhere.addAll(StackRules.STACK_START);
        anywhere.addAll(OopsCatalog.REPORT_START_IGNORES);

        List<String> lines = new ArrayList<>();
        List<String> reports = new ArrayList<>(); // whole reports, for the titles that span lines
        try (Stream<Path> s = Files.list(Fixtures.corpus())) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                byte[] log = SyzCorpusFile.read(p).log();
                LineCleaner.cleanAll(log).forEach(l -> lines.add(l.text()));
                ReportFinder.findAll(log).forEach(r -> reports.add(String.join("\n", r.lines())));
            }
        }
        try (Stream<Path> s = Files.walk(Fixtures.fixtures())) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList()) {
                LineCleaner.cleanAll(Files.readAllBytes(p)).forEach(l -> lines.add(l.text()));
            }
        }
        assertThat(lines).hasSizeGreaterThan(40_000);
        long matched = 0;
        List<String> wrong = new ArrayList<>();
        for (String line : lines) {
            for (Pattern p : anywhere) {
                if (line.length() > 3 && p.matcher(line).find()) {
                    matched++;
                    if (!Literals.of(p).mayFind(line, 0)) {
                        wrong.add(p + " on " + line);
                    }
                }
            }
        }
        lines.addAll(reports);
        for (String line : lines) {
            // titles are tried where their kind's header occurs, as Titler does
            String text = line + "\n";
            for (OopsCatalog.Oops o : OopsCatalog.ALL) {
                for (int at = text.indexOf(o.header()); at >= 0; at = text.indexOf(o.header(), at + 1)) {
                    for (OopsCatalog.Format f : o.formats()) {
                        Matcher m = f.title().matcher(text).region(at, text.length());
                        m.useAnchoringBounds(false).useTransparentBounds(true);
                        if (m.lookingAt()) {
                            matched++;
                            if (!Literals.of(f.title()).mayMatchAt(text, at)) {
                                wrong.add(f.title() + " at " + at + " of " + line);
                            }
                        }
                    }
                }
            }
        }
        System.out.printf("Literals: %,d regex matches on %,d lines and reports, %d rejected%n", matched, lines.size(),
                wrong.size());
        assertThat(matched).isGreaterThan(5_000);
        assertThat(wrong).isEmpty();
    }
}
