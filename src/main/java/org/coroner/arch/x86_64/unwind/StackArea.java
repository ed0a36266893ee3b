package org.coroner.arch.x86_64.unwind;

/**
 * One kernel stack a task's frames may live on: its own task stack, or (while it runs on a CPU)
 * that CPU's IRQ stack, exception (IST) stacks and entry stack. {@code end} is exclusive.
 */
public record StackArea(Kind kind, long begin, long end) {
    /** The kernel's stack types; exception stacks each have their own, as in {@code enum stack_type}. */
    public enum Kind {
        TASK("TASK"), IRQ("IRQ"), SOFTIRQ("SOFTIRQ"), ENTRY("ENTRY_TRAMPOLINE"),
        DF("#DF"), NMI("NMI"), DB("#DB"), MCE("#MC"), VC("#VC"), VC2("#VC2");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The name the kernel prints between angle brackets ({@code <IRQ>}, {@code <NMI>}). */
        public String label() {
            return label;
        }
    }

    public boolean contains(long address, int length) {
        return Long.compareUnsigned(address, begin) >= 0 && Long.compareUnsigned(address + length, end) <= 0
                && Long.compareUnsigned(address + length, address) >= 0;
    }
}
