package org.coroner.cli.shell.crash;

import java.io.PrintWriter;
import java.util.List;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.kernel.SystemInfo;
import org.coroner.kernel.printk.PrintkRecord;
import org.coroner.session.Session;

/** crash's {@code log}: the kernel's printk ring buffer, read from the dump. */
public final class LogCommand implements ShellCommand {
    private final Session s;

    public LogCommand(Session s) {
        this.s = s;
    }

    @Override
    public String name() {
        return "log";
    }

    @Override
    public String summary() {
        return "the kernel log (printk ring buffer) as it was at the crash";
    }

    @Override
    public String help() {
        return """
                log [-t] [-m] [-T]
                  The kernel's message buffer, oldest first, as crash prints it.
                  -t   without the [seconds.micros] timestamps
                  -m   with each message's log level, <N>
                  -T   timestamps as wall-clock dates (boot time from the dump's clock)""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        boolean noTime = false;
        boolean level = false;
        boolean human = false;
        for (String a : args) {
            switch (a) {
                case "-t" -> noTime = true;
                case "-m" -> level = true;
                case "-T" -> human = true;
                default -> throw new CommandException("invalid option: " + a);
            }
        }
        SystemInfo si = new SystemInfo(s.kernel());
        List<PrintkRecord> recs = si.log();
        long bootNanos = 0;
        if (human) {
            long now = s.dump().timestamp().orElseGet(() -> s.kernel().global("struct timekeeper", "shadow_timekeeper")
                    .member("xtime_sec").u64());
            long last = recs.isEmpty() ? 0 : recs.get(recs.size() - 1).tsNanos();
            bootNanos = now * 1_000_000_000L - last;
        }
        StringBuilder b = new StringBuilder();
        LogFormat.print(recs, noTime, level, human, bootNanos, b);
        out.print(b);
    }
}
