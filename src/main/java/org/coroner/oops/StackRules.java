package org.coroner.oops;

import static org.coroner.oops.Patterns.re;

import java.util.List;
import java.util.regex.Pattern;

/**
 * How stack traces look in Linux console output and which frames never explain a crash
 * (generic helpers: sanitizers, printk and dump_stack, locking, allocation, string and copy
 * routines, list helpers, syscall entry prefixes). The lists record facts of Linux's code base;
 * the choice of frames follows syzbot's, so titles agree with syzbot's.
 */
final class StackRules {
    private StackRules() {
    }

    /** A line that starts a stack trace; a trace being parsed ends at the next one. */
    static final List<Pattern> STACK_START = List.of(
            re("Call (?:T|t)race"),
            re("Allocated:"),
            re("Allocated by task [0-9]+:"),
            re("Freed:"),
            re("Freed by task [0-9]+:"),
            re("[^k] backtrace(?: \\(crc [0-9a-fA-F]*\\))?:"), // kmemleak's, not lockdep's "stack backtrace:"
            re("Backtrace:"),
            re("Uninit was stored to memory at"),
            re("status: [0-9a-f]{16} badaddr: [0-9a-f]{16} cause: [0-9a-f]{16}")); // riscv show_regs
    static final Pattern RISCV_STACK_START = STACK_START.get(STACK_START.size() - 1);

    /** A frame line: x86/arm64 {@code  func+0x1/0x2}, or arm's {@code [<pc>] (func) from [<pc>] (caller+...)}. */
    static final List<Pattern> FRAME = List.of(
            re("^ *(?:{{PC}} ){0,2}{{FUNC}}"),
            re("^ *{{PC}} \\(([a-zA-Z0-9_.]+)\\) from {{PC}} \\({{FUNC}}"));

    /** Fault-injection stacks interleave with reports; seeing one makes the report corrupted. */
    static final List<Pattern> CORRUPTED_LINE = List.of(
            re("^( \\[\\<?(?:0x)?[0-9a-f]+\\>?\\])? should_fail(slab)?(\\.[a-z0-9.]+)?\\+0x"));

    /** Syscall wrappers differ per arch and version; the shortest stripped name identifies the call. */
    static final List<String> STRIP_PREFIXES = List.of("SYSC_", "SyS_", "sys_", "__x64_", "__ia32_", "__arm64_",
            "____sys_", "___sys_", "__sys_", "__se_", "__se_sys_", "__do_sys_", "compat_SYSC_", "compat_SyS_", "ksys_");

