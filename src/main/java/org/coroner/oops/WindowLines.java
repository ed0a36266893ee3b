package org.coroner.oops;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines of report windows, parsed once: consecutive windows overlap (a window reads past the
 * next report's first line, where the next window starts), so the lines one window parsed are
 * handed to the next instead of being read and cleaned again.
 */
final class WindowLines {
    /** One parsed line; {@code text} is null until some window needed it. */
    static final class Parsed {
        final long start;
        final long end;
        final int number;
        final String context;
        String text;
        /** 0: not known yet, 1: starts no report, 2: starts a report of its own. */
        byte starts;
        /** The byte prefilter saw a header in it. */
        boolean candidate;

        Parsed(long start, long end, int number, String context, String text) {
            this.start = start;
            this.end = end;
            this.number = number;
            this.context = context;
            this.text = text;
        }

        long next() {
            return end + 1;
        }
    }

    private final MemorySegment seg;
    private final LineCleaner.Prefix px = new LineCleaner.Prefix();
    private List<Parsed> cached = List.of();
    private List<Parsed> recorded = new ArrayList<>();
    private int cacheIdx;
    private LineReader reader;
    private long pos;
    /** Set by {@link #next()} for a freshly read line: its bytes are in the reader's buffer. */
    private boolean fresh;

    WindowLines(MemorySegment seg) {
        this.seg = seg;
    }

    /** Starts a window at {@code offset} (a line start). */
    void start(long offset) {
        pos = offset;
        recorded = new ArrayList<>();
        cacheIdx = 0;
        while (cacheIdx < cached.size() && cached.get(cacheIdx).start < offset) {
            cacheIdx++;
        }
        reader = null;
    }

    boolean hasNext() {
        return pos < seg.byteSize();
    }

    Parsed next(int number, HeaderPrefilter prefilter) {
        Parsed p;
        if (cacheIdx < cached.size() && cached.get(cacheIdx).start == pos) {
            p = cached.get(cacheIdx++);
            fresh = false;
        } else {
            cacheIdx = cached.size(); // past the cache: read from here on
            if (reader == null || reader.position() != pos) {
                reader = new LineReader(seg, pos);
            }
            reader.next();
            LineCleaner.prefix(reader.buf, reader.len, px);
            p = new Parsed(reader.start, reader.end, number, px.context, null);
            p.candidate = prefilter.lineHasCandidate(reader.buf, px.textStart, reader.len);
            if (!p.candidate) {
                p.starts = 1;
            }
            fresh = true;
        }
        pos = Math.min(p.next(), seg.byteSize());
        recorded.add(p);
        return p;
    }

    /** The cleaned text of the line {@link #next()} just returned. */
    String text(Parsed p) {
        if (p.text == null) {
            p.text = fresh ? LineCleaner.decode(reader.buf, px.textStart, reader.len)
                    : LineCleaner.clean(seg, p.start, p.end, p.number).text();
        }
        return p.text;
    }

    /** Ends the window; the next one may start at {@code resume} and reuse what this one parsed. */
    void finish(long resume) {
        int from = 0;
        while (from < recorded.size() && recorded.get(from).start < resume) {
            from++;
        }
        cached = recorded.subList(from, recorded.size());
    }
}
