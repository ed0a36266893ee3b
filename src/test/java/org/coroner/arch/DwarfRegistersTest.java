package org.coroner.arch;

import static org.assertj.core.api.Assertions.assertThat;

import org.coroner.arch.arm64.Arm64DwarfRegisters;
import org.coroner.arch.x86_64.X86_64DwarfRegisters;
import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;
import org.junit.jupiter.api.Test;

/** The psABI facts register recovery relies on, per architecture. */
class DwarfRegistersTest {
    /** Code bytes at {@code base}; any other address faults. */
    private static VirtualMemory code(long base, int... bytes) {
        return (vaddr, dst, off, len) -> {
            if (vaddr < base || vaddr + len > base + bytes.length) {
                throw new FaultException(vaddr, "not mapped");
            }
            for (int i = 0; i < len; i++) {
                dst[off + i] = (byte) bytes[(int) (vaddr - base) + i];
            }
        };
    }

    @Test
    void x86CallRel32IsDirectOthersAreNot() {
        X86_64DwarfRegisters x = X86_64DwarfRegisters.INSTANCE;
        // e8 f6 ff ff ff: call to ret-10
        assertThat(x.directCallTarget(code(0x1000, 0xe8, 0xf6, 0xff, 0xff, 0xff), 0x1005)).hasValue(0x1005 - 10);
        // ff d0: call *%rax (preceded by a nop)
        assertThat(x.directCallTarget(code(0x1000, 0x90, 0x90, 0x90, 0xff, 0xd0), 0x1005)).isEmpty();
        assertThat(x.directCallTarget(code(0x1000, 0x90), 0x2000)).isEmpty();
        assertThat(x.indirectThunkRegister("__x86_indirect_thunk_r15")).isEqualTo(X86_64DwarfRegisters.R15);
        assertThat(x.indirectThunkRegister("__x86_indirect_thunk_rax")).isEqualTo(X86_64DwarfRegisters.RAX);
        assertThat(x.indirectThunkRegister("__x86_return_thunk")).isEqualTo(-1);
        assertThat(x.name(x.returnAddress())).isEqualTo("rip");
        assertThat(x.calleeSaved(X86_64DwarfRegisters.RBX)).isTrue();
        assertThat(x.calleeSaved(X86_64DwarfRegisters.RDI)).isFalse();
    }

    @Test
    void arm64BlIsDirectWithItsSignedOffset() {
        Arm64DwarfRegisters a = Arm64DwarfRegisters.INSTANCE;
        // 94000040: bl +0x100 (little-endian bytes)
        assertThat(a.directCallTarget(code(0x1000, 0x40, 0x00, 0x00, 0x94), 0x1004)).hasValue(0x1100);
        // 97ffffff: bl -4
        assertThat(a.directCallTarget(code(0x1000, 0xff, 0xff, 0xff, 0x97), 0x1004)).hasValue(0x0ffc);
        // d63f0200: blr x16
        assertThat(a.directCallTarget(code(0x1000, 0x00, 0x02, 0x3f, 0xd6), 0x1004)).isEmpty();
        assertThat(a.name(a.returnAddress())).isEqualTo("x30");
        assertThat(a.calleeSaved(19)).isTrue();
        assertThat(a.calleeSaved(0)).isFalse();
    }
}
