package org.coroner.arch.arm64.unwind;

/**
 * One stack an arm64 task's frame records may lie on ({@code enum stack_type} of
 * {@code arch/arm64/include/asm/stacktrace.h}); {@code end} is exclusive.
 */
public record Arm64Stack(Kind kind, long begin, long end) {
    public enum Kind {
        TASK("task stack"), IRQ("IRQ stack"), OVERFLOW("OVERFLOW stack");

        private final String crashName;

        Kind(String crashName) {
            this.crashName = crashName;
        }

        /** How crash names it between {@code --- <} and {@code > ---}. */
        public String crashName() {
            return crashName;
        }
    }

    public boolean contains(long address, int length) {
        return Long.compareUnsigned(address, begin) >= 0 && Long.compareUnsigned(address + length, end) <= 0
                && Long.compareUnsigned(address + length, address) >= 0;
    }
}
