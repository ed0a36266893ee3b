package org.coroner.expr;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A C expression as gdb's {@code print} accepts it, parsed into a tree: identifiers, numbers,
 * characters, {@code $N} history, member access ({@code .}, {@code ->}), subscripts, unary and
 * binary operators with C precedence, {@code ?:}, casts to type names and {@code sizeof}. Whether a
 * parenthesized name is a type (a cast) is asked of {@code isTypeName}, as C's grammar needs.
 */
public final class Expression {
    /** A parsed expression. */
    public sealed interface Node permits Name, Number, Char, History, Member, Index, Unary, Binary, Ternary, Cast, SizeofType, Call {
    }

    public record Name(String name) implements Node {
    }

    public record Number(long value, boolean unsigned, boolean isLong, boolean hexOrOctal) implements Node {
    }

    public record Char(int value) implements Node {
    }

    /** {@code $N} (absolute), {@code $} / {@code $$} / {@code $$N} (relative to the last value). */
    public record History(int index, boolean relative) implements Node {
    }

    public record Member(Node of, String member, boolean arrow) implements Node {
    }

    public record Index(Node of, Node index) implements Node {
    }

    public record Unary(String op, Node operand) implements Node {
    }

    public record Binary(String op, Node left, Node right) implements Node {
    }

    public record Ternary(Node cond, Node then, Node otherwise) implements Node {
    }

