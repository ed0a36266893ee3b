package org.coroner.analyze;

import java.util.List;
import java.util.Optional;

import org.coroner.disasm.Arch;
import org.coroner.disasm.Disassembler;
import org.coroner.disasm.Instruction;
import org.coroner.dwarf.Symbolizer;
import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;

/**
 * The instructions of one function as they were in memory, decoded from the function's first byte
 * (so every instruction boundary is certain, unlike a {@code Code:} line), with the DWARF of the
 * file the function came from and the distance between run-time and file addresses.
 *
 * @param symbol       the function's symbol
 * @param start        its run-time address
 * @param instructions from {@code start} up to and including the instruction at the address asked for
 * @param dwarf        the symbolizer of its vmlinux or .ko, or null without debug info
 * @param delta        run-time address minus file address
 * @param arch         the instruction set it was decoded as
 */
public record FunctionCode(String symbol, String module, long start, List<Instruction> instructions, Symbolizer dwarf,
                           long delta, Arch arch) {

    /** Reads and decodes {@code [start, upTo]}; empty when the bytes cannot be read or do not decode to {@code upTo}. */
    public static Optional<FunctionCode> read(VirtualMemory mem, String symbol, String module, long start, long upTo,
                                              Symbolizer dwarf, long delta, Arch arch) {
        long len = upTo - start + 16;
        if (len <= 0 || len > 64 * 1024) {
            return Optional.empty();
        }
        byte[] bytes;
        try {
            bytes = mem.read(start, (int) len);
        } catch (FaultException e) {
            return Optional.empty();
        }
        List<Instruction> all = Disassembler.of(arch).disassemble(bytes, start, 0);
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).address() == upTo) {
                return Optional.of(new FunctionCode(symbol, module, start, List.copyOf(all.subList(0, i + 1)), dwarf, delta,
                        arch));
            }
        }
        return Optional.empty();
    }

    /** The last instruction: the one asked for. */
    public Instruction last() {
        return instructions.get(instructions.size() - 1);
    }

    public int lastIndex() {
        return instructions.size() - 1;
    }

    /** The code up to and including instruction {@code index}. */
    public FunctionCode upTo(int index) {
        return new FunctionCode(symbol, module, start, List.copyOf(instructions.subList(0, index + 1)), dwarf, delta, arch);
    }

    /** How the architecture's tools write a register: {@code %rax}, {@code x2}. */
    public String reg(String name) {
        return org.coroner.disasm.RegisterEffect.display(arch, name);
    }

    /** {@code symbol+0x23}. */
    public String at(Instruction in) {
        return symbol + "+0x" + Long.toHexString(in.address() - start);
    }

    /** The address of an instruction in its file's address space (for DWARF). */
    public long filePc(Instruction in) {
        return in.address() - delta;
    }
}
