package org.coroner.oops;

/**
 * Demangles Rust "v0" symbols ({@code _RNvNtCs1234_4core9panicking9panic_fmt} to
 * {@code core::panicking::panic_fmt}), as Rust code in the kernel prints them in stack traces.
 * Generic arguments are dropped and crate disambiguators omitted, as a human writes the path.
 * Anything it does not understand (punycode, const generics, odd types) leaves the symbol as it was.
 */
final class RustDemangler {
    private final String s;
    private int pos;
    private int depth;

    private RustDemangler(String s) {
        this.s = s;
    }

    /** The demangled name, or {@code symbol} itself when it is no v0 symbol or cannot be parsed. */
    static String demangle(String symbol) {
        if (!symbol.startsWith("_R") || symbol.length() < 4) {
            return symbol;
        }
        RustDemangler d = new RustDemangler(symbol);
        d.pos = 2;
        try {
            if (Character.isDigit(d.peek())) {
                d.decimal(); // encoding version
            }
            StringBuilder out = new StringBuilder();
            d.path(out);
            return out.toString();
        } catch (RuntimeException e) {
            return symbol;
        }
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private char next() {
        if (pos >= s.length()) {
            throw new IllegalArgumentException("truncated");
        }
        return s.charAt(pos++);
    }

    private void enter() {
        if (++depth > 100) {
            throw new IllegalArgumentException("too deep");
        }
    }

    private void path(StringBuilder out) {
        enter();
        char c = next();
        switch (c) {
            case 'C' -> out.append(identifier());
            case 'M' -> { // inherent impl: <Type>
                disambiguator();
                skipPath();
                out.append('<');
                type(out);
                out.append('>');
            }
            case 'X' -> { // trait impl: <Type as Trait>
                disambiguator();
                skipPath();
                out.append('<');
                type(out);
                out.append(" as ");
                path(out);
                out.append('>');
            }
            case 'Y' -> {
                out.append('<');
                type(out);
                out.append(" as ");
                path(out);
                out.append('>');
            }
            case 'N' -> {
                char ns = next();
                path(out);
                String id = identifier();
                if (ns >= 'A' && ns <= 'Z') {
                    out.append("::{").append(ns == 'C' ? "closure" : ns == 'S' ? "shim" : String.valueOf(ns));
                    if (!id.isEmpty()) {
                        out.append(':').append(id);
                    }
                    out.append('#').append(lastDisambiguator).append('}');
                } else if (!id.isEmpty()) {
                    out.append("::").append(id);
                }
            }
            case 'I' -> { // generic arguments: dropped
                path(out);
                while (peek() != 'E') {
                    genericArg(new StringBuilder());
                }
                next();
            }
            case 'B' -> backref(this::path, out);
            default -> throw new IllegalArgumentException("path " + c);
        }
        depth--;
    }

    /** An impl path only disambiguates; it is not printed. */
    private void skipPath() {
        path(new StringBuilder());
    }

    private void genericArg(StringBuilder out) {
        char c = peek();
        if (c == 'L') {
            next();
            base62();
        } else if (c == 'K') {
            throw new IllegalArgumentException("const generics");
        } else {
            type(out);
        }
    }

    private void type(StringBuilder out) {
        enter();
        char c = peek();
        String basic = basic(c);
        if (basic != null) {
            next();
            out.append(basic);
        } else {
            switch (c) {
                case 'R', 'Q' -> {
                    next();
                    if (peek() == 'L') {
                        next();
                        base62();
                    }
                    out.append(c == 'R' ? "&" : "&mut ");
                    type(out);
                }
                case 'P', 'O' -> {
                    next();
                    out.append(c == 'P' ? "*const " : "*mut ");
                    type(out);
                }
                case 'S' -> {
                    next();
                    out.append('[');
                    type(out);
                    out.append(']');
                }
                case 'T' -> {
                    next();
                    out.append('(');
                    for (int i = 0; peek() != 'E'; i++) {
                        if (i > 0) {
                            out.append(", ");
                        }
                        type(out);
                    }
                    next();
                    out.append(')');
                }
                case 'B' -> {
                    next();
                    backref(this::type, out);
                }
                default -> path(out);
            }
        }
        depth--;
    }

    private static String basic(char c) {
        return switch (c) {
            case 'a' -> "i8";
            case 'b' -> "bool";
            case 'c' -> "char";
            case 'd' -> "f64";
            case 'e' -> "str";
            case 'f' -> "f32";
            case 'h' -> "u8";
            case 'i' -> "isize";
            case 'j' -> "usize";
            case 'l' -> "i32";
            case 'm' -> "u32";
            case 'n' -> "i128";
            case 'o' -> "u128";
            case 's' -> "i16";
            case 't' -> "u16";
            case 'u' -> "()";
            case 'v' -> "...";
            case 'x' -> "i64";
            case 'y' -> "u64";
            case 'z' -> "!";
            case 'p' -> "_";
            default -> null;
        };
    }

    private interface Part {
        void parse(StringBuilder out);
    }

    /** {@code B<base62>}: the same production again, at an offset from just after {@code _R}. */
    private void backref(Part part, StringBuilder out) {
        long target = 2 + base62();
        if (target >= pos) {
            throw new IllegalArgumentException("forward backref");
        }
        int saved = pos;
        pos = (int) target;
        part.parse(out);
        pos = saved;
    }

    private long lastDisambiguator;

    private void disambiguator() {
        lastDisambiguator = 0;
        if (peek() == 's') {
            next();
            lastDisambiguator = base62() + 1;
        }
    }

    private String identifier() {
        disambiguator();
        if (peek() == 'u') {
            throw new IllegalArgumentException("punycode");
        }
        int len = (int) decimal();
        if (peek() == '_') {
            next();
        }
        if (pos + len > s.length()) {
            throw new IllegalArgumentException("identifier past the end");
        }
        String id = s.substring(pos, pos + len);
        pos += len;
        return id;
    }

    private long decimal() {
        int start = pos;
        while (Character.isDigit(peek())) {
            pos++;
        }
        if (start == pos || pos - start > 9) {
            throw new IllegalArgumentException("number");
        }
        return Long.parseLong(s, start, pos, 10);
    }

    /** {@code _} is 0, else base-62 digits plus one, then {@code _}. */
    private long base62() {
        if (peek() == '_') {
            next();
            return 0;
        }
        long v = 0;
        for (int i = 0; ; i++) {
            char c = next();
            if (c == '_') {
                return v + 1;
            }
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10
                    : c >= 'A' && c <= 'Z' ? c - 'A' + 36 : -1;
            if (d < 0 || i > 10) {
                throw new IllegalArgumentException("base62");
            }
            v = v * 62 + d;
        }
    }
}
