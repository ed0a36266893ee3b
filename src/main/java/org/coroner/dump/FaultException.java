package org.coroner.dump;

/**
 * A read of memory that the dump cannot answer: the address is not in the dump, its page is
 * truncated or corrupt, or (in the arch layers) a virtual address does not translate. The message
 * is one line naming the address and why; callers turn it into a crash-style error or "unknown"
 * evidence, never into a value.
 */
public class FaultException extends RuntimeException {
    private final long address;

    public FaultException(long address, String message) {
        // No stack trace: faults are expected data (a scan over memory meets many), not bugs.
        super(message, null, false, false);
        this.address = address;
    }

    /** The address that could not be read (physical or virtual, as the subclass says). */
    public long address() {
        return address;
    }
}
