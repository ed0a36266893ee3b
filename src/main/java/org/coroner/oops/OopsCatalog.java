package org.coroner.oops;

import static org.coroner.oops.Patterns.CALL_TRACE;
import static org.coroner.oops.Patterns.RIP;
import static org.coroner.oops.Patterns.RIP_OR_INTERRUPT;
import static org.coroner.oops.Patterns.re;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.coroner.oops.StackRules.Extractor;

/**
 * Every kind of Linux crash report this package recognizes: the literal header that starts one
 * (found by the byte prefilter), the regexes that tell its variants apart, and how each variant's
 * title is built in syzbot's convention. Facts about kernel messages come from the kernel's
 * printk formats; title formats follow syzbot so titles compare with its dashboard.
 *
 * <p>A title format is a string with {@code %[N]v}: argument N is capture group N of the
 * {@code report} regex (or of {@code title} when there is none), followed by the guilty frame of
 * each stack trace the format names.
 */
final class OopsCatalog {
    private OopsCatalog() {
    }

    /** Marks "parse a stack trace from here" in a list of stack parts. */
    static final Pattern PARSE_STACK = Pattern.compile("<parse stack>");

    record Stack(List<Pattern> parts, List<Pattern> parts2, Pattern skip, Extractor extractor, int id) {
        /**
         * Whether a frame is generic for this format. The skip regex is a long alternation, and
         * function names repeat across reports: the answer is remembered with the name.
         */
        boolean skips(FrameNames.Name frame) {
            byte known = frame.skip(id);
            if (known == 0) {
                boolean skipped = skip.matcher(frame.name).find();
                frame.setSkip(id, skipped);
                return skipped;
            }
            return known == 2;
        }
    }

    record Format(Pattern title, Pattern report, String fmt, List<String> alt, Stack stack, boolean noStackTrace,
                  boolean corrupted) {
    }

    record Oops(String header, List<Format> formats, List<Pattern> suppressions) {
    }

    /** Lines that may appear inside a report without starting a new one. */
    static final List<Pattern> REPORT_START_IGNORES = List.of(re("invalid opcode: 0000"),
            re("Kernel panic - not syncing"), re("unregister_netdevice: waiting for"), re("PANIC: double fault"),
            re("Internal error:"), re("kernel BUG at lib/list_debug.c"),
            // CONFIG_DEBUG_LIST's message comes inside another report (a KASAN splat, a BUG) as often as alone
            re("list_add corruption"), re("list_del corruption"));

    /** Messages that carry a stack but are no bug; inside a report they end it. */
    static final List<String> INFO_WITH_STACK = List.of("vmalloc: allocation failure:",
            "FAULT_INJECTION: forcing a failure", "FAULT_FLAG_ALLOW_RETRY missing");

    /** Whole-output suppressions (out-of-memory kills of the fuzzer, etc.) are not our business: omitted. */

    private static final class F {
        Pattern title;
        Pattern report;
        String fmt;
        List<String> alt = List.of();
        List<Pattern> parts;
        List<Pattern> parts2 = List.of();
        List<String> skip = List.of();
        Extractor extractor = StackRules.FIRST;
        boolean noStack;
        boolean corrupted;

        F report(String re) {
            report = re(re);
            return this;
        }

        F fmt(String f) {
            fmt = f;
            return this;
        }

        F alt(String... a) {
            alt = List.of(a);
            return this;
        }

        F stack(Pattern... p) {
            parts = List.of(p);
            return this;
        }

        F stack2(Pattern... p) {
            parts2 = List.of(p);
            return this;
        }

        F skip(String... s) {
            skip = List.of(s);
            return this;
        }

        F extractor(Extractor e) {
            extractor = e;
            return this;
        }

        F noStack() {
            noStack = true;
            return this;
        }

        F corrupted() {
            corrupted = true;
            return this;
        }

        Format build() {
            Stack st = null;
            if (parts != null) {
                List<String> all = new ArrayList<>(StackRules.SKIP);
                all.addAll(skip);
                st = new Stack(parts, parts2, Pattern.compile(String.join("|", all)), extractor, FrameNames.newFormat());
            }
            return new Format(title, report, fmt, alt, st, noStack, corrupted);
        }
    }

