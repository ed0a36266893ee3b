package org.coroner.oops;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.coroner.io.BadInputException;
import org.coroner.io.MappedFile;
import org.coroner.oops.OopsCatalog.Oops;

/**
 * Finds every crash report in a console log (x86_64, i386, arm64 and the other formats
 * {@link OopsCatalog} knows) and titles it with {@link Titler}.
 *
 * <p>A report starts at a line carrying a header and not suppressed (e.g. "INFO: NMI handler took
 * too long" is no crash). It takes the following lines of the same printk context (caller id
 * {@code [T123]}/{@code [C1]}, or plain timestamps, or none), so lines another CPU or task printed
 * in between stay out; with "Sending NMI from CPU" the per-CPU backtraces join it. It ends before
 * the next header that starts a report of its own ("Kernel panic - not syncing", "invalid opcode"
 * and a few others belong to the report before them).
 *
 * <p>Cost: a byte-level prefilter ({@link HeaderPrefilter}) skips everything but the lines near a
 * header; a report's window is bounded ({@value #MAX_LINES} lines, {@value #MAX_BYTES} bytes).
 */
public final class ReportFinder {
    static final int MAX_LINES = 2000;
    static final int MAX_BYTES = 1 << 20;
    /** Lines read past the next report, for the stack sanity checks that look ahead. */
    static final int TAIL_LINES = 40;
    static final int TAIL_LINES_CALLER = 100;
    /** A report whose task printed nothing for this many lines has ended (caller-id logs only). */
    static final int MAX_SILENT_LINES = 100;
    /** A panic after this many lines of report is the report's consequence, not part of its text. */
    private static final int MIN_LINES_BEFORE_PANIC = 22;
    private static final int MIN_LINES_BEFORE_PANIC_KMSAN = 16;

    private static final String DISABLING_LOCK_DEBUGGING = "Disabling lock debugging due to kernel taint";
    private static final String SENDING_NMI = "Sending NMI from CPU";
    private static final String END_MARKER = "---[ end ";
    private static final String EOI = "<EOI>";
    private static final HeaderPrefilter PREFILTER;
    private static final LineWords LINE_WORDS;

    static {
        List<String> words = new ArrayList<>();
        OopsCatalog.ALL.forEach(o -> words.add(o.header()));
        words.addAll(OopsCatalog.INFO_WITH_STACK);
        // not headers, but lines the window must notice; flagging them lets other lines skip the checks
        words.add(DISABLING_LOCK_DEBUGGING);
        words.add(SENDING_NMI);
        PREFILTER = new HeaderPrefilter(words);
        LINE_WORDS = new LineWords.Builder().add(LineWords.HEADER, words)
                .add(LineWords.STACK_START, StackRules.STACK_START_WORDS)
                .add(LineWords.SHOULD_FAIL, List.of(StackRules.SHOULD_FAIL))
                .add(LineWords.END_MARKER, List.of(END_MARKER)).build();
    }


    private static final String REPLAY = "** replaying previous printk message **";

    private ReportFinder() {
    }

    public static List<FoundReport> findAll(byte[] log) {
        return findAll(MemorySegment.ofArray(log));
    }

    public static List<FoundReport> findAll(MemorySegment log) {
        List<FoundReport> out = new ArrayList<>();
        scan(log, out::add);
        return out;
    }

    /** Reads the file (memory-mapped); {@link BadInputException} if it cannot be read. */
    public static List<FoundReport> findAll(Path file) {
        if (!Files.isReadable(file) || Files.isDirectory(file)) {
            throw new BadInputException(file, "cannot read the file");
        }
        try {
            if (Files.size(file) == 0) {
                return List.of();
            }
        } catch (IOException e) {
            throw new BadInputException(file, "cannot read the file: " + e.getMessage());
        }
        try (MappedFile mf = MappedFile.open(file)) {
            return findAll(mf.segment());
        }
    }

    public static Optional<FoundReport> findFirst(byte[] log) {
        MemorySegment seg = MemorySegment.ofArray(log);
        HeaderPrefilter.Cursor c = new HeaderPrefilter.Cursor(0, 1);
        WindowLines window = new WindowLines(seg, LINE_WORDS);
        while (PREFILTER.nextCandidateLine(seg, c)) {
            Step s = tryReport(seg, c, window);
            if (s.report != null) {
                return Optional.of(s.report);
            }
        }
        return Optional.empty();
    }

    /** Streams every report to {@code sink}, in order; memory stays bounded by one report's window. */
    public static void scan(MemorySegment log, Consumer<FoundReport> sink) {
        HeaderPrefilter.Cursor c = new HeaderPrefilter.Cursor(0, 1);
        WindowLines window = new WindowLines(log, LINE_WORDS);
        while (PREFILTER.nextCandidateLine(log, c)) {
            Step s = tryReport(log, c, window);
            if (s.report != null) {
                sink.accept(s.report);
            }
        }
    }

