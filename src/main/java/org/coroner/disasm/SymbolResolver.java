package org.coroner.disasm;

import org.coroner.elf.SymbolTable;

/** Names an address for branch and call targets: {@code name+0xoff} (or {@code name} at offset 0), or null. */
@FunctionalInterface
public interface SymbolResolver {
    String resolve(long address);

    /** Resolves through an ELF symbol table as objdump does: the nearest preceding symbol, {@code name+0xoff}. */
    static SymbolResolver of(SymbolTable symbols) {
        return address -> symbols.lookup(address).map(s -> format(s.name(), address - s.value())).orElse(null);
    }

    static String format(String name, long offset) {
        return offset == 0 ? name : name + "+0x" + Long.toHexString(offset);
    }
}
