package org.coroner.memory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Kernel virtual memory of a dump, as the kernel layer sees it: reads either return the bytes or
 * throw a {@link FaultException} naming the address and why (not mapped, not in the dump).
 */
public interface VirtualMemory {
    /** Reads {@code len} bytes at kernel virtual address {@code vaddr}. */
    void read(long vaddr, byte[] dst, int off, int len);

    default byte[] read(long vaddr, int len) {
        byte[] b = new byte[len];
        read(vaddr, b, 0, len);
        return b;
    }

    default long u64(long vaddr) {
        return ByteBuffer.wrap(read(vaddr, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    default long u32(long vaddr) {
        return ByteBuffer.wrap(read(vaddr, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
    }

    default int u16(long vaddr) {
        return ByteBuffer.wrap(read(vaddr, 2)).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
    }

    default int u8(long vaddr) {
        return read(vaddr, 1)[0] & 0xff;
    }
}
