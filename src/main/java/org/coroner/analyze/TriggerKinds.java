package org.coroner.analyze;

import java.util.Locale;
import java.util.Optional;

import org.coroner.oops.FoundReport;

/**
 * The verdict class the kernel's own report implies, before any evidence refines it: a report's
 * kind and title ({@link org.coroner.oops.Titler}'s vocabulary) and the panic message mapped onto
 * the analyzer's vocabulary.
 */
final class TriggerKinds {
    private TriggerKinds() {
    }

    static Kind of(FoundReport r, String panic) {
        String title = r == null ? "" : r.title().toLowerCase(Locale.ROOT);
        Optional<Kind> byPanic = byPanic(panic);
        if (byPanic.isPresent() && (r == null || r.kind().equals("panic"))) {
            return byPanic.get();
        }
        if (r == null) {
            return Kind.UNKNOWN;
        }
        if (title.contains("double-free") || title.contains("double free") || title.contains("invalid-free")
                || title.contains("invalid free") || title.contains("object already free")) {
            return Kind.DOUBLE_FREE;
        }
        if (title.contains("spinlock recursion") || title.contains("spinlock lockup suspected")) {
            return Kind.SPINLOCK_DEADLOCK;
        }
        if (title.contains("use-after-free") || title.contains("use after free")) {
            return Kind.USE_AFTER_FREE;
        }
        return switch (r.kind()) {
            case "null-pointer-dereference" -> Kind.NULL_POINTER_DEREFERENCE;
            case "paging-fault", "general-protection-fault" -> Kind.BAD_POINTER_DEREFERENCE;
            case "bug", "invalid-opcode" -> title.contains("slub") || title.contains("set_freepointer") ? Kind.DOUBLE_FREE
                    : title.startsWith("kernel bug") || title.startsWith("bug: bad page") || title.contains("bad usercopy")
                    || r.kind().equals("invalid-opcode") ? Kind.BUG_ON
                    // "BUG: scheduling while atomic", "BUG: sleeping function called ...": self-checks that print, like WARN
                    : Kind.WARNING;
            case "warning" -> Kind.WARNING;
            case "soft-lockup" -> Kind.SOFT_LOCKUP;
            case "hard-lockup" -> Kind.HARD_LOCKUP;
            case "hung-task" -> Kind.HUNG_TASK;
            case "rcu-stall" -> Kind.RCU_STALL;
            case "list-corruption" -> Kind.LIST_CORRUPTION;
            case "stack-overflow", "double-fault" -> Kind.STACK_OVERFLOW;
            case "kasan", "kfence" -> Kind.BAD_POINTER_DEREFERENCE;
            case "panic" -> byPanic.orElse(Kind.UNKNOWN);
            default -> byPanic.orElse(Kind.UNKNOWN);
        };
    }

    /** Panics that say their cause in the message. */
    static Optional<Kind> byPanic(String panic) {
        if (panic == null) {
            return Optional.empty();
        }
        String p = panic.toLowerCase(Locale.ROOT);
        if (p.contains("sysrq triggered crash")) {
            return Optional.of(Kind.SYSRQ_TRIGGERED);
        }
        if (p.startsWith("out of memory") || p.contains("system is deadlocked on memory")) {
            return Optional.of(Kind.OUT_OF_MEMORY);
        }
        if (p.contains("hung_task: blocked tasks")) {
            return Optional.of(Kind.HUNG_TASK);
        }
        if (p.contains("softlockup: hung tasks")) {
            return Optional.of(Kind.SOFT_LOCKUP);
        }
        if (p.contains("hard lockup") || p.contains("hardlockup")) {
            return Optional.of(Kind.HARD_LOCKUP);
        }
        if (p.contains("rcu stall")) {
            return Optional.of(Kind.RCU_STALL);
        }
        if (p.contains("stack-protector") || p.contains("stack overflow") || p.contains("stack guard page")) {
            return Optional.of(Kind.STACK_OVERFLOW);
        }
        if (p.contains("panic_on_warn")) {
            return Optional.of(Kind.WARNING);
        }
        return Optional.empty();
    }
}
