package org.coroner.disasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.coroner.io.BadInputException;
import org.junit.jupiter.api.Test;

class CapstoneTest {
    @Test
    void missingLibraryIsOneLineWithTheInstallHint() {
        assertThatThrownBy(() -> Capstone.load("libcapstone-not-here.so.4"))
                .isInstanceOf(DisassemblerUnavailableException.class)
                .isInstanceOf(BadInputException.class) // the CLI prints its message, no stack trace
                .hasMessageContaining("apt-get install libcapstone4")
                .message().doesNotContain("\n");
    }

    @Test
    void theInstalledLibraryIsCapstone4() {
        assertThat(Capstone.lib().cs_version(null, null) >> 8).isEqualTo(4);
    }

    /** One shared Capstone handle per architecture: concurrent callers get the same, right answers. */
    @Test
    void concurrentUseGivesTheSameAnswers() throws Exception {
        byte[] code = {0x48, (byte) 0x8b, 0x43, 0x28, 0x48, (byte) 0x81, 0x40, 0x08, 0x34, 0x12, 0, 0, (byte) 0xc3};
        String expected = Disassembler.of(Arch.X86_64).disassemble(code, 0, 0).toString();
        assertThat(expected).contains("mov    0x28(%rbx),%rax").contains("addq   $0x1234,0x8(%rax)").contains("ret");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int k = 0; k < 64; k++) {
                results.add(pool.submit(() -> Disassembler.of(Arch.X86_64).disassemble(code, 0, 0).toString()));
            }
            for (Future<String> f : results) {
                assertThat(f.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void maxLimitsTheCountAndBadBytesDoNotStopDecoding() {
        byte[] code = {(byte) 0x90, (byte) 0x90, (byte) 0x90};
        assertThat(Disassembler.of(Arch.X86_64).disassemble(code, 0, 2)).hasSize(2);
        // 0x06 is invalid in 64-bit mode: objdump prints "(bad)" and goes on
        List<Instruction> l = Disassembler.of(Arch.X86_64).disassemble(new byte[] {0x06, (byte) 0xc3}, 0x10, 0);
        assertThat(l).extracting(Instruction::text).containsExactly("(bad)", "ret");
        assertThat(l.get(0).isBad()).isTrue();
    }
}
