package org.coroner.kernel;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.coroner.kernel.printk.PrintkRecord;
import org.coroner.kernel.printk.PrintkRingBuffer;
import org.coroner.memory.FaultException;

/** The facts of crash's {@code sys}, read from the kernel's own variables. */
public final class SystemInfo {
    private final Kernel k;
    private List<PrintkRecord> log;

    public SystemInfo(Kernel k) {
        this.k = k;
    }

    public long taintedMask() {
        return k.memory().u64(k.requireSymbol("tainted_mask"));
    }

    public String uts(String field) {
        return k.global("struct uts_namespace", "init_uts_ns").member("name." + field).string();
    }

    /** Timer ticks per second: from {@code tick_nsec}, which the kernel sets to NSEC_PER_SEC / HZ (rounded). */
    public int hz() {
        long tickNsec = k.memory().u64(k.requireSymbol("tick_nsec"));
        return (int) Math.round(1e9 / tickNsec);
    }

    public long jiffies() {
        return k.memory().u64(k.symbol("jiffies_64").orElseGet(() -> k.requireSymbol("jiffies")));
    }

    /** Seconds since boot: jiffies since INITIAL_JIFFIES (which starts 300 s before the 32-bit wrap). */
    public long uptimeSeconds() {
        int hz = hz();
        long initial = (1L << 32) - 300L * hz;
        return (jiffies() - initial) / hz;
    }

    /** avenrun[] (fixed point, 11 bits) as /proc/loadavg and crash print it: {@code 0.44, 0.10, 0.03}. */
    public String loadAverage() {
        long a = k.requireSymbol("avenrun");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            long v = k.memory().u64(a + 8L * i) + 2048 / 200; // rounded to 1/100 as /proc/loadavg does
            long whole = v >> 11;
            long frac = ((v & 2047) * 100) >> 11;
            b.append(i > 0 ? ", " : "").append(whole).append('.').append(String.format("%02d", frac));
        }
        return b.toString();
    }

    /** CPU clock in MHz from {@code cpu_khz}. */
    public OptionalLong cpuMhz() {
        return k.symbol("cpu_khz").map(a -> OptionalLong.of(k.memory().u32(a) / 1000)).orElse(OptionalLong.empty());
    }

    /** RAM the kernel manages: the present pages of every online node. */
    public long memoryBytes() {
        long pages = 0;
        long nodeData = k.requireSymbol("node_data");
        for (int n = 0; n < 1024; n++) {
            long pgdat = k.memory().u64(nodeData + 8L * n);
            if (pgdat == 0) {
                if (n > 0) {
                    break;
                }
                continue;
            }
            pages += k.object("struct pglist_data", pgdat).member("node_present_pages").u64();
            if (n + 1 >= k.nrCpuIds() && k.symbol("nr_node_ids").isPresent()
                    && n + 1 >= k.memory().u32(k.requireSymbol("nr_node_ids"))) {
                break;
            }
        }
        return pages * 4096;
    }

    /** crash's size spelling: {@code 511.5 MB}, {@code 16 GB}, {@code 127.7 GB}. */
    public static String size(long bytes) {
        double gb = bytes / (double) (1L << 30);
        double mb = bytes / (double) (1L << 20);
        String v;
        String unit;
        if (gb >= 1) {
            v = String.format("%.1f", gb);
            unit = "GB";
        } else {
            v = String.format("%.1f", mb);
            unit = "MB";
        }
        if (v.endsWith(".0")) {
            v = v.substring(0, v.length() - 2);
        }
        return v + " " + unit;
    }

    public synchronized List<PrintkRecord> log() {
        if (log == null) {
            log = new PrintkRingBuffer(k.memory(), k::info).records();
        }
        return log;
    }

    /**
     * The message crash shows as PANIC, from the log: an exception line (general protection fault,
     * double fault, divide error, stack segment), else a SysRq crash, else the Oops line, else
     * {@code Kernel panic - not syncing}; the Oops line with crash's "(check log for details)".
     */
    public Optional<String> panicMessage() {
        List<PrintkRecord> recs;
        try {
            recs = log();
        } catch (FaultException | IllegalStateException e) {
            return Optional.empty();
        }
        String[][] passes = {
                {"general protection fault: ", "double fault: ", "divide error: ", "stack segment: "},
                {"SysRq : Crash", "SysRq : Trigger a crash", "sysrq: SysRq : Trigger a crash", "sysrq: Trigger a crash"},
                {"Oops: ", "BUG: unable to handle kernel"},
                {"Kernel panic - not syncing:", "Kernel panic: "}};
        for (String[] pass : passes) {
            for (PrintkRecord r : recs) {
                for (String line : r.text().split("\n")) {
                    for (String needle : pass) {
                        int i = line.indexOf(needle);
                        if (i >= 0) {
                            String msg = line.substring(i).strip();
                            return Optional.of('"' + msg + '"' + (needle.equals("Oops: ") ? " (check log for details)" : ""));
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }
}