    /** Generic frames, matched anywhere in the function name (regex). */
    static final List<String> SKIP = List.of(
            // sanitizers and debugging helpers
            "__sanitizer", "__asan", "kasan", "hwasan", "__msan", "kmsan", "kcsan_setup_watchpoint",
            "check_memory_region", "check_heap_object", "check_object", "read_word_at_a_time",
            "(read|write)_once_.*nocheck", "print_address_description", "panic", "invalid_op", "report_bug",
            "fixup_bug", "print_report", "print_usage_bug", "do_error", "_trap$|do_trap", "show_stack",
            "dump_stack", "walk_stack", "dump_backtrace", "warn_slowpath", "warn_alloc", "warn_bogus", "__warn",
            // allocation
            "alloc_page", "k?v?(?:m|z|c)alloc", "krealloc", "kmem_cache", "allocate_slab",
            "__alloc_frozen_pages_noprof", "folio_(?:alloc|unlock)", "filemap_alloc_folio", "__filemap_get_folio",
            "find_or_create_page", "do_read_cache_folio", "read_cache_page", "pagecache_get_page",
            "grab_cache_page_write_begin", "slab_", "debug_object", "timer_is_static_object",
            "work_is_static_object", "__might_fault",
            // locking
            "print_unlock", "imbalance_bug", "lockdep", "bh_enable", "bh_disable", "perf_trace", "lock_acquire",
            "lock_release", "lock_class", "mark_lock", "(reacquire|mark)_held_locks", "raw_spin_rq", "spin_lock",
            "spin_trylock", "spin_unlock", "read_lock", "read_trylock", "write_lock", "write_trylock",
            "read_unlock", "write_unlock", "^down$", "down_read", "down_write", "down_read_trylock",
            "down_write_trylock", "down_trylock", "up_read", "up_write", // the mutex API and its internals (kernel/locking/mutex.c), not any function named mutex_*
            "^mutex_(?:lock|unlock|trylock|destroy|init|is_locked|get_owner|add_waiter|remove_waiter|spin_on_owner"
                    + "|can_spin_on_owner|optimistic_spin|handoff|set_owner|clear_owner)",
            "^__mutex_", "^rt_mutex_",
            "owner_on_cpu", "osq_lock", "osq_unlock",
            "atomic(64)?_(dec|inc|read|set|or|xor|and|add|sub|fetch|xchg|cmpxchg|try)",
            "(set|clear|change|test)_bit", "__wake_up", "^refcount_", "^kref_", "ref_tracker", "seqprop_assert",
            // memory and string routines, user copies
            "memcpy", "memcmp", "memset", "memchr", "memmove", "memdup", "strcmp", "strncmp", "strcpy", "strlcpy",
            "strncpy", "strscpy", "strlen", "strstr", "strnstr", "strnlen", "strchr", "strdup", "strndup",
            "copy_to_user", "copy_from_user", "copy_to_iter", "copy_from_iter", "copy_page_to_iter",
            "copy_page_from_iter", "copy_folio_to_iter", "^copyin$", "^copyout$", "put_user", "get_user",
            "might_fault", "might_sleep",
            // lists and trees
            "list_add", "list_del", "list_replace", "list_move", "list_splice", "^rb_", "^__rb_",
            "_indirect_thunk_",
            // printing
            "string", "pointer", "snprintf", "scnprintf", "kasprintf", "kvasprintf", "printk", "va_format",
            "dev_info", "dev_notice", "dev_warn", "dev_err", "dev_alert", "dev_crit", "dev_emerg",
            "program_check_exception", "program_check_common",
            // timers, work, waiting
            "del_timer", "flush_work", "__cancel_work_timer", "cancel_work_sync", "try_to_grab_pending",
            "flush_workqueue", "drain_workqueue", "destroy_workqueue", "queue_work", "finish_wait", "kthread_stop",
            // device model
            "kobject_", "add_uevent_var", "get_device_parent", "device_add", "device_del", "device_unregister",
            "device_destroy", "device_release", "devres_release_all", "hwrng_unregister", "i2c_del_adapter",
            "__unregister_client", "device_for_each_child", "rollback_registered", "unregister_netdev",
            "sysfs_remove", "device_remove_file", "tty_unregister_device", "dummy_urb_enqueue", "usb_kill_urb",
            "usb_kill_anchored_urbs", "usb_control_msg", "usb_hcd_submit_urb", "usb_submit_urb", "^complete$",
            "wait_for_completion", "^kv?free$", "kfree_skb",
            // MMIO and checksums
            "readb$", "readw$", "readl$", "readq$", "writeb$", "writew$", "writel$", "writeq$", "logic_in",
            "logic_out", "^crc\\d+", "crc_itu_t", "__might_resched", "assertfail",
            // inodes and misc
            "^iput$", "^iput_final$", "^ihold$", "hex_dump_to_buffer", "print_hex_dump", "^klist_",
            "(trace|lockdep)_(hard|soft)irq", "^(un)?lock_page", "stack_trace_consume_entry", "arch_stack_walk",
            "stack_trace_save", "insert_work", "__queue_delayed_work", "queue_delayed_work_on", "ida_free",
            // arm64 exception entry
            "do_(kernel|translation)_fault", "do_mem_abort", "el1_abort", "el1h_64_sync(?:_handler)?",
            "print_tainted", "xas_(?:start|load|find)", "find_lock_entries", "truncate_inode_pages_range",
            "__phys_addr", "__fortify_report", "cleanup_srcu_struct", "rhashtable_lookup",
            "extract_(user|iter)_to_sg", "drop_nlink", "^get_taint$", "^put_device$", "lock_timer_base",
            "__timer_delete_sync", "sk_stop_timer_sync", "__mod_timer", "fast_dput", "dput", "mark_buffer_dirty");

    /** Shortest name among the name and its syscall-prefix-stripped forms. */
    static String stripFrame(String frame) {
        String best = frame;
        for (String prefix : STRIP_PREFIXES) {
            if (frame.startsWith(prefix) && frame.length() - prefix.length() < best.length()) {
                best = frame.substring(prefix.length());
            }
        }
        return best;
    }

    /** The guilty frame chosen among the non-skipped (already prefix-stripped) frames, and its index. */
    record Pick(String name, int index) {
    }

    /** Picks the guilty frame among the non-skipped frames of a report, or null if none fits. */
    @FunctionalInterface
    interface Extractor {
        Pick pick(List<String> frames);
    }

    static final Extractor FIRST = frames -> frames.isEmpty() ? null : new Pick(frames.get(0), 0);

