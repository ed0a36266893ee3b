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
        // alternation at the top level, classes, groups first: nothing is certain, the regex always runs
        assertThat(Literals.parse("(?:Call (?:T|t)race:)|(?:Backtrace:)").mayFind("anything", 0)).isTrue();
        assertThat(Literals.parse("^Booting the kernel").mayFind("anything", 0)).isTrue();
        assertThat(Literals.parse("([a-z]+) in").mayFind("anything", 0)).isTrue();
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
        try (Stream<Path> s = Files.list(Fixtures.corpus())) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                LineCleaner.cleanAll(SyzCorpusFile.read(p).log()).forEach(l -> lines.add(l.text()));
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
        System.out.printf("Literals: %,d regex matches on %,d lines, %d rejected%n", matched, lines.size(), wrong.size());
        assertThat(matched).isGreaterThan(5_000);
        assertThat(wrong).isEmpty();
    }
}
