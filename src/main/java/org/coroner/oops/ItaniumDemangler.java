package org.coroner.oops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Demangles Itanium C++ ABI symbols ({@code _Z8fakeNameiii} to {@code fakeName},
 * {@code _ZNSt6vectorIiSaIiEE9push_backERKi} to {@code std::vector<int, std::allocator<int> >::push_back})
 * without the parameter list, as syzbot names C++ frames in titles: the text is GNU c++filt's with
 * {@code -p}. The parameter and return types are still parsed, so a symbol is only demangled when it
 * is well formed; anything this does not know (expressions in template arguments, decltype, lambdas'
 * closure types and the like) leaves the symbol as it was.
 */
final class ItaniumDemangler {
    private static final Map<Character, String> BUILTIN = Map.ofEntries(Map.entry('v', "void"),
            Map.entry('w', "wchar_t"), Map.entry('b', "bool"), Map.entry('c', "char"), Map.entry('a', "signed char"),
            Map.entry('h', "unsigned char"), Map.entry('s', "short"), Map.entry('t', "unsigned short"),
            Map.entry('i', "int"), Map.entry('j', "unsigned int"), Map.entry('l', "long"),
            Map.entry('m', "unsigned long"), Map.entry('x', "long long"), Map.entry('y', "unsigned long long"),
            Map.entry('n', "__int128"), Map.entry('o', "unsigned __int128"), Map.entry('f', "float"),
            Map.entry('d', "double"), Map.entry('e', "long double"), Map.entry('g', "__float128"),
            Map.entry('z', "..."));
    private static final Map<Character, String> BUILTIN_D = Map.of('n', "decltype(nullptr)", 'i', "char32_t",
            's', "char16_t", 'u', "char8_t", 'a', "auto", 'c', "decltype(auto)", 'f', "decimal32", 'd', "decimal64",
            'e', "decimal128", 'h', "half");
    /** Integer literal suffixes of template arguments, as c++filt prints them. */
    private static final Map<Character, String> LITERAL_SUFFIX = Map.of('i', "", 'j', "u", 'l', "l", 'm', "ul",
            'x', "ll", 'y', "ull");
    private static final Map<String, String> OPERATORS = Map.ofEntries(Map.entry("nw", "new"),
            Map.entry("na", "new[]"), Map.entry("dl", "delete"), Map.entry("da", "delete[]"), Map.entry("ps", "+"),
            Map.entry("ng", "-"), Map.entry("ad", "&"), Map.entry("de", "*"), Map.entry("co", "~"),
            Map.entry("pl", "+"), Map.entry("mi", "-"), Map.entry("ml", "*"), Map.entry("dv", "/"),
            Map.entry("rm", "%"), Map.entry("an", "&"), Map.entry("or", "|"), Map.entry("eo", "^"),
            Map.entry("aS", "="), Map.entry("pL", "+="), Map.entry("mI", "-="), Map.entry("mL", "*="),
            Map.entry("dV", "/="), Map.entry("rM", "%="), Map.entry("aN", "&="), Map.entry("oR", "|="),
            Map.entry("eO", "^="), Map.entry("ls", "<<"), Map.entry("rs", ">>"), Map.entry("lS", "<<="),
            Map.entry("rS", ">>="), Map.entry("eq", "=="), Map.entry("ne", "!="), Map.entry("lt", "<"),
            Map.entry("gt", ">"), Map.entry("le", "<="), Map.entry("ge", ">="), Map.entry("ss", "<=>"),
            Map.entry("nt", "!"), Map.entry("aa", "&&"), Map.entry("oo", "||"), Map.entry("pp", "++"),
            Map.entry("mm", "--"), Map.entry("cm", ","), Map.entry("pm", "->*"), Map.entry("pt", "->"),
            Map.entry("cl", "()"), Map.entry("ix", "[]"), Map.entry("qu", "?"));

    private final String s;
    private int pos;
    private int depth;
    /** How many {@link #type()} calls are under way. */
    private int typeDepth;
    /** Substitution candidates, in the order the ABI numbers them ({@code S_}, {@code S0_}, ...). */
    private final List<String> subs = new ArrayList<>();
    /** The template arguments {@code T_}, {@code T0_}... refer to: the last list parsed at name level. */
    private List<String> templateArgs = List.of();

