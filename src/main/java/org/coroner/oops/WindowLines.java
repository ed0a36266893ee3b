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
    /** One parsed line. */
    static final class Parsed {
        final long start;
        final long end;
        final int number;
        final String context;
        final String text;
        /** 0: not known yet, 1: starts no report, 2: starts a report of its own. */
        byte starts;
        /** The {@link LineWords} bits of its text. */
        long words;

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
    private ArrayList<Parsed> recorded = new ArrayList<>();
    /** The list {@link #cached} is a view of; the window after next records into it again. */
    private ArrayList<Parsed> spare = new ArrayList<>();
    private int cacheIdx;
    private final LineReader reader;
    private final LineWords lineWords;
    private long pos;

    WindowLines(MemorySegment seg, LineWords lineWords) {
        this.seg = seg;
        this.reader = new LineReader(seg, 0, lineWords);
        this.lineWords = lineWords;
    }

    /** Starts a window at {@code offset} (a line start). */
    void start(long offset) {
        pos = offset;
        // the last window's list is no longer read once this one starts: record into it
        ArrayList<Parsed> r = spare;
        spare = recorded;
        recorded = r;
        recorded.clear();
        cacheIdx = 0;
        while (cacheIdx < cached.size() && cached.get(cacheIdx).start < offset) {
            cacheIdx++;
        }
    }

    boolean hasNext() {
        return pos < seg.byteSize();
    }

    Parsed next(int number) {
        Parsed p;
        if (cacheIdx < cached.size() && cached.get(cacheIdx).start == pos) {
            p = cached.get(cacheIdx++);
        } else {
            cacheIdx = cached.size(); // past the cache: read from here on
            if (reader.position() != pos) {
                reader.seek(pos);
            }
            reader.next();
            LineCleaner.prefix(reader.buf, reader.len, px);
            // decoded now, while the bytes are at hand: nearly every line's text is needed
            p = new Parsed(reader.start, reader.end, number, px.context,
                    LineCleaner.decode(reader.buf, px.textStart, reader.len, reader.ascii));
            p.words = lineWords.scan(reader, px.textStart, reader.len);
            if ((p.words & LineWords.HEADER) == 0) {
                p.starts = 1;
            }
        }
        pos = Math.min(p.next(), seg.byteSize());
        recorded.add(p);
        return p;
    }

    /** The cleaned text of a line {@link #next()} returned. */
    String text(Parsed p) {
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