    /**
     * Stalls and lockups: the stack is a random point inside a loop, so take the frame just above a
     * dispatch point (syscall entry, work item, timer, file or socket operation) instead of the top.
     */
    static final Extractor STALL = frames -> {
        for (int i = 0; i < frames.size(); i++) {
            String f = frames.get(i);
            if (StallAnchors.is(f)) {
                if (f.contains("smp_call_function")) {
                    return new Pick("smp_call_function", i);
                }
                int j = Math.max(0, i - 1);
                return new Pick(frames.get(j), j);
            }
        }
        return null;
    };

    private static final class StallAnchors {
        private static final java.util.Map<String, Boolean> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

        /** Anchors are many regexes and frame names repeat: remember each name's answer (bounded). */
        static boolean is(String frame) {
            Boolean known = CACHE.get(frame);
            if (known == null) {
                known = anyFind(LIST, frame);
                if (CACHE.size() > 200_000) {
                    CACHE.clear();
                }
                CACHE.put(frame, known);
            }
            return known;
        }

        static final List<Pattern> LIST = compileAll(List.of(
            "process_one_work", "do_syscall_", "do_fast_syscall_", "sysenter_dispatch", "tracesys_phase2",
            "el0_svc_handler", "invoke_syscall", "ret_fast_syscall", "netif_receive_skb", "do_softirq",
            "call_timer_fn", "_run_timers", "run_timer_softirq", "hrtimer_run", "run_ksoftirqd",
            "smpboot_thread_fn", "^kthread$", "start_secondary", "cpu_startup_entry", "ret_from_fork",
            "vfs_write", "vfs_read", "vfs_iter_read", "vfs_iter_write", "do_iter_read", "do_iter_write",
            "call_read_iter", "call_write_iter", "new_sync_read", "new_sync_write", "vfs_ioctl", "ksys_ioctl",
            "compat_ioctl", "compat_sys_ioctl", "blkdev_driver_ioctl", "blkdev_ioctl", "do_iter_readv_writev",
            "^call_mmap", "mmap_region", "do_mmap", "do_dentry_open", "vfs_open", "^sock_sendmsg",
            "^sock_recvmsg", "^sock_release", "^__sock_release", "^setsockopt$", "kernel_setsockopt",
            "sock_common_setsockopt", "^listen$", "kernel_listen", "sk_common_release", "^sock_mmap", "^accept$",
            "kernel_accept", "^sock_do_ioctl", "^sock_ioctl", "^compat_sock_ioctl", "^nfnetlink_rcv_msg",
            "^rtnetlink_rcv_msg", "^netlink_dump", "^(sys_)?(socketpair|connect|ioctl)", "__do_fault",
            "do_page_fault", "^page_fault$", "__fput", "task_work_run", "exit_to_usermode", "smp_call_function",
            "tasklet_action", "tasklet_hi_action"));
    }

    /**
     * Hung tasks block at a victim's stack; group the common root causes (RCU grace periods, the
     * RTNL lock) and otherwise skip scheduler, lock and wait frames.
     */
    private static final List<String[]> HANG_ANCHORS = List.of(new String[] {"rtnl_lock", ""},
            new String[] {"synchronize_rcu", "synchronize_rcu"}, new String[] {"synchronize_srcu", "synchronize_rcu"},
            new String[] {"synchronize_net", "synchronize_rcu"}, new String[] {"synchronize_sched", "synchronize_rcu"});
    private static final List<String> HANG_SKIP = List.of("sched", "_lock", "_slowlock", "down", "rwsem",
            "completion", "kthread", "wait", "synchronize", "context_switch", "__switch_to", "cancel_delayed_work",
            "rcu_barrier");

    static final Extractor HANG = frames -> {
        for (int i = 0; i < frames.size(); i++) {
            for (String[] anchor : HANG_ANCHORS) {
                if (frames.get(i).contains(anchor[0])) {
                    return new Pick(anchor[1].isEmpty() ? frames.get(i) : anchor[1], i);
                }
            }
        }
        next:
        for (int i = 0; i < frames.size(); i++) {
            for (String s : HANG_SKIP) {
                if (frames.get(i).contains(s)) {
                    continue next;
                }
            }
            return new Pick(frames.get(i), i);
        }
        return null;
    };

    static List<Pattern> compileAll(List<String> res) {
        return res.stream().map(Patterns::re).toList();
    }

