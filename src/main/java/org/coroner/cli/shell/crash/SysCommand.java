package org.coroner.cli.shell.crash;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.kernel.SystemInfo;
import org.coroner.session.Session;

/** crash's {@code sys}: the system summary, in crash's layout; TASKS counts every task. */
public final class SysCommand implements ShellCommand {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss zzz yyyy", Locale.US);
    private final Session s;

    public SysCommand(Session s) {
        this.s = s;
    }

    @Override
    public String name() {
        return "sys";
    }

    @Override
    public String summary() {
        return "system summary: kernel, dump, CPUs, date, uptime, load, tasks, memory, panic message";
    }

    @Override
    public String help() {
        return """
                sys
                  The system summary crash prints at start, in its layout. TASKS counts every task of
                  the kernel (all threads and the per-CPU idle tasks), not only those in the PID hash.
                  DATE is when the dump was written (the dump header), in the local time zone.""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        if (!args.isEmpty()) {
            throw new CommandException("options are not supported yet: " + String.join(" ", args));
        }
        SystemInfo si = new SystemInfo(s.kernel());
        row(out, "KERNEL", s.vmlinuxPath() + (si.taintedMask() != 0 ? "  [TAINTED]" : ""));
        row(out, "DUMPFILE", s.vmcorePath() + (s.dump().partial() ? "  [PARTIAL DUMP]" : ""));
        List<Integer> present = s.kernel().cpuMask("__cpu_present_mask");
        List<Integer> online = s.kernel().cpuMask("__cpu_online_mask");
        int offline = (int) present.stream().filter(c -> !online.contains(c)).count();
        row(out, "CPUS", present.size() + (offline > 0 ? " [OFFLINE: " + offline + "]" : ""));
        // the dump header's time; else the kernel's wall clock (shadow_timekeeper mirrors tk_core's timekeeper)
        long when = s.dump().timestamp().orElseGet(() -> s.kernel().global("struct timekeeper", "shadow_timekeeper")
                .member("xtime_sec").u64());
        row(out, "DATE", DATE.format(Instant.ofEpochSecond(when).atZone(ZoneId.systemDefault())));
        row(out, "UPTIME", uptime(si.uptimeSeconds()));
        row(out, "LOAD AVERAGE", si.loadAverage());
        row(out, "TASKS", Integer.toString(s.tasks().all().size()));
        row(out, "NODENAME", si.uts("nodename"));
        row(out, "RELEASE", si.uts("release"));
        row(out, "VERSION", si.uts("version"));
        row(out, "MACHINE", si.uts("machine") + "  (" + (si.cpuMhz().isPresent() ? si.cpuMhz().getAsLong() : "unknown") + " Mhz)");
        row(out, "MEMORY", SystemInfo.size(si.memoryBytes()));
        si.panicMessage().ifPresent(p -> row(out, "PANIC", p));
    }

    /** crash's elapsed time: {@code HH:MM:SS}, with {@code N days, } in front when it is that long. */
    public static String uptime(long secs) {
        long d = secs / 86400;
        long h = secs % 86400 / 3600;
        long m = secs % 3600 / 60;
        long sec = secs % 60;
        String hms = String.format("%02d:%02d:%02d", h, m, sec);
        return d > 0 ? d + " days, " + hms : hms;
    }

    private static void row(PrintWriter out, String key, String value) {
        out.printf("%12s: %s%n", key, value);
    }
}
