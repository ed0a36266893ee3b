package org.coroner.analyze;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.oops.FoundReport;
import org.coroner.oops.ReportFinder;
import org.coroner.oops.decode.DecodedOops;
import org.coroner.oops.decode.OopsDecoder;

/**
 * The kernel's own words about the crash, from a console log or from the printk ring buffer in a
 * dump: every crash report in it (the first is what went wrong first), and the panic message.
 */
final class KernelLog {
    private final List<String> lines;
    private final List<FoundReport> reports;

    KernelLog(List<String> lines) {
        this.lines = List.copyOf(lines);
        this.reports = ReportFinder.findAll(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
    }

    static KernelLog of(byte[] text) {
        return new KernelLog(new String(text, StandardCharsets.UTF_8).lines().toList());
    }

    List<String> lines() {
        return lines;
    }

    List<FoundReport> reports() {
        return reports;
    }

    /**
     * The report that led to the panic: the one of the kind the panic message names (a soft lockup
     * for "softlockup: hung tasks", an Oops for "Fatal exception"), else the first fatal one (not a
     * WARNING unless panic_on_warn, not a stall or hung-task warning), else the first report.
     */
    Optional<FoundReport> trigger() {
        String p = panic().orElse("");
        java.util.function.Predicate<FoundReport> named = r -> switch (r.kind()) {
            case "soft-lockup" -> p.contains("softlockup");
            case "hard-lockup" -> p.contains("hard LOCKUP") || p.contains("hardlockup");
            case "hung-task" -> p.contains("hung_task");
            case "rcu-stall" -> p.contains("RCU Stall");
            case "warning" -> p.contains("panic_on_warn");
            case "panic", "lockdep", "memory-leak", "reboot", "other" -> false;
            default -> p.startsWith("Fatal exception") || p.contains("Attempted to kill");
        };
        for (FoundReport r : reports) {
            if (named.test(r)) {
                return Optional.of(r);
            }
        }
        for (FoundReport r : reports) {
            if (!List.of("panic", "warning", "rcu-stall", "hung-task", "lockdep", "memory-leak").contains(r.kind())) {
                return Optional.of(r);
            }
        }
        for (FoundReport r : reports) {
            if (!r.kind().equals("panic")) {
                return Optional.of(r);
            }
        }
        return reports.isEmpty() ? Optional.empty() : Optional.of(reports.get(0));
    }

    Optional<DecodedOops> decoded() {
        return trigger().map(r -> OopsDecoder.decode(r.lines()));
    }

    /** The message of the first {@code Kernel panic - not syncing: MSG}. */
    Optional<String> panic() {
        for (String l : lines) {
            int i = l.indexOf("Kernel panic - not syncing: ");
            if (i >= 0) {
                return Optional.of(l.substring(i + "Kernel panic - not syncing: ".length()).strip());
            }
        }
        return Optional.empty();
    }

    /** Lines that contain {@code needle}, in order. */
    List<String> grep(String needle) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            if (l.contains(needle)) {
                out.add(l);
            }
        }
        return out;
    }

    /**
     * The last {@code n} lines up to the panic line (what the kernel said last before it died; the
     * task and memory dumps panic_print adds after it are not), else the last {@code n} lines.
     */
    List<String> tail(int n) {
        int end = lines.size();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("Kernel panic - not syncing: ")) {
                end = i + 1;
                break;
            }
        }
        return lines.subList(Math.max(0, end - n), end);
    }
}
