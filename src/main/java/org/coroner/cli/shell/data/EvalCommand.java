package org.coroner.cli.shell.data;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.kernel.symbols.KernelSymbols;

/**
 * crash's {@code eval}: an integer expression over 64-bit unsigned values (symbols stand for their
 * addresses, numbers may end in k, m or g), shown in hexadecimal with its size, decimal (signed too
 * when negative), octal and binary; {@code -b} lists the bits set. C's operators and parentheses in
 * any nesting, where crash takes one operator.
 */
public final class EvalCommand implements ShellCommand {
    private final DataContext ctx;

    public EvalCommand(DataContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "evaluate an integer expression: hexadecimal, decimal, octal, binary";
    }

    @Override
    public String help() {
        return """
                eval [-b] [-l] EXPRESSION
                  Evaluates an expression of 64-bit unsigned integers and prints the value in
                  hexadecimal (with KB/MB/GB when it is a whole number of them), decimal (signed as well
                  when the top bit is set), octal and binary.
                  Operands: decimal or 0x hex numbers, numbers with a k, m or g suffix (times 1024, 1024^2,
                  1024^3), symbols (their address). Operators: + - * / % & | ^ << >> ~, and # for
                  power; parentheses. (In the shell, | and > also pipe and redirect: quote the expression.)
                  -b   also list the bits that are set
                  -l   accepted for crash compatibility (values are always 64-bit here)
                  Example: eval 4k * 3, eval "(1 << 12) | 0x10", eval -b 0x1234""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        boolean bits = false;
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty() && (rest.get(0).equals("-b") || rest.get(0).equals("-l") || rest.get(0).equals("-lb")
                || rest.get(0).equals("-bl")) && rest.size() > 1) {
            if (rest.get(0).contains("b")) {
                bits = true;
            }
            rest.remove(0);
        }
        if (rest.isEmpty()) {
            throw new CommandException("usage: eval [-b] [-l] EXPRESSION");
        }
        String expr = String.join(" ", rest);
        long v;
        try {
            Parser p = new Parser(expr);
            v = p.expression();
            if (!p.atEnd()) {
                throw new CommandException("invalid expression: " + expr);
            }
        } catch (CommandException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CommandException("invalid expression: " + expr);
        }
        out.print(format(v, bits));
    }

    /** crash's print_number layout. */
    static String format(long v, boolean bits) {
        StringBuilder b = new StringBuilder();
        b.append("hexadecimal: ").append(Long.toHexString(v)).append("  ");
        if (Long.compareUnsigned(v, 1024) >= 0) {
            if (Long.remainderUnsigned(v, 1L << 30) == 0) {
                b.append('(').append(Long.divideUnsigned(v, 1L << 30)).append("GB)");
            } else if (Long.remainderUnsigned(v, 1L << 20) == 0) {
                b.append('(').append(Long.divideUnsigned(v, 1L << 20)).append("MB)");
            } else if (Long.remainderUnsigned(v, 1024) == 0) {
                b.append('(').append(Long.divideUnsigned(v, 1024)).append("KB)");
            }
        }
        b.append('\n');
        b.append("    decimal: ").append(Long.toUnsignedString(v)).append("  ");
        b.append(v < 0 ? "(" + v + ")\n" : "\n");
        b.append("      octal: ").append(Long.toOctalString(v)).append('\n');
        b.append("     binary: ").append(String.format("%64s", Long.toBinaryString(v)).replace(' ', '0')).append('\n');
        if (bits) {
            String hdr = "   bits set: ";
            b.append(hdr);
            int col = hdr.length();
            for (int i = 63; i >= 0; i--) {
                if ((v & (1L << i)) != 0) {
                    String s = i + " ";
                    b.append(s);
                    col += s.length();
                    if (col >= 77) {
                        b.append('\n').append(" ".repeat(hdr.length()));
                        col = hdr.length();
                    }
                }
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** Recursive descent over C's precedence, unsigned 64-bit. */
    private final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        boolean atEnd() {
            skip();
            return i >= s.length();
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private boolean eat(String op) {
            skip();
            if (s.startsWith(op, i)) {
                // keep "<<" from matching "<" alone and "|" from "||" etc. is not needed: only these operators exist
                i += op.length();
                return true;
            }
            return false;
        }

        long expression() {
            long v = xor();
            while (true) {
                if (peekDouble('|')) {
                    throw new CommandException("invalid expression: " + s);
                }
                if (eat("|")) {
                    v |= xor();
                } else {
                    return v;
                }
            }
        }

        private boolean peekDouble(char c) {
            skip();
            return i + 1 < s.length() && s.charAt(i) == c && s.charAt(i + 1) == c;
        }

        private long xor() {
            long v = and();
            while (eat("^")) {
                v ^= and();
            }
            return v;
        }

        private long and() {
            long v = shift();
            while (!peekDouble('&') && eat("&")) {
                v &= shift();
            }
            return v;
        }

        private long shift() {
            long v = additive();
            while (true) {
                if (eat("<<")) {
                    v <<= additive();
                } else if (eat(">>")) {
                    v >>>= additive();
                } else {
                    return v;
                }
            }
        }

        private long additive() {
            long v = multiplicative();
            while (true) {
                if (eat("+")) {
                    v += multiplicative();
                } else if (eat("-")) {
                    v -= multiplicative();
                } else {
                    return v;
                }
            }
        }

        private long multiplicative() {
            long v = power();
            while (true) {
                if (eat("*")) {
                    v *= power();
                } else if (eat("/")) {
                    long d = power();
                    if (d == 0) {
                        throw new CommandException("divide by zero: " + s);
                    }
                    v = Long.divideUnsigned(v, d);
                } else if (eat("%")) {
                    long d = power();
                    if (d == 0) {
                        throw new CommandException("divide by zero: " + s);
                    }
                    v = Long.remainderUnsigned(v, d);
                } else {
                    return v;
                }
            }
        }

        private long power() {
            long v = unary();
            if (eat("#")) {
                long e = power();
                long r = 1;
                for (long k = 0; k < e; k++) {
                    r *= v;
                }
                return r;
            }
            return v;
        }

        private long unary() {
            if (eat("~")) {
                return ~unary();
            }
            if (eat("-")) {
                return -unary();
            }
            if (eat("+")) {
                return unary();
            }
            if (eat("(")) {
                long v = expression();
                if (!eat(")")) {
                    throw new CommandException("invalid expression: " + s);
                }
                return v;
            }
            return operand();
        }

        private long operand() {
            skip();
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '.')) {
                i++;
            }
            String w = s.substring(start, i);
            if (w.isEmpty()) {
                throw new CommandException("invalid expression: " + s);
            }
            Optional<KernelSymbols.Symbol> sym = ctx.symbols().lookup(w);
            if (sym.isPresent()) {
                return sym.get().address();
            }
            long factor = 1;
            char last = Character.toLowerCase(w.charAt(w.length() - 1));
            String num = w;
            if ((last == 'k' || last == 'm' || last == 'g') && w.length() > 1 && !w.startsWith("0x")) {
                factor = last == 'k' ? 1024 : last == 'm' ? 1L << 20 : 1L << 30;
                num = w.substring(0, w.length() - 1);
            }
            long v;
            if (num.startsWith("0x") || num.startsWith("0X")) {
                v = Long.parseUnsignedLong(num.substring(2), 16);
            } else if (num.chars().allMatch(Character::isDigit)) {
                v = Long.parseUnsignedLong(num);
            } else if (num.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                v = Long.parseUnsignedLong(num, 16);
            } else {
                throw new CommandException("invalid expression: " + s);
            }
            return v * factor;
        }
    }
}
