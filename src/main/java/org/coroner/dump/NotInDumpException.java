package org.coroner.dump;

/**
 * A physical address the dump holds no data for: outside every memory range, or a page the dump
 * tool excluded (free, cache, user or zero pages filtered by makedumpfile's dump level). Never
 * read as zeros: the page had contents, the dump just did not keep them.
 */
public final class NotInDumpException extends FaultException {
    /** Why the page is missing. */
    public enum Reason {
        /** Not in any memory range of the dump (a hole, or beyond the end of RAM). */
        NOT_IN_MEMORY_MAP("not in the dump's memory map"),
        /** RAM that the dump tool left out (makedumpfile dump level). */
        EXCLUDED("excluded from the dump"),
        /** The dump was marked incomplete and this page was never written. */
        NOT_WRITTEN("not written (the dump is incomplete)");

        private final String text;

        Reason(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    private final Reason reason;

    public NotInDumpException(long paddr, Reason reason) {
        super(paddr, "physical address 0x" + Long.toHexString(paddr) + " not in dump: page " + reason.text());
        this.reason = reason;
    }

    public long physicalAddress() {
        return address();
    }

    public Reason reason() {
        return reason;
    }
}
