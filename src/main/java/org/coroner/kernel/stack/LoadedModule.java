package org.coroner.kernel.stack;

import java.util.List;
import java.util.Optional;

import org.coroner.arch.x86_64.unwind.OrcTable;

/**
 * A module as the dump holds it: its {@code struct module}, the address ranges of its code and
 * data, its ORC table and its symbols (both read lazily from the dump).
 */
public final class LoadedModule {
    private final String name;
    private final long address;
    private final List<Range> ranges;
    private final List<Range> textRanges;
    private final java.util.function.Supplier<Optional<OrcTable>> orc;
    private final java.util.function.Supplier<ModuleSymbols> symbols;
    private Optional<OrcTable> orcTable;
    private ModuleSymbols symbolTable;

    /** One memory region of the module ({@code core_layout}, {@code init_layout}, or one {@code mem[]}). */
    public record Range(long base, long size) {
        public boolean contains(long a) {
            return Long.compareUnsigned(a - base, size) < 0;
        }
    }

    LoadedModule(String name, long address, List<Range> ranges, List<Range> textRanges,
                 java.util.function.Supplier<Optional<OrcTable>> orc, java.util.function.Supplier<ModuleSymbols> symbols) {
        this.name = name;
        this.address = address;
        this.ranges = ranges;
        this.textRanges = textRanges;
        this.orc = orc;
        this.symbols = symbols;
    }

    public String name() {
        return name;
    }

    /** Address of its {@code struct module}. */
    public long address() {
        return address;
    }

    public List<Range> ranges() {
        return ranges;
    }

    public boolean contains(long a) {
        for (Range r : ranges) {
            if (r.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** The address is in the module's code (core or init text). */
    public boolean containsText(long a) {
        for (Range r : textRanges) {
            if (r.contains(a)) {
                return true;
            }
        }
        return false;
    }

    public synchronized Optional<OrcTable> orc() {
        if (orcTable == null) {
            orcTable = orc.get();
        }
        return orcTable;
    }

    public synchronized ModuleSymbols symbols() {
        if (symbolTable == null) {
            symbolTable = symbols.get();
        }
        return symbolTable;
    }
}