    private ItaniumDemangler(String s) {
        this.s = s;
    }

    /** The demangled name without parameters, or {@code symbol} itself when it is no Itanium symbol or cannot be parsed. */
    static String demangle(String symbol) {
        if (!symbol.startsWith("_Z") || symbol.length() < 3) {
            return symbol;
        }
        ItaniumDemangler d = new ItaniumDemangler(symbol);
        d.pos = 2;
        try {
            String name = d.encoding(true);
            // GCC's clone suffixes (.constprop.0, .isra.0, .cold): c++filt -p prints the name alone
            if (d.pos < symbol.length() && symbol.charAt(d.pos) != '.') {
                return symbol;
            }
            return name;
        } catch (RuntimeException e) {
            return symbol;
        }
    }

    private static final class Bad extends RuntimeException {
        Bad() {
            super(null, null, false, false);
        }
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private char peek(int ahead) {
        return pos + ahead < s.length() ? s.charAt(pos + ahead) : '\0';
    }

    private char next() {
        if (pos >= s.length()) {
            throw new Bad();
        }
        return s.charAt(pos++);
    }

    private void expect(char c) {
        if (next() != c) {
            throw new Bad();
        }
    }

    private boolean atEnd() {
        return pos >= s.length() || s.charAt(pos) == '.' || s.charAt(pos) == 'E';
    }

    private void enter() {
        if (++depth > 200) {
            throw new Bad();
        }
    }

    /** {@code <encoding>}: a name and, for a function, its types (parsed, not printed). */
    private String encoding(boolean top) {
        enter();
        if (peek() == 'T' || peek() == 'G') {
            return specialName();
        }
        Name n = name();
        if (!atEnd()) {
            if (n.templated && !n.ctorDtorConv) {
                type(); // the return type of a function template
            }
            while (!atEnd()) {
                type();
            }
        }
        depth--;
        return n.text;
    }

    private String specialName() {
        char c = next();
        char k = next();
        if (c == 'T') {
            return switch (k) {
                case 'V' -> "vtable for " + type();
                case 'T' -> "VTT for " + type();
                case 'I' -> "typeinfo for " + type();
                case 'S' -> "typeinfo name for " + type();
                default -> throw new Bad();
            };
        }
        if (k == 'V') {
            return "guard variable for " + name().text;
        }
        throw new Bad();
    }

    private record Name(String text, boolean templated, boolean ctorDtorConv) {
    }

    /** {@code <name>}: nested, local, unscoped (maybe with template arguments), or a substitution with them. */
    private Name name() {
        enter();
        Name n;
        switch (peek()) {
            case 'N' -> n = nested();
            case 'Z' -> n = local();
            case 'S' -> {
                if (peek(1) == 't') {
                    pos += 2;
                    Unqualified u = unqualified(null);
                    n = unscopedMaybeTemplate("std::" + u.text, u.ctorDtorConv);
                } else {
                    String sub = substitution();
                    if (peek() != 'I') {
                        throw new Bad(); // a substitution alone is no name of an entity
                    }
                    String args = templateArgs(true);
                    n = new Name(sub + args, true, false);
                }
            }
            default -> {
                Unqualified u = unqualified(null);
                n = unscopedMaybeTemplate(u.text, u.ctorDtorConv);
            }
        }
        depth--;
        return n;
    }

    private Name unscopedMaybeTemplate(String name, boolean ctorDtorConv) {
        if (peek() != 'I') {
            return new Name(name, false, ctorDtorConv);
        }
        subs.add(name); // an unscoped template name is a candidate itself
        return new Name(withArgs(name, templateArgs(true)), true, ctorDtorConv);
    }

    /** {@code operator<} followed by its arguments takes a space: {@code operator<< <char>}. */
    private static String withArgs(String name, String args) {
        return name.endsWith("<") ? name + " " + args : name + args;
    }

