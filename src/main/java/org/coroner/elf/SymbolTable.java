package org.coroner.elf;

import java.util.Arrays;
import java.util.Optional;

import org.coroner.io.Bytes;
import org.coroner.io.NameIndex;

/**
 * An ELF symbol table held in parallel primitive arrays (vmlinux has ~150,000 symbols), with a
 * by-name index (over the string table's bytes: no String per symbol) and a by-address index,
 * each built on first use.
 */
public final class SymbolTable {
    public static final int STT_NOTYPE = 0;
    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;
    public static final int STT_SECTION = 3;
    public static final int STT_FILE = 4;

    /** The string table, copied to the heap once (names are read and hashed from it). */
    private final byte[] strtab;
    private final int[] nameOff;
    private final long[] value;
    private final long[] size;
    private final byte[] info;
    private final int[] shndx;
    private volatile NameIndex byName;
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

    private SymbolTable(byte[] strtab, int[] nameOff, long[] value, long[] size, byte[] info, int[] shndx) {
        this.strtab = strtab;
        this.nameOff = nameOff;
        this.value = value;
        this.size = size;
        this.info = info;
        this.shndx = shndx;
    }

    static SymbolTable empty() {
        return new SymbolTable(new byte[0], new int[0], new long[0], new long[0], new byte[0], new int[0]);
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
        return new SymbolTable(str.bytes(0, (int) str.size()), nameOff, value, size, info, shndx);
    }

    public int count() {
        return value.length;
    }

    public String name(int i) {
        int off = nameOff[i];
        return off < 0 || off >= strtab.length ? "" : NameIndex.cstring(strtab, off);
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
        NameIndex m = byName;
        if (m == null) {
            synchronized (this) {
                m = byName;
                if (m == null) {
                    boolean[] named = new boolean[value.length];
                    for (int k = 1; k < value.length; k++) {
                        int t = type(k);
                        named[k] = t != STT_SECTION && t != STT_FILE && nameOff[k] != 0;
                    }
                    m = byName = new NameIndex(strtab, nameOff, named);
                }
            }
        }
        int chosen = -1;
        for (int k : m.all(name)) {
            if (chosen < 0 || bind(chosen) == 0 && bind(k) != 0) {
                chosen = k;
            }
        }
        return chosen < 0 ? Optional.empty() : Optional.of(get(chosen));
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
        // by address (unsigned), then by index: a stable sort of indices already in order
        int[] out = Arrays.copyOf(tmp, n);
        mergeSort(out, new int[n], 0, n);
        return out;
    }

    private void mergeSort(int[] a, int[] scratch, int from, int to) {
        if (to - from < 2) {
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, scratch, from, mid);
        mergeSort(a, scratch, mid, to);
        if (Long.compareUnsigned(value[a[mid - 1]], value[a[mid]]) <= 0) {
            return; // already in order (symbol tables mostly are)
        }
        System.arraycopy(a, from, scratch, from, to - from);
        int i = from;
        int j = mid;
        for (int k = from; k < to; k++) {
            if (j >= to || i < mid && Long.compareUnsigned(value[scratch[i]], value[scratch[j]]) <= 0) {
                a[k] = scratch[i++];
            } else {
                a[k] = scratch[j++];
            }
        }
    }
}
