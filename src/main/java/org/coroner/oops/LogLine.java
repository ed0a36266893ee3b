package org.coroner.oops;

/**
 * One console-log line after {@link LineCleaner} removed what the transport added.
 *
 * @param number  1-based line number in the original input
 * @param text    the kernel's own text (no timestamp, caller id, syslog prefix, log level or {@code \r})
 * @param context who printed it, from the printk prefix: {@code ""} when the line had no printk
 *                timestamp, {@code "console"} for a timestamp without caller id, else the caller id
 *                ({@code "T123"} for a task, {@code "C1"} for a CPU). Lines of one report share it.
 */
public record LogLine(int number, String text, String context) {
    public static final String CONSOLE = "console";

    /** A printk caller id (CONFIG_PRINTK_CALLER) rather than a bare timestamp. */
    public boolean hasCaller() {
        return !context.isEmpty() && !context.equals(CONSOLE);
    }

    public boolean isCpuContext() {
        return context.startsWith("C");
    }
}
