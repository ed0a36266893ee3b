package org.coroner.disasm;

import java.util.List;
import java.util.Optional;

import org.coroner.elf.ElfFile;
import org.coroner.elf.SymbolTable;
import org.coroner.io.BadInputException;

/**
 * Disassembles code straight from an ELF file (vmlinux, a module), as {@code objdump -d} would
 * print it: the architecture from {@code e_machine}, the bytes from the executable section, branch
 * targets named by {@link ObjdumpSymbols}.
 */
public final class ElfDisassembly {
    private final ElfFile elf;
    private final Disassembler disassembler;
    private volatile ObjdumpSymbols names;

    public ElfDisassembly(ElfFile elf) {
        Arch arch = Arch.ofElfMachine(elf.machine());
        if (arch == null || (arch == Arch.X86_64 && !elf.is64())) {
            throw new BadInputException(elf.path(), "cannot disassemble " + elf.machineName() + " code");
        }
        this.elf = elf;
        this.disassembler = Disassembler.of(arch);
    }

    public Disassembler disassembler() {
        return disassembler;
    }

    /** The objdump-style namer for this file (built on first use: it sorts every symbol). */
    public ObjdumpSymbols names() {
        ObjdumpSymbols n = names;
        if (n == null) {
            synchronized (this) {
                n = names;
                if (n == null) {
                    n = ObjdumpSymbols.of(elf);
                    names = n;
                }
            }
        }
        return n;
    }

    /** The instructions of {@code [start, end)} of an executable section (addresses as the section's). */
    public List<Instruction> range(ElfFile.Section section, long start, long end) {
        if (!section.isExec() || Long.compareUnsigned(start, section.addr()) < 0
                || Long.compareUnsigned(end, section.addr() + section.size()) > 0 || Long.compareUnsigned(start, end) > 0) {
            throw new BadInputException(elf.path(), String.format("0x%x-0x%x is not code of section %s", start, end,
                    section.name()));
        }
        byte[] code = elf.data(section).bytes(start - section.addr(), (int) (end - start));
        return disassembler.disassemble(code, start, 0);
    }

    /** The executable section holding {@code address} in a linked image (vmlinux). */
    public Optional<ElfFile.Section> sectionOf(long address) {
        return elf.sections().stream().filter(s -> s.isExec() && s.isAlloc() && s.contains(address)).findFirst();
    }

    /** A function by symbol name: its section and its instructions over the symbol's size. */
    public List<Instruction> function(String name) {
        SymbolTable.Symbol s = elf.symbols().byName(name)
                .orElseThrow(() -> new BadInputException(elf.path(), "no symbol " + name));
        if (s.size() == 0 || s.shndx() == 0 || s.shndx() >= elf.sections().size()) {
            throw new BadInputException(elf.path(), "symbol " + name + " has no code");
        }
        ElfFile.Section sec = elf.section(s.shndx());
        return range(sec, s.value(), s.value() + s.size());
    }

    /** Symbol naming for instructions of {@code section}, as objdump names them. */
    public SymbolResolver resolverFor(ElfFile.Section section) {
        return names().forSection(section);
    }
}
