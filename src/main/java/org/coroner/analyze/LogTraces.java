package org.coroner.analyze;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Call Traces in a log: the reliable frames after a report line, as {@code func+0x3e/0x60 [mod]}. */
final class LogTraces {
    private static final Pattern FRAME = Pattern.compile("^\\s*([A-Za-z_][\\w.]*\\+0x[0-9a-f]+/0x[0-9a-f]+(?: \\[\\w+\\])?)\\s*$");
    private static final Set<String> SCHEDULER = Set.of("__switch_to", "__schedule", "schedule", "schedule_timeout", "schedule_preempt_disabled",
            "io_schedule", "__mutex_lock", "__mutex_lock.constprop.0", "__mutex_lock_slowpath", "mutex_lock",
            "rwsem_down_write_slowpath", "rwsem_down_read_slowpath", "down_read", "down_write", "msleep",
            "wait_for_completion", "__wait_for_common", "__down", "__down_common", "___down_common", "down");

    private LogTraces() {
    }

    /** The frames of the Call Trace after line {@code from} (until the trace ends). */
    static List<String> trace(List<String> lines, int from) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (int i = from + 1; i < lines.size() && i < from + 80; i++) {
            String t = Verdicts.strip(lines.get(i));
            if (isTraceHeader(t)) {
                in = true;
                continue;
            }
            if (!in) {
                continue;
            }
            if (t.equals("<TASK>") || t.startsWith("? ") || t.equals("<IRQ>") || t.equals("</IRQ>") || t.equals("<NMI>")
                    || t.equals("</NMI>") || t.equals("<SOFTIRQ>") || t.equals("</SOFTIRQ>")) {
                continue;
            }
            if (t.equals("</TASK>")) {
                break;
            }
            Matcher m = FRAME.matcher(t);
            if (m.matches()) {
                out.add(m.group(1));
            } else if (!t.startsWith("<") && !t.startsWith("RIP:") && !t.startsWith("R") && !t.startsWith("Code:")) {
                break;
            }
        }
        return out;
    }

    /** x86_64's {@code Call Trace:}, arm64's {@code Call trace:}. */
    static boolean isTraceHeader(String line) {
        return line.startsWith("Call Trace:") || line.startsWith("Call trace:");
    }

    static boolean isScheduler(String frame) {
        return SCHEDULER.contains(function(frame));
    }

    static String function(String frame) {
        int plus = frame.indexOf('+');
        return plus < 0 ? frame : frame.substring(0, plus);
    }

    static long offset(String frame) {
        Matcher m = Pattern.compile("\\+0x([0-9a-f]+)/").matcher(frame);
        return m.find() ? Long.parseLong(m.group(1), 16) : -1;
    }

    static String module(String frame) {
        Matcher m = Pattern.compile("\\[(\\w+)\\]").matcher(frame);
        return m.find() ? m.group(1) : null;
    }
}
