package org.coroner.dwarf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.coroner.elf.ElfFile;
import org.coroner.elf.SymbolTable;

/**
 * Code address → function, file:line and the chain of inlined callers, as {@code addr2line -f -i}
 * answers. Lazy: a unit's function index is built the first time an address falls into it; nothing
 * else of `.debug_info` is read. Addresses are in the file's own address space: link-time addresses
 * for vmlinux (subtract the KASLR offset first), the {@link DwarfFile#sectionBase} layout for a module.
 */
public final class Symbolizer {
    static final int DW_TAG_subprogram = 0x2e, DW_TAG_inlined_subroutine = 0x1d, DW_TAG_lexical_block = 0x0b;
    static final int DW_AT_sibling = 0x01, DW_AT_name = 0x03, DW_AT_abstract_origin = 0x31,
            DW_AT_specification = 0x47, DW_AT_call_file = 0x58, DW_AT_call_line = 0x59, DW_AT_linkage_name = 0x6e;

    /** One level of a source location: the function and the line reached in it. */
    public record Frame(String function, String file, int line) {
        /** {@code file:line} as addr2line prints it. */
        public String where() {
            return file + ":" + (line == 0 ? "?" : Integer.toString(line));
        }
    }

    /** All levels for one address, innermost (the inlined code that ran) first, the real function last. */
    public record Location(long address, List<Frame> frames) {
        public Frame innermost() {
            return frames.get(0);
        }

        public Frame outermost() {
            return frames.get(frames.size() - 1);
        }

        public List<Frame> inlined() {
            return frames.subList(0, frames.size() - 1);
        }
    }

    private final DwarfFile dw;
    private final Map<Long, FunctionIndex> functionIndexes = new ConcurrentHashMap<>();
    private volatile long[][] unitRanges; // fallback when .debug_aranges misses an address: {lo, hi, unitOffset}

    public Symbolizer(DwarfFile dw) {
        this.dw = dw;
    }

    public DwarfFile dwarf() {
        return dw;
    }

    /** The source location of {@code address}, or empty when no unit or function covers it. */
    public Optional<Location> locate(long address) {
        CompileUnit cu = unitFor(address);
        if (cu == null) {
            return Optional.empty();
        }
        FunctionIndex fi = functionIndexes.computeIfAbsent(cu.header().offset(), o -> FunctionIndex.build(cu));
        long fn = fi.find(address);
        List<Die> chain = new ArrayList<>(); // outermost first
        if (fn >= 0) {
            Die sub = cu.readDie(fn);
            chain.add(sub);
            descend(cu, sub, address, chain);
        }
        LineTable lt = cu.lines();
        String file = "??";
        int line = 0;
        if (lt != null) {
            LineTable.Row r = lt.lookup(address);
            if (r != null) {
                file = lt.file(r.file());
                line = r.line();
            }
        }
        if (chain.isEmpty()) {
            // code without a subprogram DIE (assembly, padding after a function): the ELF symbol's name, as addr2line
            String sym = "??";
            if (dw.elf().type() != ElfFile.ET_REL) {
                sym = dw.elf().symbols().lookup(address).map(SymbolTable.Symbol::name).orElse("??");
            }
            return line == 0 && sym.equals("??") ? Optional.empty()
                    : Optional.of(new Location(address, List.of(new Frame(sym, file, line))));
        }
        List<Frame> frames = new ArrayList<>(chain.size());
        // innermost: the line table's row; each enclosing level: where the inner level was inlined from
        for (int i = chain.size() - 1; i >= 0; i--) {
            Die d = chain.get(i);
            frames.add(new Frame(name(d), file, line));
            file = d.has(DW_AT_call_file) && lt != null ? lt.file((int) d.value(DW_AT_call_file, 0)) : "??";
            line = (int) d.value(DW_AT_call_line, 0);
        }
        return Optional.of(new Location(address, Collections.unmodifiableList(frames)));
    }