    /** Each {@link #STACK_START} pattern needs one of these words; most lines have none. */
    private static final List<String> STACK_START_WORDS_WITH_COLON = List.of("race", "Allocated", "Freed", "acktrace",
            "Uninit was stored", "badaddr");
    /**
     * Words of which every {@link #STACK_START} match holds one ({@link LineWords} finds those of fewer
     * than seven bytes only when they end in a colon).
     */
    static final List<String> STACK_START_WORDS = List.of("Call Trace", "Call trace", "Allocated", "Freed:",
            "Freed by task", "acktrace", "Uninit was stored", "badaddr");
    static final String SHOULD_FAIL = "should_fail";

    /** {@link #isStackStart(String)} for a line whose {@link LineWords} bits are known. */
    static boolean isStackStart(String line, long words) {
        return (words & LineWords.STACK_START) != 0 && isStackStart(line);
    }

    static boolean isStackStart(String line) {
        if (line.indexOf(':') < 0) { // only these two starts need no colon
            return (line.contains("Call ") || line.contains("Uninit was stored")) && anyFind(STACK_START, line);
        }
        for (String w : STACK_START_WORDS_WITH_COLON) {
            if (line.contains(w)) {
                return anyFind(STACK_START, line);
            }
        }
        return false;
    }

    /**
     * The function names a frame line carries (one, or two for arm's "(f) from (g)" lines), or null
     * if it is no frame line. Hand-parsed: this runs on every line of every stack.
     */
    static String[] frames(String line) {
        int n = line.length();
        int i = 0;
        while (i < n && line.charAt(i) == ' ') {
            i++;
        }
        for (int pcs = 0; pcs < 2 && i < n && line.charAt(i) == '['; pcs++) {
            int j = pcEnd(line, i);
            if (j < 0 || j >= n || line.charAt(j) != ' ') {
                break;
            }
            i = j + 1;
        }
        int id = i;
        while (i < n && isIdent(line.charAt(i))) {
            i++;
        }
        if (i > id && i < n && (line.charAt(i) == '.' || line.charAt(i) == '+')) {
            return new String[] {line.substring(id, i)};
        }
        if (line.contains(") from ")) {
            java.util.regex.Matcher m = FRAME.get(1).matcher(line);
            if (m.find()) {
                return new String[] {m.group(1), m.group(2)};
            }
        }
        return null;
    }

    /** {@code [<ffffffff81000000>]}, {@code [ffff...]} or {@code [<0x...>]} at {@code i}: the index after it, or -1. */
    private static int pcEnd(String s, int i) {
        int n = s.length();
        int j = i + 1;
        if (j < n && s.charAt(j) == '<') {
            j++;
        }
        if (j + 1 < n && s.charAt(j) == '0' && s.charAt(j + 1) == 'x') {
            j += 2;
        }
        int h = j;
        while (j < n && (s.charAt(j) >= '0' && s.charAt(j) <= '9' || s.charAt(j) >= 'a' && s.charAt(j) <= 'f')) {
            j++;
        }
        if (j == h) {
            // "0x" may have been the hex digits themselves ("[0]" is not a PC, "[0x]" neither)
            return -1;
        }
        if (j < n && s.charAt(j) == '>') {
            j++;
        }
        return j < n && s.charAt(j) == ']' ? j + 1 : -1;
    }

    private static boolean isIdent(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    /** {@code p.matcher(line)} if it finds a match, else null; skips the regex when a required word is absent. */
    static java.util.regex.Matcher find(Pattern p, String line) {
        if ((p == Patterns.RIP || p == Patterns.RIP_OR_INTERRUPT)
                && !(line.contains("IP") || line.contains("pc ") || line.contains("PC is at")
                || p == Patterns.RIP_OR_INTERRUPT && line.contains("--- interrupt: "))) {
            return null;
        }
        if (p == Patterns.CALL_TRACE && !(line.contains("race:") || line.contains("Backtrace:"))) {
            return null;
        }
        if (!Literals.of(p).mayFind(line, 0)) {
            return null;
        }
        java.util.regex.Matcher m = p.matcher(line);
        return m.find() ? m : null;
    }

    static boolean isCorruptedLine(String line) {
        return line.contains(SHOULD_FAIL) && anyFind(CORRUPTED_LINE, line);
    }

    static boolean isCorruptedLine(String line, long words) {
        return (words & LineWords.SHOULD_FAIL) != 0 && isCorruptedLine(line);
    }

    static boolean anyFind(List<Pattern> res, String s) {
        for (Pattern p : res) {
            if (Literals.find(p, s)) {
                return true;
            }
        }
        return false;
    }
}
