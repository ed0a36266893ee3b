package org.coroner.analyze;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.coroner.disasm.Instruction;

/**
 * Which locks arm64 code holds at a call, where spin_lock and spin_unlock are inlined (Debian's arm64
 * kernel selects ARCH_INLINE_SPIN_LOCK): the acquire is an {@code ldaxr}/{@code stxr} loop or an LSE
 * {@code casa} on the lock word, the contended case a call to {@code queued_spin_lock_slowpath}, the
 * unlock a {@code stlrb} of 0, and the code is laid out out of order (alternatives, out-of-line slow
 * paths), so a straight reading does not tell what is held. Every path from the function's entry to
 * the call is walked (branches both ways, calls returning) with the locks whose acquire it passed and
 * whose release it did not; a lock is held when every such path holds it.
 */
final class InlineLocks {
    static final Set<String> ACQUIRE = Set.of("ldaxr", "casa", "casal");
    static final Set<String> RELEASE = Set.of("stlrb", "stlrh", "stlr");
    private static final Set<String> CONDITIONAL = Set.of("cbz", "cbnz", "tbz", "tbnz");
    private static final int MAX_STATES = 20_000;

    private InlineLocks() {
    }

    /** The base register of an acquire's or release's memory operand ({@code [x4]}), or null. */
    static String base(Instruction in) {
        String op = in.operands();
        int open = op.lastIndexOf('[');
        int close = op.lastIndexOf(']');
        if (open < 0 || close < open || op.substring(open + 1, close).contains(",")) {
            return null;
        }
        return op.substring(open + 1, close).trim();
    }

    /**
     * The locks held on every path from {@code ins[0]} to {@code ins[target]} (each with the text of
     * the acquire that took it on the first such path), or empty when no path reaches it or the walk
     * is too large to finish.
     */
    static <K> Optional<Map<K, String>> heldAt(List<Instruction> ins, int target, Map<Integer, K> acquires,
                                               Map<Integer, K> releases, Map<Integer, String> took) {
        Map<Long, Integer> index = new HashMap<>();
        for (int i = 0; i < ins.size(); i++) {
            index.put(ins.get(i).address(), i);
        }
        Set<String> seen = new HashSet<>();
        ArrayDeque<Object[]> work = new ArrayDeque<>();
        work.push(new Object[] {0, Map.<K, String>of()});
        Map<K, String> common = null;
        while (!work.isEmpty()) {
            if (seen.size() > MAX_STATES) {
                return Optional.empty();
            }
            Object[] st = work.pop();
            int i = (Integer) st[0];
            @SuppressWarnings("unchecked")
            Map<K, String> held = (Map<K, String>) st[1];
            if (i < 0 || i >= ins.size() || !seen.add(i + " " + held.keySet())) {
                continue;
            }
            if (i == target) {
                if (common == null) {
                    common = new HashMap<>(held);
                } else {
                    common.keySet().retainAll(held.keySet());
                }
                continue;
            }
            Map<K, String> next = held;
            K a = acquires.get(i);
            K r = releases.get(i);
            if (a != null && !held.containsKey(a)) {
                next = new HashMap<>(held);
                next.put(a, took.get(i));
            } else if (r != null && held.containsKey(r)) {
                next = new HashMap<>(held);
                next.remove(r);
            }
            for (int n : successors(ins, index, i)) {
                work.push(new Object[] {n, next});
            }
        }
        return Optional.ofNullable(common);
    }

    /**
     * Where control goes after {@code ins[i]}: nowhere after a return or an indirect branch, the
     * target of {@code b}, both ways for a conditional branch, the next instruction otherwise (a
     * call returns). {@code index}: instruction index by address.
     */
    static List<Integer> successors(List<Instruction> ins, Map<Long, Integer> index, int i) {
        Instruction in = ins.get(i);
        String m = in.mnemonic();
        Integer to = in.hasTarget() && in.kind() == Instruction.Kind.BRANCH ? index.get(in.target()) : null;
        if (m.equals("ret") || m.equals("br") || m.equals("eret") || m.equals("brk")) {
            return List.of();
        }
        if (m.equals("b")) {
            return to == null ? List.of() : List.of(to);
        }
        if ((m.startsWith("b.") || CONDITIONAL.contains(m)) && to != null) {
            return List.of(to, i + 1);
        }
        return List.of(i + 1);
    }
}
