package org.coroner.memory;

/**
 * A read of an address that cannot be answered from the dump: not mapped by the page tables, or
 * mapped to a page the dump does not hold. The message names the address and the reason, in the
 * style crash users know ("invalid kernel virtual address: ffff... type: ...").
 */
public class FaultException extends RuntimeException {
    /** Why the read failed, as crash tells them apart: no translation, or a page the dump lacks. */
    public enum Kind { UNMAPPED, NOT_IN_DUMP, OTHER }

    private final long address;
    private final Kind kind;

    public FaultException(long address, String reason) {
        this(address, reason, Kind.OTHER);
    }

    public FaultException(long address, String reason, Kind kind) {
        super(String.format("%016x: %s", address, reason));
        this.address = address;
        this.kind = kind;
    }

    public long address() {
        return address;
    }

    public Kind kind() {
        return kind;
    }
}
