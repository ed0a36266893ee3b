package org.coroner.dump;

/**
 * The physical memory a dump holds, addressed by physical address. Reads that touch a page the
 * dump does not hold throw {@link NotInDumpException}; truncated or corrupt pages throw
 * {@link UnreadablePageException}. Thread-safe.
 */
public interface PhysicalMemory {
    /** Size of a page (the unit of {@link #contains} and of the dump's bookkeeping). */
    int pageSize();

    /** True when the page holding {@code paddr} has data in the dump (it may still be truncated or corrupt). */
    boolean contains(long paddr);

    /** Copies {@code len} bytes at physical address {@code paddr} into {@code dst[off..]}. */
    void read(long paddr, byte[] dst, int off, int len);

    /** {@code len} bytes at {@code paddr}. */
    default byte[] read(long paddr, int len) {
        byte[] b = new byte[len];
        read(paddr, b, 0, len);
        return b;
    }

    /** The little-endian 64-bit value at {@code paddr}. */
    default long readLong(long paddr) {
        byte[] b = new byte[8];
        read(paddr, b, 0, 8);
        return (b[0] & 0xffL) | (b[1] & 0xffL) << 8 | (b[2] & 0xffL) << 16 | (b[3] & 0xffL) << 24
                | (b[4] & 0xffL) << 32 | (b[5] & 0xffL) << 40 | (b[6] & 0xffL) << 48 | (b[7] & 0xffL) << 56;
    }

    /** The little-endian unsigned 32-bit value at {@code paddr}. */
    default long readInt(long paddr) {
        byte[] b = new byte[4];
        read(paddr, b, 0, 4);
        return (b[0] & 0xffL) | (b[1] & 0xffL) << 8 | (b[2] & 0xffL) << 16 | (b[3] & 0xffL) << 24;
    }
}
