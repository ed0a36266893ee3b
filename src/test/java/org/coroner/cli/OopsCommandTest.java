package org.coroner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.coroner.elf.ElfFile;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code coroner oops} end to end on the fixtures' console logs, cross-checked with the logs, addr2line and readelf. */
@Tag("fixtures")
class OopsCommandTest {
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    static JsonNode json(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.add("--json");
        Run r = run(a.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        return new ObjectMapper().readTree(r.out());
    }

    private static String null_() {
        return Fixtures.vmcoreDir("null").resolve("console.log").toString();
    }

    @Test
    void nullReportWithDebugInfoEveryFrameEqualsAddr2lineAndTheFaultIsExplained() throws Exception {
        String vmlinux = Fixtures.vmlinux().toString();
        String mods = Fixtures.kernelDir().toString();
        JsonNode rep = json("oops", null_(), "--vmlinux", vmlinux, "--modules", mods).get("reports").get(0);
        assertThat(rep.get("title").asText()).isEqualTo("BUG: unable to handle kernel NULL pointer dereference in create_oops");
        assertThat(rep.get("kind").asText()).isEqualTo("null-pointer-dereference");
        assertThat(rep.get("corrupted").asBoolean()).isFalse();
        assertThat(rep.get("cpu").asInt()).isEqualTo(1);
        assertThat(rep.get("pid").asInt()).isEqualTo(90);
        assertThat(rep.get("comm").asText()).isEqualTo("insmod");
        assertThat(rep.get("taint").get("letters").asText()).isEqualTo("OE");
        assertThat(rep.get("address").asText()).isEqualTo("0x8");
        assertThat(rep.get("errorCode").get("value").asLong()).isZero();
        assertThat(rep.get("errorCode").get("write").asBoolean()).isFalse();
        assertThat(rep.get("errorCode").get("present").asBoolean()).isFalse();

        // the module frame (RIP): crashlab.c:39, as addr2line says for the same section offset of crashlab.ko
        JsonNode rip = rep.get("rip");
        assertThat(rip.get("function").asText()).isEqualTo("create_oops.constprop.0");
        assertThat(rip.get("module").asText()).isEqualTo("crashlab");
        try (ElfFile ko = ElfFile.open(Fixtures.crashlabKo())) {
            var s = ko.symbols().byName("create_oops.constprop.0").orElseThrow();
            String a2l = Fixtures.run("addr2line", "-f", "-i", "-e", Fixtures.crashlabKo().toString(), "-j",
                    ko.section(s.shndx()).name(), "0x" + Long.toHexString(s.value() + 0x23));
            assertThat(a2l.lines().toList()).containsExactly("create_oops", rip.get("file").asText() + ":" + rip.get("line").asInt());
            assertThat(rip.get("file").asText()).isEqualTo("/usr/src/crashlab/crashlab.c");
            assertThat(rip.get("line").asInt()).isEqualTo(39);
        }
        // every vmlinux frame: function+offset → address from vmlinux's symbol table → addr2line -f -i
        int checked = 0;
        try (ElfFile elf = ElfFile.open(Fixtures.vmlinux())) {
            for (JsonNode f : rep.get("frames")) {
                if (f.get("function").isNull() || f.has("module") && !f.get("module").isNull()) {
                    continue;
                }
                long addr = elf.symbols().byName(f.get("function").asText()).orElseThrow().value()
                        + Long.decode(f.get("offset").asText());
                List<String> a2l = Fixtures.run("addr2line", "-f", "-i", "-e", vmlinux, "0x" + Long.toHexString(addr))
                        .lines().map(l -> l.replaceAll(" \\(discriminator \\d+\\)", "")).toList();
                List<String> ours = new ArrayList<>();
                for (JsonNode i : f.get("inlined")) {
                    ours.add(i.get("function").asText());
                    ours.add(i.get("file").asText() + ":" + i.get("line").asInt());
                }
                ours.add(a2l.get(a2l.size() - 2)); // the outermost function name is the frame's
                ours.add(f.get("file").asText() + ":" + f.get("line").asInt());
                assertThat(ours).as(f.toString()).isEqualTo(a2l);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(12);

        // the faulting source expression
        JsonNode fe = rep.get("faultExpression");
        assertThat(fe.get("register").asText()).isEqualTo("rax");
        assertThat(fe.get("value").asLong()).isZero();
        assertThat(fe.get("heldBy").asText()).isEqualTo("d->ops");
        assertThat(fe.get("heldType").asText()).isEqualTo("struct lab_ops *");
        assertThat(fe.get("loadedFrom").asText()).isEqualTo("member ops of struct lab_dev at +0x28");
        assertThat(fe.get("access").asText()).isEqualTo("ops->counter");
        assertThat(fe.get("accessType").asText()).isEqualTo("struct lab_ops member counter at +0x8");
        // the faulting instruction, marked in the Code: disassembly
        JsonNode faulting = null;
        for (JsonNode i : rep.get("code").get("instructions")) {
            if (i.get("faulting").asBoolean()) {
                faulting = i;
            }
        }
        assertThat(faulting.get("text").asText()).isEqualTo("addq   $0x1234,0x8(%rax)");

        // text: the verdict first
        Run text = run("oops", null_(), "--vmlinux", vmlinux, "--modules", mods);
        String first = text.out().lines().skip(2).findFirst().orElseThrow();
        assertThat(first).startsWith("NULL pointer dereference: read at 0x8 (NULL pointer + 0x8) in create_oops.constprop.0+0x23/0x36 [crashlab]"
                + " at /usr/src/crashlab/crashlab.c:39").contains("%rax held d->ops (member ops of struct lab_dev at +0x28), which is NULL;"
                + " the access is ops->counter");
    }

    @Test
    void everyFixtureLogDecodes() throws Exception {
        // x86_64 list_del: GPF on LIST_POISON2-0x3a held in RAX, the module function from the log
        JsonNode ld = json("oops", Fixtures.consoleLog("listdel.log").toString()).get("reports").get(0);
        assertThat(ld.get("title").asText()).isEqualTo("general protection fault in lab_list_use_after_del");
        assertThat(ld.get("address").asText()).isEqualTo("0xdead0000000000e8");
        assertThat(ld.get("addressMeaning").get("summary").asText()).contains("LIST_POISON2");
        assertThat(ld.get("rip").get("function").asText()).isEqualTo("lab_list_use_after_del");
        // arm64 NULL: ESR data abort, translation fault, read (WnR=0)
        JsonNode an = json("oops", Fixtures.consoleLog("arm64-null.log").toString()).get("reports").get(0);
        assertThat(an.get("arch").asText()).isEqualTo("arm64");
        assertThat(an.get("title").asText()).isEqualTo("BUG: unable to handle kernel NULL pointer dereference in create_oops");
        assertThat(an.get("esr").get("abort").get("data").asBoolean()).isTrue();
        assertThat(an.get("esr").get("abort").get("wnr").asBoolean()).isFalse();
        assertThat(an.get("address").asText()).isEqualTo("0x8");
        assertThat(an.get("code").get("instructions").toString()).contains("ldr\\tx1, [x2, #8]".replace("\\t", "\t").substring(0, 3));
        // sysrq: a panic without an Oops
        JsonNode sq = json("oops", Fixtures.consoleLog("sysrq.log").toString()).get("reports").get(0);
        assertThat(sq.get("kind").asText()).isEqualTo("panic");
        assertThat(sq.get("panic").asText()).isEqualTo("sysrq triggered crash");
        JsonNode as = json("oops", Fixtures.consoleLog("arm64-sysrq.log").toString()).get("reports").get(0);
        assertThat(as.get("title").asText()).isEqualTo("kernel panic: sysrq triggered crash");
        JsonNode al = json("oops", Fixtures.consoleLog("arm64-listdel.log").toString()).get("reports").get(0);
        assertThat(al.get("title").asText()).isEqualTo("BUG: unable to handle kernel paging request in lab_list_use_after_del");
        // hung task: the mutex_abba dump's log
        JsonNode mx = json("oops", Fixtures.vmcoreDir("mutex_abba").resolve("console.log").toString());
        assertThat(mx.get("reports").get(0).get("title").asText()).isEqualTo("INFO: task hung in mutex_ab");
        assertThat(mx.get("reports").get(0).get("comm").asText()).isEqualTo("lab_mutex_ab");
    }

    @Test
    void badInputIsOneLineNeverATrace(@TempDir Path tmp) throws Exception {
        Path empty = Files.createFile(tmp.resolve("empty.log"));
        Run e = run("oops", empty.toString());
        assertThat(e.code()).isEqualTo(1);
        assertThat(e.err()).isEqualTo("coroner: " + empty + ": no crash report found\n");

        Path bin = tmp.resolve("random.bin");
        byte[] junk = new byte[1 << 16];
        new java.util.Random(7).nextBytes(junk);
        Files.write(bin, junk);
        assertThat(run("oops", bin.toString()).code()).isEqualTo(1);

        Run missing = run("oops", tmp.resolve("nope.log").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().lines().count()).isEqualTo(1);

        Run noVmlinux = run("oops", null_(), "--vmlinux", tmp.resolve("vmlinux").toString());
        assertThat(noVmlinux.code()).isEqualTo(2);
        assertThat(noVmlinux.err()).contains("vmlinux: no such file").hasLineCount(1);

        Run notElf = run("oops", null_(), "--vmlinux", bin.toString());
        assertThat(notElf.code()).isEqualTo(2);
        assertThat(notElf.err()).contains("random.bin").hasLineCount(1);

        Run otherArch = run("oops", Fixtures.consoleLog("arm64-null.log").toString(), "--vmlinux", Fixtures.vmlinux().toString());
        assertThat(otherArch.code()).isEqualTo(2);
        assertThat(otherArch.err()).contains("is an x86_64 kernel but the report is arm64").hasLineCount(1);

        Run ko = run("oops", null_(), "--vmlinux", Fixtures.crashlabKo().toString());
        assertThat(ko.code()).isEqualTo(2);
        assertThat(ko.err()).contains("is a kernel module, not a vmlinux").hasLineCount(1);

        // a truncated report (the log cut in its register dump) is still found, and flagged
        List<String> lines = Files.readAllLines(Path.of(null_()), java.nio.charset.StandardCharsets.ISO_8859_1);
        Path cut = tmp.resolve("cut.log");
        Files.write(cut, lines.subList(0, 385), java.nio.charset.StandardCharsets.ISO_8859_1);
        JsonNode c = json("oops", cut.toString()).get("reports").get(0);
        assertThat(c.get("kind").asText()).isEqualTo("null-pointer-dereference");
        assertThat(c.get("corrupted").asBoolean()).isTrue();
    }

    @Test
    void htmlPageIsWrittenAndSelfContained(@TempDir Path tmp) throws Exception {
        Path html = tmp.resolve("r.html");
        Run r = run("oops", null_(), "--html", html.toString());
        assertThat(r.code()).isZero();
        String page = Files.readString(html);
        assertThat(page).startsWith("<!DOCTYPE html>").contains("NULL pointer dereference").contains("<style>")
                .doesNotContain("<script src").doesNotContain("<link");
    }
}