    /**
     * Every scope containing {@code address}, outermost first: the subprogram, then lexical blocks and
     * inlined subroutines. Their parameters and variables are what can be live there.
     */
    public List<Die> scopes(long address) {
        CompileUnit cu = unitFor(address);
        if (cu == null) {
            return List.of();
        }
        FunctionIndex fi = functionIndexes.computeIfAbsent(cu.header().offset(), o -> FunctionIndex.build(cu));
        long fn = fi.find(address);
        if (fn < 0) {
            return List.of();
        }
        List<Die> out = new ArrayList<>();
        Die sub = cu.readDie(fn);
        out.add(sub);
        scopesIn(cu, sub, address, out);
        return out;
    }

    private void scopesIn(CompileUnit cu, Die parent, long address, List<Die> out) {
        if (!parent.hasChildren()) {
            return;
        }
        long off = parent.next();
        while (true) {
            Die k = cu.readDie(off);
            if (k == null) {
                return;
            }
            if ((k.tag() == DW_TAG_inlined_subroutine || k.tag() == DW_TAG_lexical_block) && Ranges.contains(k, address)) {
                out.add(k);
                scopesIn(cu, k, address, out);
                return;
            }
            off = next(cu, k);
        }
    }

    /**
     * The location of {@code symbol+offset} (as an Oops prints a frame) in this file, via its ELF symbol
     * table. When {@code expectedSize} is positive and differs from the symbol's size, the debug info is
     * not the one of the crashed kernel: {@link Resolution#mismatch()} says so and nothing is located.
     */
    public Resolution resolve(String symbol, long offset, long expectedSize) {
        ElfFile elf = dw.elf();
        Optional<SymbolTable.Symbol> s = elf.symbols().byName(symbol);
        if (s.isEmpty()) {
            return new Resolution(symbol, offset, -1, null, "no symbol " + symbol + " in " + dw.name());
        }
        SymbolTable.Symbol sym = s.get();
        var next = elf.symbols().nextAddress(sym);
        long kallsymsSize = next.isPresent() ? next.getAsLong() - sym.value() : -1;
        // kallsyms knows no st_size: the kernel prints the distance to the next symbol (alignment padding
        // included); either size agreeing means this is the function the report names
        // the last function of a module section is followed in memory by the next section, laid out
        // after it with its alignment: the printed size is then a little larger than st_size
        boolean lastPadded = next.isEmpty() && expectedSize > sym.size() && expectedSize - sym.size() < 64;
        if (expectedSize > 0 && sym.size() != expectedSize && kallsymsSize != expectedSize && !lastPadded) {
            return new Resolution(symbol, offset, -1, null, String.format(
                    "%s is 0x%x bytes in %s but 0x%x in the report: mismatched debug info", symbol, sym.size(),
                    dw.name(), expectedSize));
        }
        long base = elf.type() == ElfFile.ET_REL ? dw.sectionBase(sym.shndx()) + sym.value() : sym.value();
        long address = base + offset;
        return new Resolution(symbol, offset, address, locate(address).orElse(null), null);
    }

    /** A symbol+offset resolved: the file address, its location, or why it cannot be symbolized. */
    public record Resolution(String symbol, long offset, long address, Location location, String mismatch) {
        public boolean ok() {
            return mismatch == null && location != null;
        }
    }

    private void descend(CompileUnit cu, Die parent, long address, List<Die> chain) {
        if (!parent.hasChildren()) {
            return;
        }
        long off = parent.next();
        while (true) {
            Die k = cu.readDie(off);
            if (k == null) {
                return;
            }
            int tag = k.tag();
            if (tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block) {
                List<long[]> rs = Ranges.of(k);
                boolean in = rs.isEmpty() ? tag == DW_TAG_lexical_block : Ranges.contains(k, address);
                if (in) {
                    if (tag == DW_TAG_inlined_subroutine) {
                        chain.add(k);
                    }
                    int before = chain.size();
                    descend(cu, k, address, chain);
                    if (tag == DW_TAG_inlined_subroutine || chain.size() > before || !rs.isEmpty()) {
                        return;
                    }
                }
            }
            off = next(cu, k);
        }
    }

