package org.coroner.disasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Oops {@code Code:} lines decoded as decodecode does, checked against objdump of the same bytes. */
@Tag("fixtures")
class CodeLineTest {
    static final long IP = 0xffffffffc0a00023L;

    @Test
    void nullFixtureFaultingInstructionAndTheOneBefore() throws IOException {
        String line = Files.readAllLines(Fixtures.vmcoreDir("null").resolve("console.log")).stream()
                .filter(l -> l.contains("Code:") && l.contains("<")).findFirst().orElseThrow();
        CodeLine code = CodeLine.parse(line, Arch.X86_64).orElseThrow();
        assertThat(code.arch()).isEqualTo(Arch.X86_64);
        assertThat(code.bytes()).hasSize(64);
        assertThat(code.marker()).isEqualTo(42);
        CodeLine.Decoded d = code.decode(IP);
        CodeLine.Line fault = d.faulting().orElseThrow();
        assertThat(fault.instruction().address()).isEqualTo(IP);
        assertThat(ObjdumpListing.norm(fault.instruction().text())).isEqualTo("addq $0x1234,0x8(%rax)");
        CodeLine.Line before = d.lines().get(d.fault() - 1);
        assertThat(ObjdumpListing.norm(before.instruction().text())).isEqualTo("mov 0x28(%rbx),%rax");
        assertThat(before.instruction().end()).isEqualTo(IP);
        agreesWithObjdump(code, d);
    }

    @Test
    void arm64NullFixture() throws IOException {
        String line = Files.readAllLines(Fixtures.consoleLog("arm64-null.log")).stream()
                .filter(l -> l.contains("Code:")).findFirst().orElseThrow();
        CodeLine code = CodeLine.parse(line, Arch.X86_64).orElseThrow();
        assertThat(code.arch()).isEqualTo(Arch.ARM64);
        assertThat(code.marker()).isEqualTo(16);
        CodeLine.Decoded d = code.decode(0xffff800000e60044L);
        assertThat(d.lines()).hasSize(5);
        assertThat(d.fault()).isEqualTo(4);
        // the word f9400441 is "ldr x1, [x2, #8]": the load through the NULL ops pointer
        assertThat(ObjdumpListing.norm(d.faulting().orElseThrow().instruction().text())).isEqualTo("ldr x1, [x2, #8]");
        agreesWithObjdump(code, d);
    }

    @Test
    void everyFixtureCodeLine() throws IOException {
        List<Path> logs = new ArrayList<>();
        try (Stream<Path> s = Files.list(Fixtures.fixtures().resolve("console-logs"))) {
            s.filter(p -> p.toString().endsWith(".log")).forEach(logs::add);
        }
        try (Stream<Path> s = Files.list(Fixtures.fixtures().resolve("vmcores"))) {
            s.map(p -> p.resolve("console.log")).filter(Files::isRegularFile).forEach(logs::add);
        }
        int lines = 0;
        int instructions = 0;
        for (Path log : logs) {
            for (String l : Files.readAllLines(log)) {
                if (!l.contains("Code: ")) {
                    continue;
                }
                Optional<CodeLine> c = CodeLine.parse(l, Arch.X86_64);
                if (c.isEmpty()) {
                    continue;
                }
                CodeLine.Decoded d = c.get().decode(IP);
                assertThat(d.fault()).as(l).isGreaterThanOrEqualTo(0);
                instructions += agreesWithObjdump(c.get(), d);
                lines++;
            }
        }
        System.out.printf("fixture Code: lines: %d, %d instructions identical to objdump%n", lines, instructions);
        assertThat(lines).isGreaterThanOrEqualTo(10);
    }

    /** 32-bit user code in syzkaller reports ({@code RIP: 0023:} of compat tasks), as i386. */
    @Test
    void i386CodeLinesOfTheSyzkallerCorpus() throws IOException {
        int lines = 0;
        int instructions = 0;
        try (Stream<Path> s = Files.list(Fixtures.corpus())) {
            for (Path f : s.sorted().toList()) {
                String[] text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).split("\n");
                for (int k = 0; k < text.length; k++) {
                    if (!text[k].contains("RIP: 0023:")) {
                        continue;
                    }
                    for (int j = k + 1; j < Math.min(text.length, k + 3); j++) {
                        if (text[j].contains("Code: ")) {
                            Optional<CodeLine> c = CodeLine.parse(text[j], Arch.I386);
                            if (c.isPresent()) {
                                CodeLine.Decoded d = c.get().decode(0xf7fc1549L);
                                assertThat(d.fault()).isGreaterThanOrEqualTo(0);
                                instructions += agreesWithObjdump(c.get(), d);
                                lines++;
                            }
                            break;
                        }
                    }
                }
            }
        }
        System.out.printf("i386 Code: lines of the corpus: %d, %d instructions identical to objdump%n", lines, instructions);
        assertThat(lines).isGreaterThanOrEqualTo(2);
    }

    /**
     * Every decoded instruction equals objdump's on the same bytes: the part before the marker
     * from the chosen start offset, the rest from the marker (as decodecode runs objdump).
     */
    static int agreesWithObjdump(CodeLine code, CodeLine.Decoded d) throws IOException {
        byte[] b = code.bytes();
        long ip = d.faulting().orElseThrow().instruction().address();
        long base = ip - code.marker();
        String machine = switch (code.arch()) {
            case X86_64 -> "i386:x86-64";
            case I386 -> "i386";
            case ARM64 -> "aarch64";
        };
        String objdump = code.arch() == Arch.ARM64 ? "aarch64-linux-gnu-objdump" : "objdump";
        List<ObjdumpListing.Line> ref = new ArrayList<>();
        if (d.skipped() < code.marker()) {
            ref.addAll(Arm64ObjdumpTest.objdumpBinary(Arrays.copyOfRange(b, d.skipped(), code.marker()),
                    base + d.skipped(), machine, objdump).lines);
        }
        ref.addAll(Arm64ObjdumpTest.objdumpBinary(Arrays.copyOfRange(b, code.marker(), b.length), ip, machine, objdump).lines);
        assertThat(d.lines()).hasSameSizeAs(ref);
        for (int k = 0; k < ref.size(); k++) {
            Instruction i = d.lines().get(k).instruction();
            assertThat(i.address()).isEqualTo(ref.get(k).address());
            assertThat(ObjdumpListing.norm(i.text())).as("at 0x%x", i.address()).isEqualTo(ref.get(k).text());
        }
        return ref.size();
    }
}
