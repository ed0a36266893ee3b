package org.coroner.dwarf.types;

import java.nio.file.Files;
import java.nio.file.Path;

import org.coroner.dwarf.DwarfFile;
import org.coroner.elf.ElfFile;

/**
 * Benchmark main (bench/dwarf-names-bench.sh): the global-name index of a vmlinux from a cold JVM,
 * scanned (no cache file) and then read back from its cache file.
 */
public final class DwarfNamesBench {
    public static void main(String[] args) throws Exception {
        Path vmlinux = Path.of(args[0]);
        Path cache = Files.createTempFile("dwarf-names", ".idx");
        Files.delete(cache);
        try (ElfFile elf = ElfFile.open(vmlinux)) {
            long t0 = System.nanoTime();
            DwarfNames n = DwarfNames.cached(new DwarfFile(elf), cache);
            long t1 = System.nanoTime();
            DwarfNames m = DwarfNames.cached(new DwarfFile(elf), cache);
            long t2 = System.nanoTime();
            System.out.printf("scan+write: %d ms (%d variables, %d types, cache %d KB); read: %d ms (%d variables)%n",
                    (t1 - t0) / 1_000_000, n.variableCount(), n.typeCount(), Files.size(cache) / 1024,
                    (t2 - t1) / 1_000_000, m.variableCount());
            System.out.println("jiffies " + n.variables("jiffies") + " init_task " + n.variables("init_task"));
        } finally {
            Files.deleteIfExists(cache);
        }
    }
}
