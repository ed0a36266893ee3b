package org.coroner.arch.arm64.unwind;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The PAC rule of {@code ptrauth_strip_insn_pac} for 48-bit VAs (kernel pointers also checked on the pac dump). */
class FrameRecordUnwinderTest {
    private final FrameRecordUnwinder u = new FrameRecordUnwinder(null, pc -> false,
            new FrameRecordUnwinder.PtRegsLayout(336, 320), 48);

    @Test
    void kernelPointersGetTheirUpperBitsBack() {
        // bit 55 set: a TTBR1 address; the PAC lives in bits 63:56 and 54:48
        assertThat(u.stripPac(0xf4f1bada14ee03b0L)).isEqualTo(0xffffbada14ee03b0L);
        assertThat(u.stripPac(0xffffbada14ee03b0L)).isEqualTo(0xffffbada14ee03b0L);
    }

    @Test
    void userPointersLoseThePacBitsBelowTheTag() {
        // bit 55 clear: a TTBR0 address; bits 54:48 are the PAC, the top byte (TBI) stays
        assertThat(u.stripPac(0x0012_0000_0040_39a8L)).isEqualTo(0x0000_0000_0040_39a8L);
        assertThat(u.stripPac(0x5a00_ffff_c57c_06b0L)).isEqualTo(0x5a00_ffff_c57c_06b0L);
    }
}