    private static F f(String title) {
        F f = new F();
        f.title = re(title);
        return f;
    }

    /** The usual stack of a fault: the faulting IP, then the Call Trace. */
    private static F fault(String title, String fmt) {
        return f(title).fmt(fmt).stack(RIP, CALL_TRACE, PARSE_STACK);
    }

    private static F traced(String title, String fmt) {
        return f(title).fmt(fmt).stack(CALL_TRACE, PARSE_STACK);
    }

    /** WARN() stacks start at the trapping IP on newer kernels, at the Call Trace on older ones. */
    private static F warning(String title, String fmt, String... skip) {
        return f(title).fmt(fmt).stack(RIP_OR_INTERRUPT, PARSE_STACK)
                .stack2(CALL_TRACE, PARSE_STACK).skip(skip);
    }

    private static Oops oops(String header, List<F> formats, String... suppressions) {
        return new Oops(header, formats.stream().map(F::build).toList(),
                List.of(suppressions).stream().map(Patterns::re).toList());
    }

    static final List<Oops> ALL = build();

    private static List<Oops> build() {
        List<Oops> all = new ArrayList<>();
        all.add(oops("BUG:", List.of(
                f("BUG: KASAN:").report("BUG: KASAN: ([a-z\\-]+) in {{FUNC}}(?:.*\\n)+?.*(Read|Write) (?:of size|at addr) (?:[0-9a-f]+)")
                        .fmt("KASAN: %[1]v %[3]v in %[4]v").alt("bad-access in %[4]v")
                        .stack(re("BUG: KASAN: (?:[a-z\\-]+) in {{FUNC}}"), CALL_TRACE, PARSE_STACK)
                        .skip("kernel_fault", "tag_check", "mem_abort", "^el1_", "^el1h_"),
                f("BUG: KASAN:").report("BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}")
                        .fmt("KASAN: invalid-free in %[2]v").alt("invalid-free in %[2]v")
                        .stack(re("BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}"),
                                CALL_TRACE, PARSE_STACK)
                        .skip("slab_", "kfree", "vunmap", "vfree"),
                f("BUG: KASAN: ([a-z\\-]+) on address(?:.*\\n)+?.*(Read|Write) of size ([0-9]+)").fmt("KASAN: %[1]v %[2]v"),
                f("BUG: KASAN: (.*)").fmt("KASAN: %[1]v").corrupted(),
                f("BUG: KMSAN: kernel-usb-infoleak").report("BUG: KMSAN: kernel-usb-infoleak in {{FUNC}}")
                        .fmt("KMSAN: kernel-usb-infoleak in %[2]v").alt("KMSAN origin in %[3]v")
                        .stack(PARSE_STACK, re("(Local variable .* created at:|Uninit was created at:)"), PARSE_STACK)
                        .skip("alloc_skb", "usb_submit_urb", "usb_start_wait_urb", "usb_bulk_msg", "usb_interrupt_msg",
                                "usb_control_msg")
                        .noStack(),
                f("BUG: KMSAN:").report("BUG: KMSAN: ([a-z\\-]+) in {{FUNC}}").fmt("KMSAN: %[1]v in %[3]v")
                        .alt("bad-access in %[3]v")
                        .stack(PARSE_STACK, re("(Local variable .* created at:|Uninit was created at:)"), PARSE_STACK)
                        .skip("alloc_skb", "netlink_ack", "netlink_rcv_skb", "_encrypt$", "^(?:crypto|cipher|drbg|rng)_")
                        .noStack(),
                f("BUG: KCSAN: data-race").report("BUG: KCSAN: (.*)").fmt("KCSAN: %[1]v").noStack(),
                f("BUG: KCSAN:").report("BUG: KCSAN: (.*)").fmt("KCSAN: %[1]v").noStack(),
                f("BUG: KFENCE: (use-after-free|out-of-bounds) (read|write) in {{FUNC}}")
                        .fmt("KFENCE: %[1]v %[2]v in %[4]v").alt("bad-access in %[4]v")
                        .stack(re("BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}"), PARSE_STACK),
                f("BUG: KFENCE: invalid free in {{FUNC}}").fmt("KFENCE: invalid free in %[2]v")
                        .alt("invalid-free in %[2]v").noStack()
                        .stack(re("BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}"), PARSE_STACK),
                f("BUG: KFENCE: invalid (read|write) in {{FUNC}}").fmt("KFENCE: invalid %[1]v in %[3]v")
                        .alt("bad-access in %[3]v").stack(re("BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}"), PARSE_STACK),
                f("BUG: KFENCE: memory corruption in {{FUNC}}").fmt("KFENCE: memory corruption in %[2]v").noStack()
                        .stack(re("BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}"), PARSE_STACK),
                fault("BUG: (?:unable to handle kernel paging request|unable to handle page fault for address|Unable to handle kernel data access)",
                        "BUG: unable to handle kernel paging request in %[1]v").alt("bad-access in %[1]v"),
                fault("BUG: (?:unable to handle kernel NULL pointer dereference|kernel NULL pointer dereference|Kernel NULL pointer dereference)",
                        "BUG: unable to handle kernel NULL pointer dereference in %[1]v").alt("bad-access in %[1]v"),
                // The kernel prints this header in two printk calls; the second half may be lost.
                f("BUG: (?:unable to handle kernel|Unable to handle kernel)").fmt("BUG: unable to handle kernel").corrupted(),
                traced("BUG: (spinlock|rwlock) (lockup suspected|already unlocked|recursion|cpu recursion|bad magic|wrong owner|wrong CPU|trylock failure on UP)",
                        "BUG: %[1]v %[2]v in %[3]v").skip("spin_", "_lock", "_unlock"),
                fault("BUG: soft lockup", "BUG: soft lockup in %[1]v").alt("stall in %[1]v").extractor(StackRules.STALL),
                f("BUG: .*still has locks held!").report("BUG: .*still has locks held!(?:.*\\n)+?.*{{PC}} +{{FUNC}}")
                        .fmt("BUG: still has locks held in %[1]v"),
                traced("BUG: scheduling while atomic", "BUG: scheduling while atomic in %[1]v").skip("schedule"),
                f("BUG: lock held when returning to user space")
                        .report("BUG: lock held when returning to user space(?:.*\\n)+?.*leaving the kernel with locks still held(?:.*\\n)+?.*at: (?:{{PC}} +)?{{FUNC}}")
                        .fmt("BUG: lock held when returning to user space in %[1]v").noStack(),
                f("BUG: bad unlock balance detected!").fmt("BUG: bad unlock balance in %[1]v")
                        .stack(re("{{PC}} +{{FUNC}}"), CALL_TRACE, PARSE_STACK),
                f("BUG: held lock freed!").report("BUG: held lock freed!(?:.*\\n)+?.*{{PC}} +{{FUNC}}")
                        .fmt("BUG: held lock freed in %[1]v"),
                f("BUG: Bad rss-counter state").fmt("BUG: Bad rss-counter state").noStack(),
                f("BUG: non-zero nr_ptes on freeing mm").fmt("BUG: non-zero nr_ptes on freeing mm").noStack(),
                f("BUG: non-zero nr_pmds on freeing mm").fmt("BUG: non-zero nr_pmds on freeing mm").noStack(),
                // Block device and filesystem names would split one bug into many titles.
                f("BUG: Dentry .* still in use").report("BUG: Dentry .* still in use \\([0-9]+\\) \\[(unmount) of ([^\\]]+)\\]")
                        .fmt("BUG: Dentry still in use in %[1]v").alt("BUG: Dentry still in use [%[1]v of %[2]v]"),
                f("BUG: Bad page (state|cache)").fmt("BUG: Bad page %[1]v in %[2]v")
                        .stack(re("page last allocated"), PARSE_STACK)
                        .skip("(free|put|get|update|release)_page", "free_unref", "^_*folio", "truncate_inode_pages",
                                "page_frag_free", "alloc", "vmap", "page_owner"),
                f("BUG: Bad page map").fmt("BUG: Bad page map"),
                f("BUG: workqueue lockup").fmt("BUG: workqueue lockup").noStack(),
                traced("BUG: sleeping function called from invalid context at (.*)",
                        "BUG: sleeping function called from invalid context in %[2]v"),
                traced("BUG: using ([a-z_]+)\\(\\) in preemptible", "BUG: using %[1]v() in preemptible code in %[2]v")
                        .skip("dump_stack", "preemption", "preempt", "debug_", "processor_id", "this_cpu"),
                f("BUG: workqueue leaked lock or atomic")
                        .report("BUG: workqueue leaked lock or atomic(?:.*\\n)+?.*last function: ([a-zA-Z0-9_]+)\\n")
                        .fmt("BUG: workqueue leaked lock or atomic in %[1]v").noStack(),
                f("BUG: memory leak").fmt("memory leak in %[1]v")
                        .stack(re("backtrace(?: \\(crc [0-9a-fA-F]*\\))?:"), PARSE_STACK)
                        .skip("kmemleak", "mmap", "kmem", "slab", "alloc", "create_object", "idr_get", "list_lru_init",
                                "kasprintf", "kvasprintf", "pcpu_create", "strdup", "strndup", "memdup"),
                fault("BUG: .*stack guard page was hit at", "BUG: stack guard page was hit in %[1]v")
                        .alt("stack-overflow in %[1]v").extractor(StackRules.STALL),
                // arm64 reports what x86 calls a lockdep "locking bug" this way; one title for both.
                traced("BUG: Invalid wait context", "WARNING: locking bug in %[1]v").skip("lock_sock", "release_sock"),
                f("BUG:\\s*(?:\\n|$)").fmt("BUG: corrupted").corrupted()),
                "ODEBUG:", "Boot_DEBUG:", "xlog_status:", "DEBUG:", "BUG: no syscalls can create resource"));

        all.add(oops("WARNING:", List.of(
                warning("WARNING: .*lib/debugobjects\\.c.* (?:debug_print|debug_check|at)", "WARNING: ODEBUG bug in %[1]v",
                        "debug_", "rcu", "hrtimer_", "timer_", "work_", "percpu_", "vunmap", "vfree", "__free_",
                        "debug_check", "kobject_"),
                warning("WARNING: .*mm/usercopy\\.c.* (?:usercopy_warn|at)", "WARNING: bad usercopy in %[1]v",
                        "usercopy", "__check"),
                warning("WARNING: .*lib/kobject\\.c.* (?:kobject_|at)", "WARNING: kobject bug in %[1]v", "kobject_"),
                warning("WARNING: .*fs/proc/generic\\.c.* (?:proc_register|at)", "WARNING: proc registration bug in %[1]v",
                        "proc_"),
                warning("WARNING: .*lib/refcount\\.c.* (?:refcount_|at)", "WARNING: refcount bug in %[1]v", "refcount",
                        "kobject_"),
                warning("WARNING: .*kernel/locking/lockdep\\.c.*lock_", "WARNING: locking bug in %[1]v", "lock_sock",
                        "release_sock"),
                f("WARNING: .*still has locks held!").report("WARNING: .*still has locks held!(?:.*\\n)+?.*at: {{FUNC}}")
                        .fmt("WARNING: still has locks held in %[1]v"),
                warning("WARNING: Nested lock was not taken", "WARNING: nested lock was not taken in %[1]v"),
                f("WARNING: lock held when returning to user space")
                        .report("WARNING: lock held when returning to user space(?:.*\\n)+?.*leaving the kernel with locks still held(?:.*\\n)+?.*at: (?:{{PC}} +)?{{FUNC}}")
                        .fmt("WARNING: lock held when returning to user space in %[1]v").noStack(),
                warning("WARNING: .*mm/.*\\.c.* k?.?malloc", "WARNING: kmalloc bug in %[1]v", "kmalloc", "krealloc",
                        "slab", "kmem"),
                warning("WARNING: .*mm/vmalloc.c.*__vmalloc_node", "WARNING: zero-size vmalloc in %[1]v"),
                warning("WARNING: .* usb_submit_urb", "WARNING in %[1]v/usb_submit_urb", "usb_submit_urb",
                        "usb_start_wait_urb", "usb_bulk_msg", "usb_interrupt_msg", "usb_control_msg"),
                // Since 6.19 WARN prints "WARNING: file.c:12 at 0x0, CPU#0: comm/pid".
                warning("WARNING: {{SRC}} at 0x\\d+, CPU#\\d+", "WARNING in %[2]v"),
                warning("WARNING: .* at {{SRC}} {{FUNC}}", "WARNING in %[3]v"),
                warning("WARNING: {{SRC}} at {{FUNC}}", "WARNING in %[3]v"),
                warning("WARNING: \\[.*\\] {{SRC}} at {{FUNC}}.*", "WARNING in %[3]v"),
                f("WARNING: possible circular locking dependency detected")
                        .report("WARNING: possible circular locking dependency detected(?:.*\\n)+?.*is trying to acquire lock")
                        .fmt("possible deadlock in %[1]v")
                        .stack(re("at: (?:{{PC}} +)?{{FUNC}}"), re("at: (?:{{PC}} +)?{{FUNC}}"), PARSE_STACK)
                        .skip("process_one_work", "flush_workqueue", "drain_workqueue", "destroy_workqueue"),
                f("WARNING: possible irq lock inversion dependency detected")
                        .report("WARNING: possible irq lock inversion dependency detected(?:.*\\n)+?.*just changed the state of lock(?:.*\\n)+?.*at: (?:{{PC}} +)?{{FUNC}}")
                        .fmt("possible deadlock in %[1]v"),
                f("WARNING: .*-safe -> .*-unsafe lock order detected").fmt("possible deadlock in %[1]v")
                        .stack(re("which became (?:.*) at:"), PARSE_STACK),
                f("WARNING: possible recursive locking detected")
                        .report("WARNING: possible recursive locking detected(?:.*\\n)+?.*is trying to acquire lock(?:.*\\n)+?.*at: (?:{{PC}} +)?{{FUNC}}")
                        .fmt("possible deadlock in %[1]v"),
                f("WARNING: inconsistent lock state")
                        .report("WARNING: inconsistent lock state(?:.*\\n)+?.*takes(?:.*\\n)+?.*at: (?:{{PC}} +)?{{FUNC}}")
                        .fmt("inconsistent lock state in %[2]v").stack(CALL_TRACE, PARSE_STACK),
                f("WARNING: suspicious RCU usage").report("WARNING: suspicious RCU usage(?:.*\\n)+?.*?{{SRC}}")
                        .fmt("WARNING: suspicious RCU usage in %[2]v").stack(CALL_TRACE, PARSE_STACK)
                        .skip("rcu", "kmem", "slab"),
                f("WARNING: kernel stack regs at [0-9a-f]+ in [^ ]* has bad '([^']+)' value")
                        .fmt("WARNING: kernel stack regs has bad '%[1]v' value").noStack(),
                f("WARNING: kernel stack frame pointer at [0-9a-f]+ in [^ ]* has bad value")
                        .fmt("WARNING: kernel stack frame pointer has bad value").noStack(),
                f("WARNING: bad unlock balance detected!").fmt("WARNING: bad unlock balance in %[1]v")
                        .stack(re("{{PC}} +{{FUNC}}"), CALL_TRACE, PARSE_STACK),
                f("WARNING: held lock freed!").report("WARNING: held lock freed!(?:.*\\n)+?.*at:(?: {{PC}})? +{{FUNC}}")
                        .fmt("WARNING: held lock freed in %[1]v"),
                f("WARNING: kernel stack regs .* has bad 'bp' value").fmt("WARNING: kernel stack regs has bad value").noStack(),
                f("WARNING: kernel stack frame pointer .* has bad value").fmt("WARNING: kernel stack regs has bad value").noStack(),
                f("WARNING:\\s*(?:\\n|$)").fmt("WARNING: corrupted").corrupted()),
                "WARNING: /etc/ssh/moduli does not exist, using fixed modulus",
                "WARNING: workqueue cpumask: online intersect > possible intersect", "WARNING: [Tt]he mand mount option",
                "WARNING: Unsupported flag value\\(s\\) of 0x%x in DT_FLAGS_1", "WARNING: Unprivileged eBPF is enabled with eIBRS",
                "WARNING: fbcon: Driver '(.*)' missed to adjust virtual screen size (\\((?:\\d+)x(?:\\d+) vs\\. (?:\\d+)x(?:\\d+)\\))",
                "WARNING: See https.* for mitigation options.", "WARNING: kernel not compiled with CPU_SRSO",
                "EXT4-[Ff][Ss](?: \\(.*\\))?:", "(?i)warning: .* uses (deprecated v2 capabilities|wireless extensions)",
                "XFS \\(\\w+\\): WARNING"));

        all.add(oops("INFO:", List.of(
                f("INFO: possible circular locking dependency detected")
                        .report("INFO: possible circular locking dependency detected \\](?:.*\\n)+?.*is trying to acquire lock(?:.*\\n)+?.*at: {{PC}} +{{FUNC}}")
                        .fmt("possible deadlock in %[1]v"),
                f("INFO: possible irq lock inversion dependency detected")
                        .report("INFO: possible irq lock inversion dependency detected \\](?:.*\\n)+?.*just changed the state of lock(?:.*\\n)+?.*at: {{PC}} +{{FUNC}}")
                        .fmt("possible deadlock in %[1]v"),
                f("INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected")
                        .report("INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected \\](?:.*\\n)+?.*is trying to acquire(?:.*\\n)+?.*at: {{PC}} +{{FUNC}}")
                        .fmt("possible deadlock in %[1]v"),
                f("INFO: possible recursive locking detected")
                        .report("INFO: possible recursive locking detected \\](?:.*\\n)+?.*is trying to acquire lock(?:.*\\n)+?.*at: {{PC}} +{{FUNC}}")
                        .fmt("possible deadlock in %[1]v"),
                f("INFO: inconsistent lock state")
                        .report("INFO: inconsistent lock state \\](?:.*\\n)+?.*takes(?:.*\\n)+?.*at: {{PC}} +{{FUNC}}")
                        .fmt("inconsistent lock state in %[1]v"),
                f("INFO: rcu_(?:preempt|sched|bh|tasks) (?:self-)?detected(?: expedited)? stall")
                        .fmt("INFO: rcu detected stall in %[1]v").alt("stall in %[1]v")
                        .stack(re("apic_timer_interrupt"), RIP, PARSE_STACK)
                        .stack2(re("(?:apic_timer_interrupt|Exception stack|el1h_64_irq)"), PARSE_STACK)
                        .skip("apic_timer_interrupt", "rcu").extractor(StackRules.STALL),
                traced("INFO: trying to register non-static key", "INFO: trying to register non-static key in %[1]v")
                        .skip("stack", "lock", "IRQ"),
                f("INFO: suspicious RCU usage").report("INFO: suspicious RCU usage(?:.*\\n)+?.*?{{SRC}}")
                        .fmt("INFO: suspicious RCU usage in %[2]v").stack(CALL_TRACE, PARSE_STACK)
                        .skip("rcu", "kmem", "slab"),
                traced("INFO: task {{TASK}} blocked (?:in I/O wait )?for more than [0-9]+ seconds", "INFO: task hung in %[1]v")
                        .alt("hang in %[1]v").extractor(StackRules.HANG),
                traced("INFO: task {{TASK}} can't die for more than .* seconds", "INFO: task can't die in %[1]v")
                        .alt("hang in %[1]v").skip("schedule"),
                // Old-style KASAN reports whose header was lost.
                f("INFO: (Freed|Allocated) in (.*)").fmt("INFO: %[1]v in %[2]v").corrupted(),
                f("INFO:\\s*(?:\\n|$)").fmt("INFO: corrupted").corrupted()),
                "INFO: lockdep is turned off", "INFO: Stall ended before state dump start", "INFO: NMI handler",
                "INFO: recovery required on readonly filesystem", "(handler|interrupt).*took too long",
                "INFO: sys_.* is not present in /proc/kallsyms", "INFO: no syscalls can create resource", "rmt_storage:INFO:",
                "_INFO:"));

        all.add(oops("Unable to handle kernel", List.of(
                fault("Unable to handle kernel (paging request|NULL pointer dereference|access to user memory)",
                        "BUG: unable to handle kernel %[1]v in %[2]v").alt("bad-access in %[2]v"))));
        all.add(oops("general protection fault", List.of(
                fault("general protection fault.*:", "general protection fault in %[1]v").alt("bad-access in %[1]v")),
                "general protection fault .* error:\\d+ in ")); // a user-space GPF, printed as a one-liner
        all.add(oops("stack segment: ", List.of(fault("stack segment: ", "stack segment fault in %[1]v"))));
        all.add(oops("Kernel panic", List.of(
                f("Kernel panic - not syncing: stack-protector:")
                        .report("Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: {{FUNC}}")
                        .fmt("kernel panic: stack is corrupted in %[1]v").noStack(),
                traced("Kernel panic - not syncing: stack-protector:", "kernel panic: stack is corrupted in %[1]v")
                        .report("Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: [a-f0-9]+")
                        .skip("stack_chk"),
                traced("Kernel panic - not syncing: corrupted stack end", "kernel panic: corrupted stack end in %[1]v")
                        .report("Kernel panic - not syncing: corrupted stack end detected inside scheduler")
                        .alt("stack-overflow in %[1]v").skip("schedule", "retint_kernel").extractor(StackRules.STALL),
                traced("Kernel panic - not syncing: kernel stack overflow", "kernel stack overflow in %[1]v")
                        .alt("stack-overflow in %[1]v").skip("bad_stack").extractor(StackRules.STALL),
                f("Kernel panic - not syncing: Attempted to kill init!").fmt("kernel panic: Attempted to kill init!"),
                f("Kernel panic - not syncing: Couldn't open N_TTY ldisc for [^ ]+ --- error -[0-9]+")
                        .fmt("kernel panic: Couldn't open N_TTY ldisc"),
                // These follow another report; seen first, that report's header was lost.
                f("Kernel panic - not syncing: Fatal exception").fmt("kernel panic: Fatal exception").corrupted(),
                f("Kernel panic - not syncing: panic_on_warn set").fmt("kernel panic: panic_on_warn set").corrupted(),
                f("Kernel panic - not syncing: hung_task: blocked tasks").fmt("kernel panic: hung_task: blocked tasks").corrupted(),
                f("Kernel panic - not syncing: (.*)").fmt("kernel panic: %[1]v"))));
        all.add(oops("PANIC: double fault", List.of(f("PANIC: double fault").fmt("PANIC: double fault in %[1]v").stack(RIP))));
        all.add(oops("rust_kernel: panicked", List.of(
                traced("rust_kernel: panicked", "%[1]v in %[2]v").report("rust_kernel: panicked at [^\\n]*?\\n(.+?)\\n")
                        .skip(Pattern.quote("__rustc::rust_begin_unwind")))));
        all.add(oops("kernel BUG", List.of(
                traced("kernel BUG at mm/usercopy.c", "BUG: bad usercopy in %[1]v").skip("usercopy", "__check"),
                traced("kernel BUG at lib/list_debug.c", "BUG: corrupted list in %[1]v").alt("bad-access in %[1]v"),
                fault("kernel BUG at (.*)", "kernel BUG in %[2]v").skip("^skb_"))));
        // CONFIG_DEBUG_LIST prints the corruption first, then BUG()s (or WARNs) in lib/list_debug.c.
        all.add(oops("list_del corruption", List.of(
                traced("list_del corruption", "BUG: corrupted list in %[1]v").alt("bad-access in %[1]v"))));
        all.add(oops("list_add corruption", List.of(
                traced("list_add corruption", "BUG: corrupted list in %[1]v").alt("bad-access in %[1]v"))));
        all.add(oops("Kernel BUG", List.of(f("Kernel BUG (.*)").fmt("kernel BUG %[1]v"))));
        all.add(oops("BUG kmalloc-", List.of(f("BUG kmalloc-.*: Object already free").fmt("BUG: Object already free"))));
        all.add(oops("divide error:", List.of(f("divide error: ").fmt("divide error in %[1]v").stack(RIP))));
        // Misspelt so by Linux 5.9..5.10 ("x86/entry: Convert Divide Error to IDTENTRY").
        all.add(oops("divide_error:", List.of(f("divide_error: ").fmt("divide error in %[1]v").stack(RIP))));
        all.add(oops("invalid opcode:", List.of(f("invalid opcode: ").fmt("invalid opcode in %[1]v").stack(RIP))));
        all.add(oops("int3:", List.of(fault("int3: ", "int3 in %[1]v"))));
        all.add(oops("UBSAN:", List.of(
                traced("UBSAN:", "UBSAN: undefined-behaviour in %[1]v").report("UBSAN: Undefined behaviour in")
                        .skip("ubsan", "overflow"),
                traced("UBSAN: array-index-out-of-bounds in", "UBSAN: array-index-out-of-bounds in %[1]v")
                        .alt("bad-access in %[1]v").skip("ubsan", "overflow"),
                traced("UBSAN:", "UBSAN: %[1]v in %[2]v").report("UBSAN: (.*?) in").skip("ubsan", "overflow"))));
        // NMI watchdog; with hardlockup_panic a "Kernel panic - not syncing: Hard LOCKUP" follows.
        all.add(oops("Watchdog detected hard LOCKUP", List.of(
                fault("Watchdog detected hard LOCKUP", "BUG: hard lockup in %[1]v").alt("stall in %[1]v")
                        .extractor(StackRules.STALL))));
        all.add(oops("Booting the kernel.", List.of(f("^Booting the kernel").fmt("unexpected kernel reboot").noStack()),
                "Parsing ELF|Decompressing Linux|Unknown parameter '"));
        all.add(oops("unregister_netdevice: waiting for", List.of(
                f("unregister_netdevice: waiting for (?:.*) to become free")
                        .fmt("unregister_netdevice: waiting for DEV to become free").noStack())));
        all.add(oops("VFS: Close: file count is 0", List.of(
                f("VFS: Close: file count is 0").fmt("VFS: Close: file count is zero (use-after-free)").noStack())));
        all.add(oops("VFS: Busy inodes after unmount", List.of(
                f("VFS: Busy inodes after unmount").fmt("VFS: Busy inodes after unmount (use-after-free)").noStack())));
        // arm64 prints some faults only as "Internal error: ..."; arm as "Unhandled fault".
        all.add(oops("Internal error:", List.of(fault("Internal error:", "Internal error in %[1]v").alt("bad-access in %[1]v"))));
        all.add(oops("Unhandled fault:", List.of(fault("Unhandled fault:", "Unhandled fault in %[1]v").alt("bad-access in %[1]v"))));
        all.add(oops("Alignment trap:", List.of(fault("Alignment trap:", "Alignment trap in %[1]v"))));
        all.add(oops("trusty: panic", List.of(
                f("trusty: panic.* ASSERT FAILED").report("trusty: panic \\(.*?\\):(?: DEBUG)? ASSERT FAILED at \\(.*?\\): (.+)")
                        .fmt("trusty: ASSERT FAILED: %[1]v").noStack(),
                f("trusty: panic.* ASSERT FAILED.*: *(.*)").fmt("trusty: ASSERT FAILED: %[1]v").corrupted(),
                f("trusty: panic").report("trusty: panic \\(.*?\\): (.+)").fmt("trusty: panic: %[1]v").noStack())));
        all.add(oops("fatal error:", List.of(f("fatal error:").fmt("go runtime error").noStack()),
                "ALSA", "fatal error: cannot create timer"));
        // Printed by syzkaller's executor and by Go programs.
        all.add(oops("SYZFAIL:", List.of(f("SYZFAIL:(.*)").fmt("SYZFAIL:%[1]v").noStack())));
        all.add(oops("SYZFATAL:", List.of(f("SYZFATAL:(.*)()").fmt("SYZFATAL:%[1]v").alt("SYZFATAL%[2]s").noStack())));
        all.add(oops("panic:", List.of(
                f("panic: Sentry detected .* stuck task").fmt("panic: Sentry detected stuck tasks").noStack(),
                f("panic:(.*)").fmt("panic:%[1]v").noStack()),
                "_panic:", "xlog_status:", "ddb\\.onpanic:", "evtlog_status:"));
        return List.copyOf(all);
    }
}
