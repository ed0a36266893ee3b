package org.coroner.kernel.printk;

/**
 * One record of the kernel log: sequence number, timestamp in nanoseconds since boot, syslog
 * facility and level, the caller id (task or CPU that printed it) and the text (may hold newlines).
 */
public record PrintkRecord(long seq, long tsNanos, int facility, int level, int flags, long callerId, String text) {
    /** {@code [ssss.uuuuuu]} as dmesg and crash print it. */
    public String timestamp() {
        return String.format("[%5d.%06d]", tsNanos / 1_000_000_000L, (tsNanos % 1_000_000_000L) / 1000);
    }

    /** The caller id as printk prints it with CONFIG_PRINTK_CALLER: {@code T123} or {@code C1}. */
    public String caller() {
        return (callerId & 0x80000000L) != 0 ? "C" + (callerId & 0x7fffffffL) : "T" + callerId;
    }
}
