package org.coroner.memory;

/**
 * A read of an address that cannot be answered from the dump: not mapped by the page tables, or
 * mapped to a page the dump does not hold. The message names the address and the reason, in the
 * style crash users know ("invalid kernel virtual address: ffff... type: ...").
 */
public class FaultException extends RuntimeException {
    private final long address;

    public FaultException(long address, String reason) {
        super(String.format("%016x: %s", address, reason));
        this.address = address;
    }

    public long address() {
        return address;
    }
}
