package org.coroner.dwarf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.coroner.elf.ElfFile;
import org.coroner.elf.SymbolTable;

/**
 * Benchmark main (bench/symbolize-bench.sh): symbolizes N frames {@code func+off/size} of a vmlinux in
 * one cold JVM, as {@code coroner oops} does for a log's Call Traces: symbol table, DWARF unit index
 * and line tables all built on demand, inside the measured time. Frames are text functions of the
 * vmlinux picked with a fixed seed, at offsets inside them.
 */
public final class SymbolizeBench {
    public static void main(String[] args) {
        long t0 = System.nanoTime();
        Path vmlinux = Path.of(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        try (ElfFile elf = ElfFile.open(vmlinux)) {
            SymbolTable st = elf.symbols();
            List<SymbolTable.Symbol> funcs = new ArrayList<>();
            for (int i = 0; i < st.count(); i++) {
                SymbolTable.Symbol s = st.get(i);
                if (s.isFunction() && s.size() > 0) {
                    funcs.add(s);
                }
            }
            Random r = new Random(42);
            Symbolizer sym = new Symbolizer(new DwarfFile(elf));
            int located = 0;
            int inlined = 0;
            long check = 0;
            for (int i = 0; i < n; i++) {
                SymbolTable.Symbol f = funcs.get(r.nextInt(funcs.size()));
                long off = r.nextLong(f.size());
                Symbolizer.Resolution res = sym.resolve(f.name(), off, f.size());
                if (res.ok()) {
                    located++;
                    inlined += res.location().frames().size() > 1 ? 1 : 0;
                    check += res.location().innermost().line();
                }
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("symbolized %d frames (%d with file:line, %d with inline chains; checksum %d) in %d ms"
                    + " inside the JVM, index building included%n", n, located, inlined, check, ms);
        }
    }
}