    private record Step(FoundReport report) {
    }

    /** Examines the candidate line at {@code c}; leaves {@code c} where the search goes on. */
    private static Step tryReport(MemorySegment seg, HeaderPrefilter.Cursor c, WindowLines window) {
        // the line is often one the last report's window read past: the window has it parsed
        window.start(c.offset);
        WindowLines.Parsed p = window.next(c.line);
        long end = p.end;
        LogLine first = new LogLine(c.line, p.text, p.context);
        Oops oops = matchOops(first.text());
        if (oops == null || truncatedByReplay(seg, end)) {
            c.offset = Math.min(end + 1, seg.byteSize());
            c.line++;
            window.finish(c.offset);
            return new Step(null);
        }
        return new Step(buildReport(seg, c, first, p.words, oops, end, window));
    }

    /** One line the report window kept (its number and text), whether it is report text, its {@link LineWords} bits. */
    private record Kept(int number, String text, boolean inText, long words) {
    }

    private static FoundReport buildReport(MemorySegment seg, HeaderPrefilter.Cursor c, LogLine first,
                                           long firstWords, Oops oops, long firstEnd, WindowLines in) {
        String context = first.context();
        boolean callerContext = first.hasCaller();
        int minLinesBeforePanic = first.text().contains("BUG: KMSAN:") ? MIN_LINES_BEFORE_PANIC_KMSAN
                : MIN_LINES_BEFORE_PANIC;
        List<Kept> kept = new ArrayList<>();
        kept.add(new Kept(first.number(), first.text(), true, firstWords));
        int reportEndKept = 1; // kept lines that form the title text
        int textLines = 1;
        boolean skipText = false;
        boolean cpuTraceback = first.text().contains("Sending NMI from CPU");
        long nextOffset = -1; // the first line after this one that starts a report: the search resumes there
        int nextLine = -1;
        long secondOffset = -1; // the first one that ends this report (same task when caller ids are printed)
        int secondLine = -1;
        int linesAfterSecond = 0;
        int silent = 0; // consecutive lines of other tasks/CPUs
        long pos = Math.min(firstEnd + 1, seg.byteSize());

        int lineNo = first.number();
        long bytes = firstEnd - c.offset;
        int lines = 1;
        while (in.hasNext() && lines < MAX_LINES && bytes < MAX_BYTES) {
            WindowLines.Parsed p = in.next(lineNo + 1);
            long lineStart = p.start;
            lineNo++;
            lines++;
            bytes += p.end - p.start + 1;
            String lineContext = p.context;
            if (secondOffset < 0) {
                if (p.starts == 0) {
                    p.starts = (byte) (startsReport(seg, in.text(p), p.end) ? 2 : 1);
                }
                if (p.starts == 2) {
                    if (nextOffset < 0) {
                        nextOffset = lineStart;
                        nextLine = lineNo;
                    }
                    if (!callerContext || lineContext.equals(context)) {
                        secondOffset = lineStart;
                        secondLine = lineNo;
                    }
                }
            }
            if (secondOffset >= 0 && ++linesAfterSecond > (callerContext ? TAIL_LINES_CALLER : TAIL_LINES)
                    || callerContext && silent > MAX_SILENT_LINES) {
                // give the line back: it was not consumed
                lineNo--;
                lines--;
                pos = lineStart;
                break;
            }
            pos = p.next();

            boolean sameContext = lineContext.equals(context) || cpuTraceback && lineContext.startsWith("C");
            if (!sameContext) {
                silent++;
                continue;
            }
            silent = 0;
            String text = in.text(p);
            // an unreliable frame (" ? f+0x1/0x2", "f+0x1/0x2 (unreliable)"): not for titles, kept for the decoder
            boolean questionable = !context.isEmpty()
                    && (text.contains(" ? ") || text.endsWith(" (unreliable)")) && !text.contains(EOI);
            if (questionable) {
                if (secondOffset < 0 || callerContext) {
                    kept.add(new Kept(lineNo, text, false, p.words));
                }
                continue;
            }
            textLines++;
            boolean skipLine = skipText;
            if ((p.words & LineWords.HEADER) == 0) {
                // none of the lines below: the prefilter saw none of their words
            } else if (text.contains(DISABLING_LOCK_DEBUGGING)) {
                skipLine = true;
            } else if (text.contains(SENDING_NMI)) {
                cpuTraceback = true; // all CPUs' backtraces belong to this report
            } else if ((text.contains("Kernel panic - not syncing")
                    || text.contains("WARNING: possible circular locking dependency detected"))
                    && textLines > minLinesBeforePanic) {
                // A long report followed by the panic it caused (panic_on_warn, panic_on_oops): the
                // panic's stack repeats the report's; a lockdep splat here is caused by oops printing.
                skipText = true;
                skipLine = true;
            }
            kept.add(new Kept(lineNo, text, !skipLine, p.words));
            // With caller ids the task's own lines are known: its text goes on past another report
            // (the title may need a stack printed after it); without, the next report ends it.
            if (!skipLine && (secondOffset < 0 || callerContext)) {
                reportEndKept = kept.size();
            }
        }

        List<String> texts = new ArrayList<>(kept.size());
        long[] words = new long[kept.size()];
        int titleLines = 0;
        for (int i = 0; i < kept.size(); i++) {
            Kept k = kept.get(i);
            if (k.inText) {
                words[texts.size()] = k.words;
                texts.add(k.text);
                if (i < reportEndKept) {
                    titleLines = texts.size();
                }
            }
        }
        Titler.Description d = Titler.describe(oops, new ReportText(texts, titleLines, words));

        List<Kept> shown = displayed(kept, secondLine);
        List<String> shownText = shown.stream().map(Kept::text).toList();
        FoundReport report = new FoundReport(first.number(), shown.getLast().number(), shownText, d.title(), d.kind(),
                d.corrupted(), d.corruptedReason(), d.guiltyFrame());

        if (nextOffset >= 0) {
            c.offset = nextOffset;
            c.line = nextLine;
        } else {
            c.offset = Math.min(pos, seg.byteSize());
            c.line = lineNo + 1;
        }
        in.finish(c.offset);
        return report;
    }