    private Name nested() {
        expect('N');
        while (peek() == 'r' || peek() == 'V' || peek() == 'K') {
            pos++; // cv-qualifiers of a member function: c++filt -p omits them
        }
        if (peek() == 'R' || peek() == 'O') {
            pos++;
        }
        StringBuilder prefix = new StringBuilder();
        String last = null; // the last source name, for constructors and destructors
        boolean templated = false;
        boolean ctorDtorConv = false;
        while (peek() != 'E') {
            if (pos >= s.length()) {
                throw new Bad();
            }
            char c = peek();
            templated = false;
            ctorDtorConv = false;
            if (c == 'I') {
                if (prefix.isEmpty()) {
                    throw new Bad();
                }
                String args = templateArgs(true);
                prefix.append(prefix.charAt(prefix.length() - 1) == '<' ? " " : "").append(args);
                templated = true;
            } else if (c == 'S' && prefix.isEmpty()) {
                String sub;
                if (peek(1) == 't') {
                    pos += 2;
                    sub = "std";
                } else {
                    sub = substitution();
                    if (peek() == 'C' || peek() == 'D') {
                        sub = expanded(sub); // the class of a constructor or destructor is named in full
                    }
                }
                prefix.append(sub);
                String bare = sub.indexOf('<') < 0 ? sub : sub.substring(0, sub.indexOf('<'));
                last = bare.substring(bare.lastIndexOf(':') + 1);
                continue; // a substitution is not a new candidate
            } else if (c == 'T' && prefix.isEmpty()) {
                prefix.append(templateParam());
            } else {
                Unqualified u = unqualified(last);
                if (!prefix.isEmpty()) {
                    prefix.append("::");
                }
                prefix.append(u.text);
                ctorDtorConv = u.ctorDtorConv;
                if (u.source != null) {
                    last = u.source;
                }
            }
            if (peek() != 'E') {
                subs.add(prefix.toString()); // every prefix but the whole name is a candidate
            }
        }
        pos++;
        return new Name(prefix.toString(), templated, ctorDtorConv);
    }

    private Name local() {
        expect('Z');
        String outer = encoding(false);
        expect('E');
        if (peek() == 's') {
            pos++;
            discriminator();
            return new Name(outer + "::string literal", false, false);
        }
        Name inner = name();
        discriminator();
        return new Name(outer + "::" + inner.text, inner.templated, inner.ctorDtorConv);
    }

    private void discriminator() {
        if (peek() == '_') {
            pos++;
            if (peek() == '_') {
                pos++;
                number();
                expect('_');
            } else {
                number();
            }
        }
    }

    private record Unqualified(String text, String source, boolean ctorDtorConv) {
    }

    /** {@code <unqualified-name>}; {@code enclosing} is the class name constructors and destructors take. */
    private Unqualified unqualified(String enclosing) {
        char c = peek();
        Unqualified u;
        if (c >= '0' && c <= '9') {
            String id = sourceName();
            u = new Unqualified(id, id, false);
        } else if (c == 'C' && peek(1) >= '1' && peek(1) <= '5' || c == 'C' && peek(1) == 'I') {
            if (enclosing == null) {
                throw new Bad();
            }
            pos += 2;
            if (s.charAt(pos - 1) == 'I') {
                next(); // inheriting constructor: its base class type follows
                type();
            }
            u = new Unqualified(enclosing, null, true);
        } else if (c == 'D' && peek(1) >= '0' && peek(1) <= '5') {
            if (enclosing == null) {
                throw new Bad();
            }
            pos += 2;
            u = new Unqualified("~" + enclosing, null, true);
        } else if (c == 'c' && peek(1) == 'v') {
            pos += 2;
            u = new Unqualified("operator " + type(), null, true);
        } else if (c == 'l' && peek(1) == 'i') {
            pos += 2;
            u = new Unqualified("operator\"\" " + sourceName(), null, false);
        } else if (c >= 'a' && c <= 'z') {
            String op = OPERATORS.get(s.substring(pos, Math.min(pos + 2, s.length())));
            if (op == null) {
                throw new Bad();
            }
            pos += 2;
            u = new Unqualified("operator" + (Character.isLetter(op.charAt(0)) ? " " : "") + op, null, false);
        } else {
            throw new Bad();
        }
        StringBuilder tags = new StringBuilder();
        while (peek() == 'B') {
            pos++;
            tags.append("[abi:").append(sourceName()).append(']');
        }
        return tags.isEmpty() ? u : new Unqualified(u.text + tags, u.source, u.ctorDtorConv);
    }

