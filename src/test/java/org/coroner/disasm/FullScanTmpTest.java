package org.coroner.disasm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.coroner.elf.ElfFile;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Test;

class FullScanTmpTest {
    @Test
    void full() throws Exception {
        try (ElfFile elf = ElfFile.open(Fixtures.vmlinux())) {
            ElfFile.Section sec = elf.section(".text").orElseThrow();
            SymbolResolver names = ObjdumpSymbols.of(elf).forSection(sec);
            X86ObjdumpTest.Tally t = new X86ObjdumpTest.Tally();
            List<String> chunk = new ArrayList<>();
            try (var lines = Files.lines(Path.of("/tmp/disasm-c/vml.txt"))) {
                var it = lines.iterator();
                while (it.hasNext()) {
                    String s = it.next();
                    if (s.isEmpty() && chunk.size() > 200000) {
                        flush(elf, sec, chunk, names, t);
                        chunk.clear();
                    }
                    chunk.add(s);
                }
            }
            flush(elf, sec, chunk, names, t);
            System.out.print(t.report("full .text"));
        }
    }

    private static void flush(ElfFile elf, ElfFile.Section sec, List<String> chunk, SymbolResolver names, X86ObjdumpTest.Tally t) {
        ObjdumpListing ref = ObjdumpListing.parse(String.join("\n", chunk));
        if (ref.lines.isEmpty()) {
            return;
        }
        long start = ref.blockStarts.isEmpty() ? ref.lines.get(0).address() : Math.min(ref.blockStarts.get(0), ref.lines.get(0).address());
        ObjdumpListing.Line last = ref.lines.get(ref.lines.size() - 1);
        long stop = last.address() + last.bytes().length;
        byte[] code = elf.data(sec).bytes(start - sec.addr(), (int) (stop - start));
        X86ObjdumpTest.compare(ref, code, start, names, t);
    }
}