    static long next(CompileUnit cu, Die d) {
        if (!d.hasChildren()) {
            return d.next();
        }
        long sib = d.value(DW_AT_sibling, -1);
        return sib > 0 ? sib : cu.skipChildren(d);
    }

    /** The function's name: its own, or that of its abstract origin / specification. */
    public String name(Die d) {
        for (int depth = 0; d != null && depth < 8; depth++) {
            String n = d.string(DW_AT_name);
            if (n != null) {
                return n;
            }
            long ref = d.value(DW_AT_abstract_origin, -1);
            if (ref < 0) {
                ref = d.value(DW_AT_specification, -1);
            }
            if (ref < 0) {
                break;
            }
            d = dieAt(ref);
        }
        return "??";
    }

    /** The DIE at an absolute `.debug_info` offset, whichever unit holds it. */
    public Die dieAt(long offset) {
        return dw.dieAt(offset);
    }

    private long[] unitOffsets() {
        return dw.unitOffsets();
    }

    private CompileUnit unitFor(long address) {
        CompileUnit cu = dw.unitFor(address);
        if (cu != null) {
            return cu;
        }
        long[][] r = unitRanges;
        if (r == null) {
            List<long[]> all = new ArrayList<>();
            for (long off : unitOffsets()) {
                CompileUnit u = dw.unitAt(off);
                for (long[] x : Ranges.of(u.root())) {
                    all.add(new long[] {x[0], x[1], off});
                }
            }
            all.sort((a, b) -> Long.compareUnsigned(a[0], b[0]));
            r = unitRanges = all.toArray(long[][]::new);
        }
        for (long[] x : r) { // few units without aranges: a scan is fine
            if (Long.compareUnsigned(address, x[0]) >= 0 && Long.compareUnsigned(address, x[1]) < 0) {
                return dw.unitAt(x[2]);
            }
        }
        return null;
    }

    /** A unit's out-of-line functions by address range, sorted, built once per unit. */
    private record FunctionIndex(long[] lo, long[] hi, long[] die) {
        static FunctionIndex build(CompileUnit cu) {
            List<long[]> entries = new ArrayList<>();
            collect(cu, cu.root(), entries, 0);
            entries.sort((a, b) -> Long.compareUnsigned(a[0], b[0]));
            long[] lo = new long[entries.size()];
            long[] hi = new long[entries.size()];
            long[] die = new long[entries.size()];
            for (int i = 0; i < lo.length; i++) {
                lo[i] = entries.get(i)[0];
                hi[i] = entries.get(i)[1];
                die[i] = entries.get(i)[2];
            }
            return new FunctionIndex(lo, hi, die);
        }

        private static void collect(CompileUnit cu, Die parent, List<long[]> out, int depth) {
            if (!parent.hasChildren()) {
                return;
            }
            long off = parent.next();
            while (true) {
                Die k = cu.readDie(off);
                if (k == null) {
                    return;
                }
                if (k.tag() == DW_TAG_subprogram) {
                    for (long[] r : Ranges.of(k)) {
                        out.add(new long[] {r[0], r[1], k.offset()});
                    }
                } else if (depth < 4 && k.hasChildren() && isScope(k.tag())) {
                    collect(cu, k, out, depth + 1); // namespaces, classes (C++/Rust units)
                }
                off = next(cu, k);
            }
        }

        private static boolean isScope(int tag) {
            return tag == 0x39 /* namespace */ || tag == 0x02 /* class */ || tag == 0x13 /* struct */ || tag == 0x0b;
        }

        /** The DIE offset of the innermost (latest-starting) function range containing address, or -1. */
        long find(long address) {
            int l = 0;
            int h = lo.length - 1;
            int best = -1;
            while (l <= h) {
                int m = (l + h) >>> 1;
                if (Long.compareUnsigned(lo[m], address) <= 0) {
                    best = m;
                    l = m + 1;
                } else {
                    h = m - 1;
                }
            }
            for (int i = best; i >= 0 && i > best - 64; i--) {
                if (Long.compareUnsigned(address, hi[i]) < 0 && Long.compareUnsigned(address, lo[i]) >= 0) {
                    return die[i];
                }
            }
            return -1;
        }
    }
}
