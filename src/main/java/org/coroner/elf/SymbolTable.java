package org.coroner.elf;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.coroner.io.Bytes;

/**
 * An ELF symbol table held in parallel primitive arrays (vmlinux has ~150,000 symbols), with a
 * by-name map and a by-address index each built on first use.
 */
public final class SymbolTable {
    public static final int STT_NOTYPE = 0;
    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;
    public static final int STT_SECTION = 3;
    public static final int STT_FILE = 4;

    private final Bytes strtab;
    private final int[] nameOff;
    private final long[] value;
    private final long[] size;
    private final byte[] info;
    private final int[] shndx;
    private volatile Map<String, Integer> byName;
    private volatile int[] byAddress;

    /** One symbol. */
    public record Symbol(int index, String name, long value, long size, int type, int bind, int shndx) {
        public boolean isFunction() {
            return type == STT_FUNC;
        }

        public boolean isLocal() {
            return bind == 0;
        }

        public boolean contains(long address) {
            return Long.compareUnsigned(address, value) >= 0 && Long.compareUnsigned(address - value, Math.max(size, 1)) < 0;
        }
    }

    private SymbolTable(Bytes strtab, int[] nameOff, long[] value, long[] size, byte[] info, int[] shndx) {
        this.strtab = strtab;
        this.nameOff = nameOff;
        this.value = value;
        this.size = size;
        this.info = info;
        this.shndx = shndx;
    }

    static SymbolTable empty() {
        return new SymbolTable(null, new int[0], new long[0], new long[0], new byte[0], new int[0]);
    }

    static SymbolTable read(ElfFile elf, ElfFile.Section symtab) {
        Bytes d = elf.data(symtab);
        Bytes str = elf.data(elf.section(symtab.link()));
        boolean is64 = elf.is64();
        int ent = is64 ? 24 : 16;
        int n = (int) (d.size() / ent);
        int[] nameOff = new int[n];
        long[] value = new long[n];
        long[] size = new long[n];
        byte[] info = new byte[n];
        int[] shndx = new int[n];
        for (int k = 0; k < n; k++) {
            long o = (long) k * ent;
            nameOff[k] = (int) d.u32(o);
            if (is64) {
                info[k] = (byte) d.u8(o + 4);
                shndx[k] = d.u16(o + 6);
                value[k] = d.u64(o + 8);
                size[k] = d.u64(o + 16);
            } else {
                value[k] = d.u32(o + 4);
                size[k] = d.u32(o + 8);
                info[k] = (byte) d.u8(o + 12);
                shndx[k] = d.u16(o + 14);
            }
        }
        return new SymbolTable(str, nameOff, value, size, info, shndx);
    }

    public int count() {
        return value.length;
    }

    public String name(int i) {
        return strtab == null ? "" : strtab.cstring(nameOff[i]);
    }

    public long value(int i) {
        return value[i];
    }

    public long size(int i) {
        return size[i];
    }

    public int type(int i) {
        return info[i] & 0xf;
    }

    public int bind(int i) {
        return (info[i] & 0xff) >>> 4;
    }

    public int shndx(int i) {
        return shndx[i];
    }

    public Symbol get(int i) {
        return new Symbol(i, name(i), value[i], size[i], type(i), bind(i), shndx[i]);
    }

    /**
     * The symbol with this name; when several local symbols share a name, a global one wins, then
     * the first function.
     */
    public Optional<Symbol> byName(String name) {
        Map<String, Integer> m = byName;
        if (m == null) {
            synchronized (this) {
                m = byName;
                if (m == null) {
                    m = new HashMap<>(value.length * 2);
                    for (int k = 1; k < value.length; k++) {
                        int t = type(k);
                        if (t == STT_SECTION || t == STT_FILE || nameOff[k] == 0) {
                            continue;
                        }
                        String nm = name(k);
                        Integer prev = m.get(nm);
                        if (prev == null || (bind(prev) == 0 && bind(k) != 0)) {
                            m.put(nm, k);
                        }
                    }
                    byName = m;
                }
            }
        }
        Integer k = m.get(name);
        return k == null ? Optional.empty() : Optional.of(get(k));
    }

    /**
     * The function or object symbol whose address is the greatest one not above {@code address}
     * (kallsyms semantics: the nearest preceding symbol, preferring a sized one that contains it).
     */
    public Optional<Symbol> lookup(long address) {
        int[] idx = addressIndex();
        int lo = 0;
        int hi = idx.length - 1;
        int best = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(value[idx[mid]], address) <= 0) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (best < 0) {
            return Optional.empty();
        }
        // Among symbols at the same address, prefer one whose size covers the address, then a function.
        long v = value[idx[best]];
        int chosen = idx[best];
        for (int j = best; j >= 0 && value[idx[j]] == v; j--) {
            int k = idx[j];
            boolean covers = Long.compareUnsigned(address - v, size[k]) < 0;
            boolean chosenCovers = Long.compareUnsigned(address - v, size[chosen]) < 0;
            if (covers && !chosenCovers || covers == chosenCovers && type(k) == STT_FUNC && type(chosen) != STT_FUNC) {
                chosen = k;
            }
        }
        return Optional.of(get(chosen));
    }

    /**
     * The address of the next higher symbol in the same section, if any: what kallsyms takes as a
     * symbol's size (it has no st_size), and hence the size an Oops prints in {@code func+off/size}.
     */
    public java.util.OptionalLong nextAddress(Symbol s) {
        int[] idx = addressIndex();
        int lo = 0;
        int hi = idx.length - 1;
        int first = idx.length;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(value[idx[mid]], s.value()) > 0) {
                first = mid;
                hi = mid - 1;
            } else {
                lo = mid + 1;
            }
        }
        for (int j = first; j < idx.length && j < first + 4096; j++) {
            if (shndx[idx[j]] == s.shndx()) {
                return java.util.OptionalLong.of(value[idx[j]]);
            }
        }
        return java.util.OptionalLong.empty();
    }

    private int[] addressIndex() {
        int[] a = byAddress;
        if (a == null) {
            synchronized (this) {
                a = byAddress;
                if (a == null) {
                    a = buildAddressIndex();
                    byAddress = a;
                }
            }
        }
        return a;
    }

    private int[] buildAddressIndex() {
        int n = 0;
        int[] tmp = new int[value.length];
        for (int k = 1; k < value.length; k++) {
            int t = type(k);
            if ((t == STT_FUNC || t == STT_OBJECT || t == STT_NOTYPE) && nameOff[k] != 0 && shndx[k] != 0
                    && shndx[k] < 0xff00) {
                tmp[n++] = k;
            }
        }
        Integer[] boxed = new Integer[n];
        for (int k = 0; k < n; k++) {
            boxed[k] = tmp[k];
        }
        Arrays.sort(boxed, (x, y) -> {
            int c = Long.compareUnsigned(value[x], value[y]);
            return c != 0 ? c : Integer.compare(x, y);
        });
        int[] out = new int[n];
        for (int k = 0; k < n; k++) {
            out[k] = boxed[k];
        }
        return out;
    }
}
