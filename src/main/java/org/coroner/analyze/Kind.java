package org.coroner.analyze;

/** The fixed vocabulary of verdicts: what killed the kernel, as a stable id for {@code --json}. */
public enum Kind {
    NULL_POINTER_DEREFERENCE("null-pointer-dereference", "NULL pointer dereference"),
    BAD_POINTER_DEREFERENCE("bad-pointer-dereference", "bad pointer dereference"),
    USE_AFTER_LIST_DEL("use-after-list-del", "list entry used after list_del"),
    LIST_CORRUPTION("list-corruption", "list corruption"),
    USE_AFTER_FREE("use-after-free", "use after free"),
    DOUBLE_FREE("double-free", "double free"),
    BUG_ON("bug-on", "BUG_ON / BUG() assertion"),
    WARNING("warning", "WARNING (panic_on_warn)"),
    SOFT_LOCKUP("soft-lockup", "soft lockup"),
    HARD_LOCKUP("hard-lockup", "hard lockup"),
    SPINLOCK_DEADLOCK("spinlock-deadlock", "spinlock deadlock"),
    MUTEX_DEADLOCK("mutex-deadlock", "mutex deadlock"),
    HUNG_TASK("hung-task", "hung task"),
    RCU_STALL("rcu-stall", "RCU stall"),
    STACK_OVERFLOW("stack-overflow", "kernel stack overflow"),
    SYSRQ_TRIGGERED("sysrq-triggered", "crash triggered by SysRq"),
    OUT_OF_MEMORY("out-of-memory", "out of memory"),
    UNKNOWN("unknown", "cause unknown");

    private final String id;
    private final String title;

    Kind(String id, String title) {
        this.id = id;
        this.title = title;
    }

    /** The vocabulary id ({@code null-pointer-dereference}). */
    public String id() {
        return id;
    }

    /** A few words for people ({@code NULL pointer dereference}). */
    public String title() {
        return title;
    }
}
