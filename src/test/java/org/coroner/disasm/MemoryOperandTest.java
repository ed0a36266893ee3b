package org.coroner.disasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.coroner.elf.ElfFile;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class MemoryOperandTest {

    @Test
    void attForms() {
        assertThat(MemoryOperand.parseAtt("0x8(%rax)")).contains(new MemoryOperand(null, 8, "rax", null, 1));
        assertThat(MemoryOperand.parseAtt("-0x10(%rbp)")).contains(new MemoryOperand(null, -16, "rbp", null, 1));
        assertThat(MemoryOperand.parseAtt("0x0(%rax,%rax,1)")).contains(new MemoryOperand(null, 0, "rax", "rax", 1));
        assertThat(MemoryOperand.parseAtt("(,%rdx,8)")).contains(new MemoryOperand(null, 0, null, "rdx", 8));
        assertThat(MemoryOperand.parseAtt("%gs:0x28")).contains(new MemoryOperand("gs", 0x28, null, null, 1));
        assertThat(MemoryOperand.parseAtt("%es:(%rdi)")).contains(new MemoryOperand("es", 0, "rdi", null, 1));
        assertThat(MemoryOperand.parseAtt("*0x10(%rax)")).contains(new MemoryOperand(null, 0x10, "rax", null, 1));
        assertThat(MemoryOperand.parseAtt("0x0(%esi,%eiz,1)")).contains(new MemoryOperand(null, 0, "esi", null, 1));
        assertThat(MemoryOperand.parseAtt("0x1b3b7c5(%rip)").orElseThrow().ripRelative()).isTrue();
        assertThat(MemoryOperand.parseAtt("0xfffffffffffffff0")).contains(new MemoryOperand(null, -16, null, null, 1));
        assertThat(MemoryOperand.parseAtt("%rax")).isEmpty();
        assertThat(MemoryOperand.parseAtt("*%rax")).isEmpty();
        assertThat(MemoryOperand.parseAtt("$0x1234")).isEmpty();
    }

    @Test
    void arm64Forms() {
        assertThat(MemoryOperand.parseArm64("[x2, #8]")).contains(new MemoryOperand(null, 8, "x2", null, 1));
        assertThat(MemoryOperand.parseArm64("[sp, #-48]!")).contains(new MemoryOperand(null, -48, "sp", null, 1));
        assertThat(MemoryOperand.parseArm64("[x25, x20, lsl #3]")).contains(new MemoryOperand(null, 0, "x25", "x20", 8));
        assertThat(MemoryOperand.parseArm64("[x6, w7, sxtw #3]")).contains(new MemoryOperand(null, 0, "x6", "w7", 8));
        assertThat(MemoryOperand.parseArm64("[x0, x3]")).contains(new MemoryOperand(null, 0, "x0", "x3", 1));
        assertThat(MemoryOperand.parseArm64("x0")).isEmpty();
    }

    /** The faulting instruction's operand and the Oops registers give exactly the faulting address (CR2 / FAR). */
    @Test
    @Tag("fixtures")
    void faultingAddressOfTheNullFixtures() throws IOException {
        check(Fixtures.vmcoreDir("null").resolve("console.log"), Arch.X86_64, "CR2: ([0-9a-f]{16})");
        check(Fixtures.consoleLog("arm64-null.log"), Arch.ARM64, "virtual address ([0-9a-f]{16})");
    }

    private static void check(Path log, Arch arch, String faultRegex) throws IOException {
        List<String> lines = Files.readAllLines(log);
        Map<String, Long> regs = new HashMap<>();
        Pattern reg = Pattern.compile("\\b([A-Z0-9]{2,3}|x[0-9]{1,2}|sp|lr|pc)\\s*:\\s*(?:[0-9a-f]{4}:)?([0-9a-f]{16})\\b");
        Long fault = null;
        CodeLine code = null;
        for (String l : lines) {
            if (l.contains("end trace") || l.contains("Kernel panic")) {
                break; // the first report only: x86 prints the registers after Code:, arm64 before
            }
            Matcher f = Pattern.compile(faultRegex).matcher(l);
            if (fault == null && f.find()) {
                fault = Long.parseUnsignedLong(f.group(1), 16);
            }
            Matcher m = reg.matcher(l);
            while (m.find()) {
                regs.putIfAbsent(m.group(1).toLowerCase(), Long.parseUnsignedLong(m.group(2), 16));
            }
            if (code == null && l.contains("Code:")) {
                code = CodeLine.parse(l, arch).orElseThrow();
            }
        }
        Instruction insn = code.decode(0x1000).faulting().orElseThrow().instruction();
        MemoryOperand mem = MemoryOperand.of(insn).orElseThrow();
        assertThat(mem.address(regs::get)).hasValue(fault);
    }

    /** Every memory operand objdump prints for crashlab.ko parses, and prints back the same registers. */
    @Test
    @Tag("fixtures")
    void everyMemoryOperandOfTheModule() {
        int n = 0;
        try (ElfFile elf = ElfFile.open(Fixtures.crashlabKo())) {
            for (ElfFile.Section s : elf.sections()) {
                if (!s.isExec() || s.size() == 0) {
                    continue;
                }
                for (Instruction i : Disassembler.of(Arch.X86_64).disassemble(elf.data(s).bytes(0, (int) s.size()), 0, 0)) {
                    for (String op : MemoryOperand.split(i.operands())) {
                        if (op.contains("(") || op.contains(":")) {
                            MemoryOperand m = MemoryOperand.parseAtt(op).orElseThrow(() -> new AssertionError(op));
                            if (m.base() != null) {
                                assertThat(op).contains("%" + m.base());
                            }
                            n++;
                        }
                    }
                }
            }
        }
        assertThat(n).isGreaterThan(30);
    }
}
