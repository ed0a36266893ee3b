package org.coroner.oops;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the titler asks of a function name in a stack trace, worked out once per distinct name:
 * its demangled form, and for each stack format whether that format skips it as generic. Names
 * repeat across reports by the thousand, and each stack walk of each format asks for each frame.
 */
final class FrameNames {
    /** Names remembered at most (a log of very many distinct names starts over). */
    private static final int MAX = 200_000;
    private static final ConcurrentHashMap<String, Name> BY_RAW = new ConcurrentHashMap<>();
    private static final AtomicInteger FORMATS = new AtomicInteger();

    private FrameNames() {
    }

    /** One function name as a report prints it. */
    static final class Name {
        /** Demangled (C++, Rust), as titles name it. */
        final String name;
        /** Per stack format ({@link #newFormat}): 0 not asked yet, 1 kept, 2 skipped. Racy, but every writer writes the same answer. */
        private volatile byte[] skips = new byte[0];

        private Name(String name) {
            this.name = name;
        }

        byte skip(int format) {
            byte[] s = skips;
            return format < s.length ? s[format] : 0;
        }

        void setSkip(int format, boolean skipped) {
            byte[] s = skips;
            if (format >= s.length) {
                s = Arrays.copyOf(s, Math.max(format + 1, FORMATS.get()));
            }
            s[format] = skipped ? (byte) 2 : 1;
            skips = s;
        }
    }

    /** A number for a stack format's answers. */
    static int newFormat() {
        return FORMATS.getAndIncrement();
    }

    static Name of(String raw) {
        Name n = BY_RAW.get(raw);
        if (n == null) {
            if (BY_RAW.size() > MAX) {
                BY_RAW.clear();
            }
            n = new Name(demangle(raw));
            Name had = BY_RAW.putIfAbsent(raw, n);
            if (had != null) {
                n = had;
            }
        }
        return n;
    }

    /** C++ (Itanium ABI) and Rust (v0) symbols by their demangled names, as syzbot's titles name them. */
    static String demangle(String frame) {
        return frame.startsWith("_Z") ? ItaniumDemangler.demangle(frame) : RustDemangler.demangle(frame);
    }
}
