package org.coroner.dump;

/**
 * A page the dump claims to hold but whose data cannot be read: the file is truncated before it,
 * or its compressed data is corrupt. The message names the page, the file offset and the file.
 * Other pages stay readable.
 */
public final class UnreadablePageException extends FaultException {
    public UnreadablePageException(long paddr, String message) {
        super(paddr, message);
    }

    public long physicalAddress() {
        return address();
    }
}