    /** A type name as written: specifiers ({@code struct task_struct}, {@code unsigned long}), then pointer and array declarators. */
    public record TypeName(String base, int pointers, List<Long> arrays) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(base);
            if (pointers > 0) {
                b.append(' ').append("*".repeat(pointers));
            }
            for (long n : arrays) {
                b.append('[').append(n).append(']');
            }
            return b.toString();
        }
    }

    public record Cast(TypeName type, Node operand) implements Node {
    }

    public record SizeofType(TypeName type) implements Node {
    }

    public record Call(Node function) implements Node {
    }

    private static final List<String> BASE_WORDS = List.of("unsigned", "signed", "char", "short", "int", "long", "void",
            "_Bool", "float", "double");

    private final String text;
    private final List<String> toks;
    private final List<Integer> starts = new ArrayList<>();
    private final Predicate<String> isTypeName;
    private int pos;

    private Expression(String text, Predicate<String> isTypeName) {
        this.text = text;
        this.toks = tokenize(text, starts);
        this.isTypeName = isTypeName;
    }

    /** Parses {@code text}; {@code isTypeName} tells typedef names from other identifiers. */
    public static Node parse(String text, Predicate<String> isTypeName) {
        Expression e = new Expression(text, isTypeName);
        if (e.toks.isEmpty()) {
            throw new EvalException("A syntax error in expression, near `'.");
        }
        Node n = e.comma();
        if (e.pos < e.toks.size()) {
            throw e.syntax();
        }
        return n;
    }

    /** Parses a type name alone ({@code struct task_struct *}, {@code unsigned long}). */
    public static TypeName parseType(String text, Predicate<String> isTypeName) {
        Expression e = new Expression(text, isTypeName);
        TypeName t = e.typeName();
        if (t == null || e.pos < e.toks.size()) {
            throw new EvalException("A syntax error in expression, near `" + e.rest() + "'.");
        }
        return t;
    }

    private EvalException syntax() {
        return new EvalException("A syntax error in expression, near `" + rest() + "'.");
    }

    /** The input from the token where parsing stopped, as gdb quotes it. */
    private String rest() {
        return pos < starts.size() ? text.substring(starts.get(pos)) : "";
    }

    private String peek() {
        return pos < toks.size() ? toks.get(pos) : "";
    }

    private String peek(int k) {
        return pos + k < toks.size() ? toks.get(pos + k) : "";
    }

    private boolean accept(String t) {
        if (peek().equals(t)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(String t) {
        if (!accept(t)) {
            throw syntax();
        }
    }

    private Node comma() {
        Node n = assignment();
        while (accept(",")) {
            n = new Binary(",", n, assignment());
        }
        return n;
    }

    private Node assignment() {
        Node n = ternary();
        String op = peek();
        if (op.equals("=") || op.length() >= 2 && op.endsWith("=") && !op.equals("==") && !op.equals("!=")
                && !op.equals("<=") && !op.equals(">=")) {
            throw new EvalException("cannot modify memory of a dump file: " + op + " is not allowed");
        }
        return n;
    }

    private Node ternary() {
        Node c = binary(0);
        if (accept("?")) {
            Node a = comma();
            expect(":");
            Node b = ternary();
            return new Ternary(c, a, b);
        }
        return c;
    }

    private static final String[][] LEVELS = {
            {"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<", ">", "<=", ">="}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"}};

    private Node binary(int level) {
        if (level == LEVELS.length) {
            return unary();
        }
        Node n = binary(level + 1);
        while (true) {
            String op = peek();
            boolean match = false;
            for (String o : LEVELS[level]) {
                if (o.equals(op)) {
                    match = true;
                    break;
                }
            }
            if (!match) {
                return n;
            }
            pos++;
            n = new Binary(op, n, binary(level + 1));
        }
    }

    private Node unary() {
        String t = peek();
        switch (t) {
            case "-", "+", "!", "~", "*", "&" -> {
                pos++;
                return new Unary(t, unary());
            }
            case "++", "--" -> throw new EvalException("cannot modify memory of a dump file: " + t + " is not allowed");
            case "sizeof" -> {
                pos++;
                if (peek().equals("(")) {
                    int save = pos;
                    pos++;
                    TypeName tn = typeName();
                    if (tn != null && accept(")")) {
                        return new SizeofType(tn);
                    }
                    pos = save;
                }
                return new Unary("sizeof", unary());
            }
            case "(" -> {
                int save = pos;
                pos++;
                TypeName tn = typeName();
                if (tn != null) {
                    expect(")"); // a type in parentheses is a cast, whatever follows
                    return new Cast(tn, unary());
                }
                pos = save;
            }
            default -> {
            }
        }
        return postfix(primary());
    }

    private Node postfix(Node n) {
        while (true) {
            if (accept(".")) {
                n = new Member(n, identifier(), false);
            } else if (accept("->")) {
                n = new Member(n, identifier(), true);
            } else if (accept("[")) {
                Node i = comma();
                expect("]");
                n = new Index(n, i);
            } else if (peek().equals("(")) {
                pos++;
                int depth = 1;
                while (pos < toks.size() && depth > 0) {
                    if (toks.get(pos).equals("(")) {
                        depth++;
                    } else if (toks.get(pos).equals(")")) {
                        depth--;
                    }
                    pos++;
                }
                n = new Call(n);
            } else if (peek().equals("++") || peek().equals("--")) {
                throw new EvalException("cannot modify memory of a dump file: " + peek() + " is not allowed");
            } else {
                return n;
            }
        }
    }

    private String identifier() {
        String t = peek();
        if (t.isEmpty() || !(Character.isLetter(t.charAt(0)) || t.charAt(0) == '_')) {
            throw syntax();
        }
        pos++;
        return t;
    }

    private Node primary() {
        String t = peek();
        if (t.isEmpty()) {
            throw syntax();
        }
        char c = t.charAt(0);
        if (t.equals("(")) {
            pos++;
            Node n = comma();
            expect(")");
            return n;
        }
        if (Character.isDigit(c)) {
            pos++;
            return number(t);
        }
        if (c == '\'') {
            pos++;
            return character(t);
        }
        if (c == '$') {
            pos++;
            return history(t);
        }
        if (c == '"') {
            throw new EvalException("evaluation of this expression requires the program to have a function \"malloc\".");
        }
        if (Character.isLetter(c) || c == '_') {
            pos++;
            return new Name(t);
        }
        throw syntax();
    }

    private static Node history(String t) {
        if (t.equals("$")) {
            return new History(0, true);
        }
        if (t.equals("$$")) {
            return new History(1, true);
        }
        if (t.startsWith("$$")) {
            return new History(Integer.parseInt(t.substring(2)), true);
        }
        if (t.substring(1).chars().allMatch(Character::isDigit)) {
            return new History(Integer.parseInt(t.substring(1)), false);
        }
        throw new EvalException("History variable " + t + " is not supported (convenience variables need a live process).");
    }

    private static Node number(String t) {
        String s = t.toLowerCase();
        boolean unsigned = false;
        boolean isLong = false;
        while (s.endsWith("u") || s.endsWith("l")) {
            if (s.endsWith("u")) {
                unsigned = true;
            } else {
                isLong = true;
            }
            s = s.substring(0, s.length() - 1);
        }
        try {
            if (s.startsWith("0x")) {
                return new Number(Long.parseUnsignedLong(s.substring(2), 16), unsigned, isLong, true);
            }
            if (s.length() > 1 && s.startsWith("0")) {
                return new Number(Long.parseUnsignedLong(s.substring(1), 8), unsigned, isLong, true);
            }
            return new Number(Long.parseUnsignedLong(s), unsigned, isLong, false);
        } catch (NumberFormatException e) {
            throw new EvalException("Invalid number \"" + t + "\".");
        }
    }

    private static Node character(String t) {
        String body = t.substring(1, t.length() - 1);
        if (body.isEmpty()) {
            throw new EvalException("Empty character constant.");
        }
        if (body.charAt(0) != '\\') {
            return new Char(body.charAt(0));
        }
        String esc = body.substring(1);
        return new Char(switch (esc) {
            case "n" -> '\n';
            case "t" -> '\t';
            case "r" -> '\r';
            case "a" -> 7;
            case "b" -> '\b';
            case "f" -> '\f';
            case "v" -> 11;
            case "e" -> 27;
            case "\\" -> '\\';
            case "'" -> '\'';
            case "\"" -> '"';
            default -> esc.startsWith("x") ? Integer.parseInt(esc.substring(1), 16) : Integer.parseInt(esc, 8);
        });
    }

    /** A type name at the cursor, or null (cursor unchanged) when there is none. */
    private TypeName typeName() {
        int save = pos;
        StringBuilder base = new StringBuilder();
        boolean any = false;
        while (peek().equals("const") || peek().equals("volatile")) {
            pos++;
        }
        String t = peek();
        if (t.equals("struct") || t.equals("union") || t.equals("enum")) {
            pos++;
            String tag = peek();
            if (tag.isEmpty() || !(Character.isLetter(tag.charAt(0)) || tag.charAt(0) == '_')) {
                pos = save;
                return null;
            }
            pos++;
            base.append(t).append(' ').append(tag);
            any = true;
        } else if (BASE_WORDS.contains(t)) {
            while (BASE_WORDS.contains(peek()) || peek().equals("const") || peek().equals("volatile")) {
                if (BASE_WORDS.contains(peek())) {
                    if (base.length() > 0) {
                        base.append(' ');
                    }
                    base.append(peek());
                }
                pos++;
            }
            any = true;
        } else if (!t.isEmpty() && (Character.isLetter(t.charAt(0)) || t.charAt(0) == '_') && isTypeName.test(t)
                && !peek(1).equals(".") && !peek(1).equals("->") && !peek(1).equals("[")) {
            pos++;
            base.append(t);
            any = true;
        }
        if (!any) {
            pos = save;
            return null;
        }
        while (peek().equals("const") || peek().equals("volatile")) {
            pos++;
        }
        int stars = 0;
        while (true) {
            if (accept("*")) {
                stars++;
            } else if (!(accept("const") || accept("volatile"))) {
                break;
            }
        }
        List<Long> arrays = new ArrayList<>();
        while (peek().equals("[") && pos + 2 < toks.size() && Character.isDigit(peek(1).charAt(0)) && peek(2).equals("]")) {
            pos++;
            arrays.add(((Number) number(peek())).value());
            pos += 2;
        }
        return new TypeName(base.toString(), stars, arrays);
    }

    private static final String[] OPERATORS = {"->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "++", "--", "+=", "-=",
            "*=", "/=", "%=", "&=", "|=", "^="};

    static List<String> tokenize(String s) {
        return tokenize(s, new ArrayList<>());
    }

    /** The tokens of {@code s}; {@code starts} receives where each begins. */
    static List<String> tokenize(String s, List<Integer> starts) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                int j = i;
                while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
                starts.add(i);
                out.add(s.substring(i, j));
                i = j;
                continue;
            }
            if (Character.isDigit(c)) {
                int j = i;
                while (j < n && (Character.isLetterOrDigit(s.charAt(j)))) {
                    j++;
                }
                starts.add(i);
                out.add(s.substring(i, j));
                i = j;
                continue;
            }
            if (c == '$') {
                int j = i + 1;
                while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '$' || s.charAt(j) == '_')) {
                    j++;
                }
                starts.add(i);
                out.add(s.substring(i, j));
                i = j;
                continue;
            }
            if (c == '\'' || c == '"') {
                int j = i + 1;
                while (j < n && s.charAt(j) != c) {
                    if (s.charAt(j) == '\\') {
                        j++;
                    }
                    j++;
                }
                if (j >= n) {
                    throw new EvalException(c == '\'' ? "Unmatched single quote." : "Unterminated string in expression.");
                }
                starts.add(i);
                out.add(s.substring(i, j + 1));
                i = j + 1;
                continue;
            }
            String op = null;
            for (String o : OPERATORS) {
                if (s.startsWith(o, i)) {
                    op = o;
                    break;
                }
            }
            if (op == null) {
                if ("+-*/%<>=!~&|^?:,.()[]".indexOf(c) < 0) {
                    throw new EvalException("Invalid character '" + c + "' in expression.");
                }
                op = String.valueOf(c);
            }
            starts.add(i);
            out.add(op);
            i += op.length();
        }
        return out;
    }
}
