package org.coroner.kernel.stack;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;

/**
 * A module's symbols as the kernel's kallsyms sees them: the {@code Elf64_Sym} array and string
 * table {@code struct mod_kallsyms} points to, with values already at run-time addresses.
 */
public final class ModuleSymbols {
    private static final int SYM_SIZE = 24;
    private static final int STT_SECTION = 3;
    private static final int STT_FILE = 4;

    private final long[] addresses;
    private final long[] sizes;
    private final String[] names;
    private final char[] types;

    /** A symbol and an address's offset from it. */
    public record Hit(String name, long address, long offset) {
    }

    /** One symbol: run-time address, size, name and kallsyms type letter ({@code t}, {@code D}; {@code ?} if unknown). */
    public record Entry(long address, long size, String name, char type) {
    }

    private ModuleSymbols(long[] addresses, long[] sizes, String[] names, char[] types) {
        this.addresses = addresses;
        this.sizes = sizes;
        this.names = names;
        this.types = types;
    }

    public static ModuleSymbols empty() {
        return new ModuleSymbols(new long[0], new long[0], new String[0], new char[0]);
    }

    /** Reads {@code num} symbols at {@code symtab} with names in {@code strtab}. */
    public static ModuleSymbols read(VirtualMemory mem, long symtab, int num, long strtab) {
        return read(mem, symtab, num, strtab, 0);
    }

    /** As {@link #read(VirtualMemory, long, int, long)}, with each symbol's type letter from {@code typetab} (0: none). */
    public static ModuleSymbols read(VirtualMemory mem, long symtab, int num, long strtab, long typetab) {
        if (symtab == 0 || num <= 0 || strtab == 0) {
            return empty();
        }
        ByteBuffer b = ByteBuffer.wrap(mem.read(symtab, num * SYM_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] tt = null;
        if (typetab != 0) {
            try {
                tt = mem.read(typetab, num);
            } catch (FaultException e) {
                tt = null; // types are a nicety: the symbols stand without them
            }
        }
        record S(long value, long size, String name, char type) {
        }
        List<S> out = new ArrayList<>();
        for (int i = 0; i < num; i++) {
            int o = i * SYM_SIZE;
            long nameOff = b.getInt(o) & 0xffffffffL;
            int info = b.get(o + 4) & 0xff;
            int shndx = b.getShort(o + 6) & 0xffff;
            long value = b.getLong(o + 8);
            long size = b.getLong(o + 16);
            int type = info & 0xf;
            if (shndx == 0 || type == STT_SECTION || type == STT_FILE || value == 0) {
                continue;
            }
            String name = cstring(mem, strtab + nameOff);
            if (name.isEmpty() || name.startsWith("__UNIQUE_ID") || name.startsWith("$")) {
                continue;
            }
            char letter = tt == null || tt[i] == 0 ? '?' : (char) (tt[i] & 0xff);
            if ((info >> 4) == 1) {
                letter = Character.toUpperCase(letter); // kallsyms keeps the letter in lower case; nm shows globals upper
            }
            out.add(new S(value, size, name, letter));
        }
        out.sort(Comparator.comparing(S::value, Long::compareUnsigned));
        long[] a = new long[out.size()];
        long[] s = new long[out.size()];
        String[] n = new String[out.size()];
        char[] t = new char[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i).value();
            s[i] = out.get(i).size();
            n[i] = out.get(i).name();
            t[i] = out.get(i).type();
        }
        return new ModuleSymbols(a, s, n, t);
    }

    /** Every symbol, by address. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>(addresses.length);
        for (int i = 0; i < addresses.length; i++) {
            out.add(new Entry(addresses[i], sizes[i], names[i], types[i]));
        }
        return out;
    }

    private static String cstring(VirtualMemory mem, long addr) {
        StringBuilder sb = new StringBuilder();
        try {
            for (int i = 0; i < 512; i++) {
                int c = mem.u8(addr + i);
                if (c == 0) {
                    break;
                }
                sb.append((char) c);
            }
        } catch (FaultException e) {
            // a name in a page the dump lacks: keep what was read
        }
        return new String(sb.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    public int size() {
        return addresses.length;
    }

    /** The nearest symbol at or below {@code address}, as kallsyms picks it. */
    public Optional<Hit> lookup(long address) {
        int lo = 0;
        int hi = addresses.length - 1;
        int best = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(addresses[mid], address) <= 0) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (best < 0) {
            return Optional.empty();
        }
        // Among aliases at one address prefer one with a size (the function over a label), and among
        // those the first in the symbol table, as kallsyms does (crashlab_init over init_module).
        int k = best;
        for (int j = best; j >= 0 && addresses[j] == addresses[best]; j--) {
            if (sizes[j] > 0 || sizes[k] == 0) {
                k = j;
            }
        }
        return Optional.of(new Hit(names[k], addresses[k], address - addresses[k]));
    }

    /**
     * The symbol whose extent holds {@code address} (offset below its size): a value named by its
     * object, not by the nearest function below it, when the kernel keeps no data symbols
     * ({@code CONFIG_KALLSYMS_ALL} unset, as Debian's arm64 kernel).
     */
    public Optional<Hit> within(long address) {
        return lookup(address).filter(h -> {
            int i = Arrays.asList(names).indexOf(h.name());
            return h.offset() == 0 || i >= 0 && Long.compareUnsigned(h.offset(), sizes[i]) < 0;
        });
    }

    public Optional<Long> address(String name) {
        int i = Arrays.asList(names).indexOf(name);
        return i < 0 ? Optional.empty() : Optional.of(addresses[i]);
    }
}