    /** A header that starts a report of its own, not one that continues the current report. */
    private static boolean startsReport(MemorySegment seg, String text, long lineEnd) {
        if (matchOops(text) != null) {
            return !truncatedByReplay(seg, lineEnd) && !StackRules.anyFind(OopsCatalog.REPORT_START_IGNORES, text);
        }
        return containsAny(text, OopsCatalog.INFO_WITH_STACK);
    }

    /**
     * The lines shown as the report: up to the next report, and no further than the kernel's own end
     * marker ("---[ end trace ...]---", or the panic's "---[ end Kernel panic ...]---" when a panic follows).
     */
    private static List<Kept> displayed(List<Kept> kept, int secondLine) {
        List<Kept> out = new ArrayList<>();
        int endTrace = -1;
        for (Kept k : kept) {
            if (secondLine >= 0 && k.number >= secondLine) {
                break;
            }
            String t = k.text;
            boolean marker = (k.words & LineWords.END_MARKER) != 0;
            if (endTrace >= 0 && (k.words & LineWords.HEADER) != 0 && t.contains("Kernel panic - not syncing")) {
                endTrace = -1; // the panic follows the oops: it belongs to the report
            }
            if (endTrace >= 0 && out.size() - endTrace > 20) {
                break;
            }
            out.add(k);
            if (marker && t.contains("---[ end Kernel panic")) {
                return out;
            }
            if (marker && endTrace < 0 && t.contains("---[ end trace")) {
                endTrace = out.size();
            }
        }
        if (endTrace >= 0) {
            return new ArrayList<>(out.subList(0, endTrace));
        }
        return out;
    }

    /** The first kind of report whose header the line carries, unless a suppression says it is none. */
    static Oops matchOops(String text) {
        for (Oops o : OopsCatalog.ALL) {
            if (text.contains(o.header()) && !StackRules.anyFind(o.suppressions(), text)) {
                return o;
            }
        }
        return null;
    }

    /** The kernel re-prints a message it printed partially; the partial copy is not a report. */
    private static boolean truncatedByReplay(MemorySegment seg, long lineEnd) {
        long size = seg.byteSize();
        if (lineEnd + 1 >= size) {
            return false;
        }
        long next = lineEnd + 1;
        long nextEnd = lineEnd(seg, next);
        int n = (int) Math.min(nextEnd - next, 4096);
        byte[] b = new byte[n];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, next, b, 0, n);
        return LineCleaner.indexOf(b, 0, n, REPLAY) >= 0;
    }

    private static long lineEnd(MemorySegment seg, long from) {
        long size = seg.byteSize();
        for (long i = from; i < size; i++) {
            if (seg.get(ValueLayout.JAVA_BYTE, i) == '\n') {
                return i;
            }
        }
        return size;
    }

    private static boolean containsAny(String s, List<String> words) {
        for (String w : words) {
            if (s.contains(w)) {
                return true;
            }
        }
        return false;
    }
}
