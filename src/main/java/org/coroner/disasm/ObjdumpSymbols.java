package org.coroner.disasm;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.coroner.elf.ElfFile;
import org.coroner.elf.SymbolTable;

/**
 * Names addresses as objdump names branch targets and RIP-relative operands, so that {@code dis}
 * and the tests print exactly objdump's {@code <sym+off>}:
 * <ul>
 * <li>the nearest symbol at or below the address, whatever its size ({@code <set_next_task_dl+0x170>});</li>
 * <li>among symbols at one address, the one objdump sorts first: functions, then objects, then global
 * before weak before local, then the larger, then names not starting with '.', then by name;
 * section, file, undefined, common and nameless symbols never name anything;</li>
 * <li>in a file with relocations (a {@code .ko}, or a vmlinux linked with {@code --emit-relocs} like
 * Debian's), an address inside the section being disassembled is named only by that section's
 * symbols: the nearest below, else the nearest above ({@code sym-0x10}), else the section itself
 * ({@code .altinstr_replacement+0x30}). Other addresses are named from every section.</li>
 * </ul>
 * Building sorts every symbol once; resolvers are then binary searches, safe for concurrent use.
 */
public final class ObjdumpSymbols {
    private final ElfFile elf;
    private final SymbolTable syms;
    private final boolean relocatable;
    /** Usable symbol indices in objdump's order (by value, then preference). */
    private final int[] sorted;
    private final Table all;
    private final Map<Integer, Table> bySection = new ConcurrentHashMap<>();

    private ObjdumpSymbols(ElfFile elf) {
        this.elf = elf;
        this.syms = elf.symbols();
        boolean rel = false;
        for (ElfFile.Section s : elf.sections()) {
            rel |= s.type() == ElfFile.SHT_RELA || s.type() == ElfFile.SHT_REL;
        }
        this.relocatable = rel;
        Integer[] idx = new Integer[syms.count()];
        int n = 0;
        for (int k = 1; k < syms.count(); k++) {
            int t = syms.type(k);
            int sh = syms.shndx(k);
            if (t == SymbolTable.STT_SECTION || t == SymbolTable.STT_FILE || sh == 0 || sh == 0xfff2 /* COMMON */
                    || syms.name(k).isEmpty()) {
                continue;
            }
            idx[n++] = k;
        }
        Integer[] s = Arrays.copyOf(idx, n);
        Comparator<Integer> byValue = (a, b) -> Long.compareUnsigned(syms.value(a), syms.value(b));
        Arrays.sort(s, byValue.thenComparing(this::preference));
        sorted = new int[n];
        for (int k = 0; k < n; k++) {
            sorted[k] = s[k];
        }
        all = table(-1);
    }

    /** The symbols of an ELF file (vmlinux or a module), indexed for naming addresses. */
    public static ObjdumpSymbols of(ElfFile elf) {
        return new ObjdumpSymbols(elf);
    }

    /** Names as objdump does while disassembling section {@code sec}. */
    public SymbolResolver forSection(ElfFile.Section sec) {
        if (!relocatable) {
            return anywhere();
        }
        Table own = bySection.computeIfAbsent(sec.index(), this::table);
        long start = sec.addr();
        long size = sec.size();
        String secName = sec.name();
        return a -> {
            if (Long.compareUnsigned(a - start, size) >= 0) {
                // among the symbols at the nearest address objdump still prefers one of this section
                int k = all.floor(a);
                int j = own.floor(a);
                return k >= 0 && j >= 0 && own.address[j] == all.address[k] ? own.name(a, secName, start)
                        : all.name(a, null, 0);
            }
            return own.name(a, secName, start);
        };
    }

    /** The nearest symbol of any section (objdump on a file without relocations). */
    public SymbolResolver anywhere() {
        return a -> all.name(a, null, 0);
    }

    /** One address per entry, with the preferred symbol's name. */
    private record Table(long[] address, String[] name) {
        String name(long a, String sectionName, long sectionStart) {
            int best = floor(a);
            if (best >= 0) {
                return SymbolResolver.format(name[best], a - address[best]);
            }
            if (address.length > 0) {
                // no symbol below: objdump takes the first one above, "sym-0x10"
                return name[0] + "-0x" + Long.toHexString(address[0] - a);
            }
            return sectionName == null ? null : SymbolResolver.format(sectionName, a - sectionStart);
        }

        int floor(long a) {
            int lo = 0;
            int hi = address.length - 1;
            int best = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (Long.compareUnsigned(address[mid], a) <= 0) {
                    best = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return best;
        }
    }

    private Table table(int onlySection) {
        long[] addr = new long[sorted.length];
        String[] nm = new String[sorted.length];
        int m = 0;
        for (int k : sorted) {
            if (onlySection >= 0 && syms.shndx(k) != onlySection) {
                continue;
            }
            long v = syms.value(k);
            if (m > 0 && addr[m - 1] == v) {
                continue; // the first of equal values is objdump's preferred one
            }
            addr[m] = v;
            nm[m] = syms.name(k);
            m++;
        }
        return new Table(Arrays.copyOf(addr, m), Arrays.copyOf(nm, m));
    }

    /** objdump's order among symbols of equal value (negative: {@code a} is preferred). */
    private int preference(int a, int b) {
        SymbolTable s = syms;
        String an = s.name(a);
        String bn = s.name(b);
        boolean af = fileLike(an);
        boolean bf = fileLike(bn);
        if (af != bf) {
            return af ? 1 : -1;
        }
        boolean afn = s.type(a) == SymbolTable.STT_FUNC;
        boolean bfn = s.type(b) == SymbolTable.STT_FUNC;
        if (afn != bfn) {
            return afn ? -1 : 1;
        }
        boolean aob = s.type(a) == SymbolTable.STT_OBJECT;
        boolean bob = s.type(b) == SymbolTable.STT_OBJECT;
        if (aob != bob) {
            return aob ? -1 : 1;
        }
        boolean al = s.bind(a) == 0;
        boolean bl = s.bind(b) == 0;
        if (al != bl) {
            return al ? 1 : -1;
        }
        boolean ag = s.bind(a) == 1;
        boolean bg = s.bind(b) == 1;
        if (ag != bg) {
            return ag ? -1 : 1;
        }
        if (s.size(a) != s.size(b)) {
            return Long.compareUnsigned(s.size(b), s.size(a));
        }
        boolean ad = an.startsWith(".");
        boolean bd = bn.startsWith(".");
        if (ad != bd) {
            return ad ? 1 : -1;
        }
        return an.compareTo(bn);
    }

    // objdump's heuristic: names ending in ".o" or ".a" are probably file names, sorted last
    private static boolean fileLike(String n) {
        return n.length() > 2 && n.charAt(n.length() - 2) == '.' && (n.endsWith("o") || n.endsWith("a"));
    }

}
