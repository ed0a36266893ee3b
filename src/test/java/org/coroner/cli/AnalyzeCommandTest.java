package org.coroner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code coroner analyze} on the command line: text, JSON schema, HTML, exit codes, bad input. */
@Tag("fixtures")
class AnalyzeCommandTest {
    private static String vmcore(String s) {
        return Fixtures.vmcoreDir(s).resolve("vmcore").toString();
    }

    @Test
    void textStartsWithTheVerdictThenNumberedEvidenceThenContext() {
        var r = OopsCommandTest.run("analyze", Fixtures.vmlinux().toString(), vmcore("null"), "--modules",
                Fixtures.kernelDir().toString());
        assertThat(r.code()).as(r.err()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines[0]).isEqualTo("VERDICT: null-pointer-dereference (confidence high)");
        assertThat(lines[2]).startsWith("  Location: create_oops() at /usr/src/crashlab/crashlab.c:39 [crashlab]");
        assertThat(r.out().indexOf("EVIDENCE")).isLessThan(r.out().indexOf("CONTEXT"));
        assertThat(r.out()).contains("  1. The kernel reported: BUG: kernel NULL pointer dereference, address: 0000000000000008");
        assertThat(r.out()).contains("Backtrace of the crashing task:").contains("  CPUs:").doesNotContain("Exception");
    }

    @Test
    void jsonFollowsTheDocumentedSchema() throws Exception {
        var r = OopsCommandTest.run("analyze", vmcore("mutex_abba"), "--vmlinux", Fixtures.vmlinux().toString(), "--modules",
                Fixtures.kernelDir().toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("source").asText()).isEqualTo("vmcore");
        assertThat(j.at("/verdict/kind").asText()).isEqualTo("mutex-deadlock");
        assertThat(j.at("/verdict/confidence").asText()).isEqualTo("high");
        assertThat(j.at("/verdict/location/function").asText()).isEqualTo("mutex_ab");
        assertThat(j.at("/verdict/summary").asText()).contains("holds mutex mutex_a");
        assertThat(j.get("evidence").size()).isGreaterThan(3);
        for (JsonNode e : j.get("evidence")) {
            assertThat(e.fieldNames()).toIterable().containsExactly("statement", "derivation", "source");
        }
        JsonNode c = j.get("context");
        assertThat(c.get("panic").asText()).isEqualTo("hung_task: blocked tasks");
        assertThat(c.get("cycle").size()).isEqualTo(4);
        assertThat(c.at("/cycle/0").fieldNames()).toIterable()
                .containsExactly("from", "relation", "to", "evidence", "derivation", "source");
        assertThat(c.get("blockedTasks").size()).isGreaterThanOrEqualTo(2);
        assertThat(c.get("cpus").size()).isEqualTo(2);
        assertThat(c.get("log").size()).isEqualTo(25);
    }

    @Test
    void htmlIsOneSelfContainedPage(@TempDir Path tmp) throws Exception {
        Path html = tmp.resolve("a.html");
        var r = OopsCommandTest.run("analyze", "--log", Fixtures.vmcoreDir("null").resolve("console.log").toString(), "--vmlinux",
                Fixtures.vmlinux().toString(), "--modules", Fixtures.kernelDir().toString(), "--html", html.toString());
        assertThat(r.code()).as(r.err()).isZero();
        String page = Files.readString(html);
        assertThat(page).startsWith("<!DOCTYPE html>").contains("null-pointer-dereference").contains("d-&gt;ops")
                .doesNotContain("<script").doesNotContain("<link").doesNotContain("src=\"http");
    }

    @Test
    void badInputIsOneLineAndExitTwo(@TempDir Path tmp) throws Exception {
        var missing = OopsCommandTest.run("analyze", Fixtures.vmlinux().toString(), tmp.resolve("nope").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().strip()).doesNotContain("\n").contains("nope").contains("no such file");

        Path garbage = tmp.resolve("garbage");
        Files.write(garbage, new byte[4096]);
        var bad = OopsCommandTest.run("analyze", Fixtures.vmlinux().toString(), garbage.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err().strip()).doesNotContain("\n").contains("garbage");

        var wrongKernel = OopsCommandTest.run("analyze", Fixtures.crashlabKo().toString(), vmcore("null"));
        assertThat(wrongKernel.code()).isEqualTo(2);
        assertThat(wrongKernel.err().strip()).doesNotContain("\n");

        var noArgs = OopsCommandTest.run("analyze");
        assertThat(noArgs.code()).isEqualTo(2);

        Path empty = tmp.resolve("empty.log");
        Files.writeString(empty, "nothing happened here\n");
        var none = OopsCommandTest.run("analyze", "--log", empty.toString());
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.out()).startsWith("VERDICT: unknown");
    }
}
