package org.coroner.disasm;

import java.util.Arrays;
import java.util.Comparator;

import org.coroner.elf.SymbolTable;

/**
 * Names addresses the way objdump names branch targets and RIP-relative operands: the nearest
 * symbol at or below the address, whatever its size ({@code <set_next_task_dl+0x170>}), and among
 * symbols sharing an address the one objdump sorts first: functions, then objects, then global
 * before weak before local, then the larger, then names not starting with '.', then by name.
 * Section and file symbols, undefined and nameless ones are ignored, as objdump does.
 */
public final class ObjdumpSymbols implements SymbolResolver {
    private final long[] address;
    private final String[] name;

    private ObjdumpSymbols(long[] address, String[] name) {
        this.address = address;
        this.name = name;
    }

    /** All defined symbols of a linked image (vmlinux). */
    public static ObjdumpSymbols of(SymbolTable syms) {
        return build(syms, -1);
    }

    /**
     * Only the symbols of one section: in a relocatable object ({@code .ko}) every section starts at
     * address 0, and objdump only names an address with symbols of the section being disassembled.
     */
    public static SymbolResolver ofSection(SymbolTable syms, int shndx, long sectionSize) {
        ObjdumpSymbols own = build(syms, shndx);
        ObjdumpSymbols all = build(syms, -1);
        // an address outside the section (a jump to its end) is named from every section's symbols
        // (among the symbols at the nearest address, objdump still prefers one of this section)
        return a -> {
            if (Long.compareUnsigned(a, sectionSize) < 0) {
                return own.resolve(a);
            }
            int k = all.floor(a);
            if (k < 0) {
                return null;
            }
            int j = own.floor(a);
            return j >= 0 && own.address[j] == all.address[k] ? own.resolve(a) : all.resolve(a);
        };
    }

    private static ObjdumpSymbols build(SymbolTable syms, int onlySection) {
        Integer[] idx = new Integer[syms.count()];
        int n = 0;
        for (int k = 1; k < syms.count(); k++) {
            int t = syms.type(k);
            int sh = syms.shndx(k);
            if (t == SymbolTable.STT_SECTION || t == SymbolTable.STT_FILE || sh == 0 || sh == 0xfff2 /* COMMON */) {
                continue;
            }
            if (onlySection >= 0 && sh != onlySection) {
                continue;
            }
            if (syms.name(k).isEmpty()) {
                continue;
            }
            idx[n++] = k;
        }
        Integer[] sorted = Arrays.copyOf(idx, n);
        Comparator<Integer> byValue = (a, b) -> Long.compareUnsigned(syms.value(a), syms.value(b));
        Arrays.sort(sorted, byValue.thenComparing((a, b) -> preference(syms, a, b)));
        // keep the first (preferred) symbol of each address
        long[] addr = new long[n];
        String[] nm = new String[n];
        int m = 0;
        for (int k = 0; k < n; k++) {
            long v = syms.value(sorted[k]);
            if (m > 0 && addr[m - 1] == v) {
                continue;
            }
            addr[m] = v;
            nm[m] = syms.name(sorted[k]);
            m++;
        }
        return new ObjdumpSymbols(Arrays.copyOf(addr, m), Arrays.copyOf(nm, m));
    }

    /** objdump's order among symbols of equal value (negative: {@code a} is preferred). */
    private static int preference(SymbolTable s, int a, int b) {
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

    @Override
    public String resolve(long a) {
        int best = floor(a);
        return best < 0 ? null : SymbolResolver.format(name[best], a - address[best]);
    }

    private int floor(long a) {
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
