package org.coroner.arch.x86_64;

import java.util.HashMap;
import java.util.Map;

import org.coroner.dump.NotInDumpException;
import org.coroner.dump.PhysicalMemory;

/** Physical memory built page by page in a test: pages never written are not in the "dump". */
final class SparseMemory implements PhysicalMemory {
    private final Map<Long, byte[]> pages = new HashMap<>();

    @Override
    public int pageSize() {
        return 4096;
    }

    @Override
    public boolean contains(long paddr) {
        return pages.containsKey(paddr >>> 12);
    }

    @Override
    public void read(long paddr, byte[] dst, int off, int len) {
        while (len > 0) {
            byte[] page = pages.get(paddr >>> 12);
            if (page == null) {
                throw new NotInDumpException(paddr, NotInDumpException.Reason.NOT_IN_MEMORY_MAP);
            }
            int within = (int) (paddr & 4095);
            int n = Math.min(len, 4096 - within);
            System.arraycopy(page, within, dst, off, n);
            paddr += n;
            off += n;
            len -= n;
        }
    }

    void putLong(long paddr, long value) {
        byte[] page = pages.computeIfAbsent(paddr >>> 12, k -> new byte[4096]);
        for (int i = 0; i < 8; i++) {
            page[(int) (paddr & 4095) + i] = (byte) (value >>> (8 * i));
        }
    }

    /** An entry of the table at {@code table} for {@code vaddr} at the level of {@code shift}. */
    void entry(long table, long vaddr, int shift, long value) {
        putLong(table + 8 * ((vaddr >>> shift) & 511), value);
    }
}
