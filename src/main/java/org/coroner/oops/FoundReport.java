package org.coroner.oops;

import java.util.List;

/**
 * One crash report found in a log.
 *
 * @param startLine       original (1-based) line number of the report's first line
 * @param endLine         original line number of its last line
 * @param lines           the report's lines, cleaned by {@link LineCleaner}; only lines of the
 *                        report's printk context (other CPUs' and tasks' interleaved lines dropped);
 *                        {@code ?} frames kept as printed
 * @param title           syzbot-style title, e.g. {@code general protection fault in foo}
 * @param kind            one of {@link #KINDS}
 * @param corrupted       the report is truncated, interleaved or has no usable stack
 * @param corruptedReason why, or null
 * @param guiltyFrame     the function the title blames, or null
 */
public record FoundReport(int startLine, int endLine, List<String> lines, String title, String kind,
                          boolean corrupted, String corruptedReason, String guiltyFrame) {

    /** Every value {@link #kind()} takes. */
    public static final List<String> KINDS = List.of("null-pointer-dereference", "paging-fault",
            "general-protection-fault", "bug", "warning", "soft-lockup", "hard-lockup", "hung-task", "rcu-stall",
            "kasan", "kfence", "kmsan", "kcsan", "ubsan", "list-corruption", "divide-error", "invalid-opcode",
            "double-fault", "stack-overflow", "panic", "lockdep", "memory-leak", "oops", "int3", "reboot", "other");
}