    private String sourceName() {
        int len = number();
        if (len <= 0 || pos + len > s.length()) {
            throw new Bad();
        }
        String id = s.substring(pos, pos + len);
        pos += len;
        return id.startsWith("_GLOBAL_") && id.length() > 9 && id.charAt(9) == 'N' ? "(anonymous namespace)" : id;
    }

    private int number() {
        int start = pos;
        int n = 0;
        while (peek() >= '0' && peek() <= '9') {
            n = n * 10 + (next() - '0');
            if (n > 1 << 20) {
                throw new Bad();
            }
        }
        if (pos == start) {
            throw new Bad();
        }
        return n;
    }

    /** {@code S_}, {@code S<seq-id>_} and the abbreviations of std names. */
    private String substitution() {
        expect('S');
        char c = next();
        String std = switch (c) {
            case 'a' -> "std::allocator";
            case 'b' -> "std::basic_string";
            case 's' -> "std::string";
            case 'i' -> "std::istream";
            case 'o' -> "std::ostream";
            case 'd' -> "std::iostream";
            default -> null;
        };
        if (std != null) {
            return std;
        }
        int index = 0;
        if (c != '_') {
            int seq = 0;
            for (; c != '_'; c = next()) {
                int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'Z' ? c - 'A' + 10 : -1;
                if (digit < 0 || seq > 1 << 20) {
                    throw new Bad();
                }
                seq = seq * 36 + digit;
            }
            index = seq + 1;
        }
        if (index >= subs.size()) {
            throw new Bad();
        }
        return subs.get(index);
    }

    /**
     * The std abbreviations spelled out, as the demanglers syzkaller's and binutils' follow name the
     * class of a constructor or destructor (everywhere else, without their verbose option, they
     * keep {@code std::string}).
     */
    private static String expanded(String sub) {
        return switch (sub) {
            case "std::string" -> "std::basic_string<char, std::char_traits<char>, std::allocator<char> >";
            case "std::istream" -> "std::basic_istream<char, std::char_traits<char> >";
            case "std::ostream" -> "std::basic_ostream<char, std::char_traits<char> >";
            case "std::iostream" -> "std::basic_iostream<char, std::char_traits<char> >";
            default -> sub;
        };
    }

    private String templateParam() {
        expect('T');
        int index = 0;
        if (peek() != '_') {
            index = number() + 1;
        }
        expect('_');
        if (index >= templateArgs.size()) {
            throw new Bad();
        }
        return templateArgs.get(index);
    }

    /** {@code I <template-arg>+ E}, printed as {@code <a, b>}; at name level they become what {@code T_} refers to. */
    private String templateArgs(boolean nameLevel) {
        expect('I');
        List<String> args = new ArrayList<>();
        while (peek() != 'E') {
            args.add(templateArg());
        }
        pos++;
        if (nameLevel && typeDepth == 0) {
            templateArgs = args; // the entity's own: those of a type in its signature do not count
        }
        String joined = String.join(", ", args);
        return "<" + joined + (joined.endsWith(">") ? " >" : ">");
    }

    private String templateArg() {
        enter();
        String a;
        switch (peek()) {
            case 'L' -> a = literal();
            case 'J' -> { // an argument pack
                pos++;
                List<String> pack = new ArrayList<>();
                while (peek() != 'E') {
                    pack.add(templateArg());
                }
                pos++;
                a = String.join(", ", pack);
            }
            case 'X' -> throw new Bad(); // expressions: not needed for kernel frames
            default -> a = type();
        }
        depth--;
        return a;
    }

