package org.coroner.kernel.stack;

/** A task's own kernel stack, {@code [begin, end)}, on any architecture. */
public record StackRange(long begin, long end) {
    public boolean contains(long address, int length) {
        return Long.compareUnsigned(address, begin) >= 0 && Long.compareUnsigned(address + length, end) <= 0
                && Long.compareUnsigned(address + length, address) >= 0;
    }
}
