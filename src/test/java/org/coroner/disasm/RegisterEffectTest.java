package org.coroner.disasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * What instructions write, read from the code the null fixture faulted in: x86_64's
 * {@code create_oops.constprop.0} (the {@code Code:} bytes of its Oops) and arm64's (the {@code Code:}
 * words of the arm64 Oops and the .ko's {@code mutex_ab}, as objdump shows them), decoded by Capstone.
 */
class RegisterEffectTest {
    private static List<Instruction> x86(String hex) {
        return Disassembler.of(Arch.X86_64).disassemble(HexFormat.of().parseHex(hex), 0x1000, 0);
    }

    /** Little-endian arm64 words as the Oops prints them. */
    private static List<Instruction> arm64(String... words) {
        byte[] b = new byte[words.length * 4];
        for (int i = 0; i < words.length; i++) {
            long w = Long.parseLong(words[i], 16);
            for (int k = 0; k < 4; k++) {
                b[i * 4 + k] = (byte) (w >>> (8 * k));
            }
        }
        return Disassembler.of(Arch.ARM64).disassemble(b, 0x1000, 0);
    }

    @Test
    void x86LoadMoveConstantAndCall() {
        // mov 0x28(%rbx),%rax; mov %rdi,%rbx; mov $0x1234,%esi; call; xor %eax,%eax
        List<Instruction> in = x86("488b4328" + "4889fb" + "be34120000" + "e858fc10f8" + "31c0");
        RegisterEffect load = RegisterEffect.of(Arch.X86_64, in.get(0), "rax");
        assertThat(RegisterEffect.writes(Arch.X86_64, in.get(0), "rax")).isTrue();
        assertThat(load.kind()).isEqualTo(RegisterEffect.Kind.LOAD);
        assertThat(load.mem().base()).isEqualTo("rbx");
        assertThat(load.mem().displacement()).isEqualTo(0x28);
        assertThat(load.width()).isEqualTo(8);
        assertThat(RegisterEffect.of(Arch.X86_64, in.get(1), "rbx")).extracting(RegisterEffect::kind, RegisterEffect::src)
                .containsExactly(RegisterEffect.Kind.MOVE, "rdi");
        assertThat(RegisterEffect.writes(Arch.X86_64, in.get(2), "rsi")).isTrue();
        assertThat(RegisterEffect.of(Arch.X86_64, in.get(2), "rsi").value()).isEqualTo(0x1234);
        // a call clobbers the caller-saved registers only
        assertThat(RegisterEffect.writes(Arch.X86_64, in.get(3), "rax")).isTrue();
        assertThat(RegisterEffect.writes(Arch.X86_64, in.get(3), "rbx")).isFalse();
        assertThat(RegisterEffect.of(Arch.X86_64, in.get(4), "rax")).extracting(RegisterEffect::kind, RegisterEffect::value)
                .containsExactly(RegisterEffect.Kind.CONSTANT, 0L);
    }

    @Test
    void arm64NullOopsCode() {
        // Code: f9401662 d2824683 5297dde0 72bfdda0 (f9400441)
        List<Instruction> in = arm64("f9401662", "d2824683", "5297dde0", "72bfdda0", "f9400441");
        assertThat(in.get(0).text()).isEqualTo("ldr    x2, [x19, #40]");
        RegisterEffect load = RegisterEffect.of(Arch.ARM64, in.get(0), "x2");
        assertThat(load.kind()).isEqualTo(RegisterEffect.Kind.LOAD);
        assertThat(load.mem().base()).isEqualTo("x19");
        assertThat(load.mem().displacement()).isEqualTo(40);
        assertThat(RegisterEffect.of(Arch.ARM64, in.get(1), "x3").value()).isEqualTo(0x1234);
        // mov w0, #0xbeef writes x0; movk is a partial write the walk does not follow
        assertThat(RegisterEffect.writes(Arch.ARM64, in.get(2), "x0")).isTrue();
        assertThat(RegisterEffect.writes(Arch.ARM64, in.get(3), "x0")).isTrue();
        assertThat(RegisterEffect.of(Arch.ARM64, in.get(3), "x0").kind()).isEqualTo(RegisterEffect.Kind.OTHER);
        assertThat(RegisterEffect.writes(Arch.ARM64, in.get(4), "x1")).isTrue();
        assertThat(RegisterEffect.writes(Arch.ARM64, in.get(4), "x2")).isFalse();
    }

    @Test
    void arm64PrologueStoresCallsAndAddresses() {
        // mutex_ab: stp x29, x30, [sp, #-32]!; mov x29, sp; str x21, [sp, #32]; add x20, x19, #0x20; bl; adrp x19, ...
        List<Instruction> in = arm64("a9be7bfd", "910003fd", "f90013f5", "91008274", "94000000", "90000013");
        assertThat(RegisterEffect.writes(Arch.ARM64, in.get(0), "sp")).as("pre-index writes back").isTrue();
        assertThat(RegisterEffect.writes(Arch.ARM64, in.get(0), "x29")).as("a store").isFalse();
        assertThat(RegisterEffect.of(Arch.ARM64, in.get(1), "x29")).extracting(RegisterEffect::kind, RegisterEffect::src)
                .containsExactly(RegisterEffect.Kind.MOVE, "sp");
        assertThat(RegisterEffect.writes(Arch.ARM64, in.get(2), "x21")).isFalse();
        assertThat(RegisterEffect.of(Arch.ARM64, in.get(3), "x20")).extracting(RegisterEffect::kind, RegisterEffect::src,
                RegisterEffect::value).containsExactly(RegisterEffect.Kind.ADD, "x19", 0x20L);
        // AAPCS64: a call clobbers x0-x18 and lr, not x19-x28
        assertThat(RegisterEffect.writes(Arch.ARM64, in.get(4), "x0")).isTrue();
        assertThat(RegisterEffect.writes(Arch.ARM64, in.get(4), "x30")).isTrue();
        assertThat(RegisterEffect.writes(Arch.ARM64, in.get(4), "x19")).isFalse();
        RegisterEffect adrp = RegisterEffect.of(Arch.ARM64, in.get(5), "x19");
        assertThat(adrp.kind()).isEqualTo(RegisterEffect.Kind.CONSTANT);
        assertThat(adrp.value()).isEqualTo(in.get(5).address() & ~0xfffL);
    }
}