    private String literal() {
        expect('L');
        if (peek() == '_' && peek(1) == 'Z') {
            pos += 2;
            String e = encoding(false);
            expect('E');
            return e;
        }
        char t = peek();
        String enumType = null;
        if (BUILTIN.containsKey(t)) {
            pos++;
        } else {
            enumType = type(); // an enumerator: (type)value
        }
        boolean negative = peek() == 'n';
        if (negative) {
            pos++;
        }
        int start = pos;
        while (peek() >= '0' && peek() <= '9') {
            pos++;
        }
        String digits = s.substring(start, pos);
        expect('E');
        if (digits.isEmpty()) {
            throw new Bad();
        }
        if (enumType != null) {
            return "(" + enumType + ")" + (negative ? "-" : "") + digits;
        }
        if (t == 'b' && (digits.equals("0") || digits.equals("1"))) {
            return digits.equals("1") ? "true" : "false";
        }
        String suffix = LITERAL_SUFFIX.get(t);
        String value = (negative ? "-" : "") + digits;
        if (suffix != null) {
            return value + suffix;
        }
        String type = BUILTIN.get(t);
        if (type == null) {
            throw new Bad();
        }
        return "(" + type + ")" + value;
    }

    /** {@code <type>}, as c++filt prints it; every type that is not a builtin is a substitution candidate. */
    private String type() {
        typeDepth++;
        try {
            return typeInner();
        } finally {
            typeDepth--;
        }
    }

    private String typeInner() {
        enter();
        char c = peek();
        String t;
        String builtin = BUILTIN.get(c);
        if (builtin != null) {
            pos++;
            depth--;
            return builtin;
        }
        switch (c) {
            case 'D' -> {
                char k = peek(1);
                String b = BUILTIN_D.get(k);
                if (b != null) {
                    pos += 2;
                    depth--;
                    return b;
                }
                if (k == 'p') {
                    pos += 2;
                    t = type(); // a pack expansion: the pattern's type
                } else {
                    throw new Bad();
                }
            }
            case 'u' -> {
                pos++;
                t = sourceName(); // a vendor type
            }
            case 'r', 'V', 'K' -> {
                StringBuilder q = new StringBuilder();
                while (peek() == 'r' || peek() == 'V' || peek() == 'K') {
                    char k = next();
                    q.insert(0, k == 'K' ? " const" : k == 'V' ? " volatile" : " restrict");
                }
                t = type() + q;
            }
            case 'P' -> {
                pos++;
                t = pointerTo(type(), "*");
            }
            case 'R' -> {
                pos++;
                t = pointerTo(type(), "&");
            }
            case 'O' -> {
                pos++;
                t = pointerTo(type(), "&&");
            }
            case 'F' -> t = functionType();
            case 'A' -> {
                pos++;
                String dim = peek() == '_' ? "" : String.valueOf(number());
                expect('_');
                t = type() + " [" + dim + "]";
            }
            case 'M' -> {
                pos++;
                String cls = type();
                String member = type();
                t = member.endsWith(")") ? pointerTo(member, cls + "::*") : member + " " + cls + "::*";
            }
            case 'T' -> {
                t = templateParam();
                if (peek() == 'I') {
                    subs.add(t);
                    t += templateArgs(false);
                }
            }
            case 'S' -> {
                if (peek(1) == 't') {
                    Name n = name();
                    t = n.text;
                } else {
                    t = substitution();
                    if (peek() == 'I') {
                        t += templateArgs(false); // the substituted template name is no new candidate
                    } else {
                        depth--;
                        return t; // a substitution is not added again
                    }
                }
            }
            case 'N', 'Z' -> t = name().text;
            default -> {
                if (c >= '0' && c <= '9') {
                    t = name().text;
                } else {
                    throw new Bad();
                }
            }
        }
        subs.add(t);
        depth--;
        return t;
    }

    private static String pointerTo(String t, String op) {
        // a pointer to a function or an array goes inside its parentheses: void (*)(int)
        int paren = t.indexOf("(");
        if (paren > 0 && t.endsWith(")") && t.charAt(paren - 1) == ' ') {
            return t.substring(0, paren) + "(" + op + ")" + t.substring(paren);
        }
        return t + op;
    }

    private String functionType() {
        expect('F');
        if (peek() == 'Y') {
            pos++;
        }
        String ret = type();
        List<String> params = new ArrayList<>();
        while (peek() != 'E') {
            if (peek() == 'R' && peek(1) == 'E' || peek() == 'O' && peek(1) == 'E') {
                pos++; // ref-qualifier of the function type
                continue;
            }
            params.add(type());
        }
        pos++;
        if (params.size() == 1 && params.get(0).equals("void")) {
            params = List.of();
        }
        return ret + " (" + String.join(", ", params) + ")";
    }
}
