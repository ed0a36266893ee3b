package org.coroner.expr;

import java.util.Optional;

import org.coroner.memory.VirtualMemory;
import org.coroner.types.BaseTypes;
import org.coroner.types.CType;
import org.coroner.types.DerivedTypes;

/**
 * Evaluates a parsed {@link Expression} over the dump: symbols are objects at their addresses,
 * members and subscripts are objects inside them, pointers are followed into memory, arithmetic
 * follows C's conversions on the target's type sizes (LP64). Nothing is written: assignments and
 * calls are refused, as a dump has no process to run them.
 */
public final class Evaluator {
    /** What names mean where the expression is evaluated. */
    public interface Scope {
        VirtualMemory memory();

        /** A global variable or function as an object in memory. */
        Optional<Operand> symbol(String name);

        /** An enumerator's value, typed with its enum. */
        Optional<Operand> enumerator(String name);

        Optional<CType> type(String cName);

        /** {@code $N}: absolute when not relative; relative 0 is the last value, 1 the one before. */
        Optional<Operand> history(int n, boolean relative);
    }

    private final Scope scope;
    private final VirtualMemory mem;

    public Evaluator(Scope scope) {
        this.scope = scope;
        this.mem = scope.memory();
    }

    public Operand eval(Expression.Node n) {
        return switch (n) {
            case Expression.Name x -> name(x.name());
            case Expression.Number x -> number(x);
            case Expression.Char x -> Operand.of(BaseTypes.CHAR, x.value());
            case Expression.History x -> scope.history(x.index(), x.relative())
                    .orElseThrow(() -> new EvalException(x.relative() ? "History is empty." : "History has not yet reached $" + x.index() + "."));
            case Expression.Member x -> member(eval(x.of()), x.member());
            case Expression.Index x -> index(eval(x.of()), eval(x.index()));
            case Expression.Unary x -> unary(x.op(), x.operand());
            case Expression.Binary x -> binary(x.op(), x.left(), x.right());
            case Expression.Ternary x -> truth(eval(x.cond())) ? eval(x.then()) : eval(x.otherwise());
            case Expression.Cast x -> cast(type(x.type()), eval(x.operand()));
            case Expression.SizeofType x -> Operand.of(BaseTypes.UNSIGNED_LONG, type(x.type()).size());
            case Expression.Call x -> throw new EvalException("You can't do that without a process to debug.");
        };
    }

    /** The type a type name denotes. */
    public CType type(Expression.TypeName tn) {
        CType t = scope.type(tn.base()).orElseThrow(() -> new EvalException(noType(tn.base())));
        for (int i = 0; i < tn.pointers(); i++) {
            t = DerivedTypes.pointer(t);
        }
        for (int i = tn.arrays().size() - 1; i >= 0; i--) {
            t = DerivedTypes.array(t, tn.arrays().get(i));
        }
        return t;
    }

    static String noType(String base) {
        for (String k : new String[] {"struct ", "union ", "enum "}) {
            if (base.startsWith(k)) {
                return "No " + k + "type named " + base.substring(k.length()) + ".";
            }
        }
        return "No symbol \"" + base + "\" in current context.";
    }

    private Operand name(String name) {
        Optional<Operand> s = scope.symbol(name);
        if (s.isPresent()) {
            return s.get();
        }
        return scope.enumerator(name).orElseThrow(() -> new EvalException("No symbol \"" + name + "\" in current context."));
    }

    private static Operand number(Expression.Number x) {
        long v = x.value();
        boolean fitsInt = x.unsigned() ? (v >>> 32) == 0 : (v >>> 32) == 0;
        CType t;
        if (!x.isLong() && fitsInt) {
            t = x.unsigned() || (v & 0x80000000L) != 0 ? BaseTypes.UNSIGNED_INT : BaseTypes.INT;
        } else {
            t = x.unsigned() || v < 0 ? BaseTypes.UNSIGNED_LONG : BaseTypes.LONG;
        }
        return Operand.of(t, v);
    }

    /** Follows pointers as gdb's member access does ({@code p.x} on a pointer works too). */
    private Operand member(Operand o, String name) {
        CType r = o.type().resolve();
        if (r.kind() == CType.Kind.POINTER) {
            o = deref(o);
            r = o.type().resolve();
        }
        if (r.kind() != CType.Kind.STRUCT && r.kind() != CType.Kind.UNION) {
            throw new EvalException("Attempt to extract a component of a value that is not a structure"
                    + (o.type().resolve().kind() == CType.Kind.POINTER ? " pointer." : "."));
        }
        CType.Field f = r.field(name).orElseThrow(() -> new EvalException("There is no member named " + name + "."));
        return field(o, f);
    }

    /** A member as an operand: an object at its offset, or the extracted value of a bit field. */
    public Operand field(Operand o, CType.Field f) {
        if (f.bitSize() != 0) {
            byte[] b = o.bytes(mem);
            long bit = f.bitOffset();
            int first = (int) (bit / 8);
            int shift = (int) (bit % 8);
            long raw = 0;
            for (int k = 0; k < 8 && first + k < b.length; k++) {
                raw |= (long) (b[first + k] & 0xff) << (8 * k);
            }
            long v = (raw >>> shift) & (f.bitSize() >= 64 ? -1L : (1L << f.bitSize()) - 1);
            if (f.type().resolve().isSigned() && f.bitSize() < 64) {
                int s = 64 - f.bitSize();
                v = (v << s) >> s;
            }
            return Operand.of(f.type(), v);
        }
        if (o.isLvalue()) {
            return Operand.at(f.type(), o.address() + f.offset());
        }
        byte[] b = o.bytes(mem);
        int size = (int) f.type().size();
        byte[] part = new byte[size];
        System.arraycopy(b, (int) f.offset(), part, 0, Math.min(size, b.length - (int) f.offset()));
        return Operand.of(f.type(), part);
    }

    private Operand index(Operand o, Operand i) {
        CType r = o.type().resolve();
        long k = i.scalar(mem);
        if (r.kind() == CType.Kind.ARRAY) {
            CType e = r.target();
            if (o.isLvalue()) {
                return Operand.at(e, o.address() + k * e.size());
            }
            byte[] b = o.bytes(mem);
            int size = (int) e.size();
            if (k < 0 || (k + 1) * size > b.length) {
                throw new EvalException("no such vector element");
            }
            byte[] part = new byte[size];
            System.arraycopy(b, (int) (k * size), part, 0, size);
            return Operand.of(e, part);
        }
        if (r.kind() == CType.Kind.POINTER) {
            CType e = target(r);
            return Operand.at(e, o.scalar(mem) + k * Math.max(1, e.size()));
        }
        throw new EvalException("cannot subscript something of type `" + o.type().cName() + "'");
    }

    private static CType target(CType pointer) {
        return pointer.target() == null ? BaseTypes.VOID : pointer.target();
    }

    private Operand deref(Operand o) {
        CType r = o.type().resolve();
        switch (r.kind()) {
            case POINTER -> {
                CType t = target(r);
                if (t.resolve().kind() == CType.Kind.VOID) {
                    throw new EvalException("Attempt to take contents of a non-pointer value.");
                }
                return Operand.at(t, o.scalar(mem));
            }
            case ARRAY -> {
                return o.isLvalue() ? Operand.at(r.target(), o.address()) : index(o, Operand.integer(0));
            }
            case FUNCTION -> {
                return o;
            }
            default -> throw new EvalException("Attempt to take contents of a non-pointer value.");
        }
    }

    private Operand unary(String op, Expression.Node operand) {
        if (op.equals("sizeof")) {
            Operand o = eval(operand);
            return Operand.of(BaseTypes.UNSIGNED_LONG, o.type().size());
        }
        Operand o = eval(operand);
        switch (op) {
            case "*" -> {
                return deref(o);
            }
            case "&" -> {
                if (!o.isLvalue()) {
                    throw new EvalException("Attempt to take address of value not located in memory.");
                }
                return Operand.of(DerivedTypes.pointer(o.type()), o.address());
            }
            default -> {
            }
        }
        CType r = o.type().resolve();
        if (r.kind() == CType.Kind.POINTER && op.equals("!")) {
            return Operand.of(BaseTypes.INT, o.scalar(mem) == 0 ? 1 : 0);
        }
        requireNumber(o, op);
        CType t = promote(o.type());
        long v = o.scalar(mem);
        return switch (op) {
            case "-" -> Operand.of(t, fit(t, -v));
            case "+" -> Operand.of(t, fit(t, v));
            case "~" -> Operand.of(t, fit(t, ~v));
            default -> Operand.of(BaseTypes.INT, v == 0 ? 1 : 0);
        };
    }

    private void requireNumber(Operand o, String op) {
        CType.Kind k = o.type().resolve().kind();
        if (k != CType.Kind.INT && k != CType.Kind.CHAR && k != CType.Kind.BOOL && k != CType.Kind.ENUM) {
            throw new EvalException("Argument to arithmetic operation not a number or boolean.");
        }
    }

    private boolean truth(Operand o) {
        CType.Kind k = o.type().resolve().kind();
        if (k == CType.Kind.STRUCT || k == CType.Kind.UNION) {
            throw new EvalException("Argument to logical operation not a number or boolean.");
        }
        return o.scalar(mem) != 0;
    }

    /** C's integer promotion: below int becomes int; enums as their size. */
    static CType promote(CType t) {
        CType r = t.resolve();
        long size = r.size();
        if (size < 4) {
            return BaseTypes.INT;
        }
        return BaseTypes.integer((int) Math.min(8, size), r.isSigned() || r.kind() == CType.Kind.ENUM && size == 4 && r.isSigned());
    }

    /** C's usual arithmetic conversions of two promoted integer types. */
    static CType common(CType a, CType b) {
        CType pa = promote(a);
        CType pb = promote(b);
        if (pa.size() != pb.size()) {
            CType big = pa.size() > pb.size() ? pa : pb;
            return big;
        }
        return BaseTypes.integer((int) pa.size(), pa.isSigned() && pb.isSigned());
    }

    static long fit(CType t, long v) {
        int size = (int) Math.min(8, t.resolve().size());
        if (size >= 8) {
            return v;
        }
        int s = 64 - 8 * size;
        return t.resolve().isSigned() ? (v << s) >> s : v & ((1L << (8 * size)) - 1);
    }

    /** Arrays and functions used as values become pointers to their first element / to themselves. */
    private Operand decay(Operand o) {
        CType r = o.type().resolve();
        if (r.kind() == CType.Kind.ARRAY && o.isLvalue()) {
            return Operand.of(DerivedTypes.pointer(r.target()), o.address());
        }
        if (r.kind() == CType.Kind.FUNCTION && o.isLvalue()) {
            return Operand.of(DerivedTypes.pointer(o.type()), o.address());
        }
        return o;
    }

    private Operand binary(String op, Expression.Node ln, Expression.Node rn) {
        if (op.equals(",")) {
            eval(ln);
            return eval(rn);
        }
        if (op.equals("&&")) {
            return Operand.of(BaseTypes.INT, truth(eval(ln)) && truth(eval(rn)) ? 1 : 0);
        }
        if (op.equals("||")) {
            return Operand.of(BaseTypes.INT, truth(eval(ln)) || truth(eval(rn)) ? 1 : 0);
        }
        Operand l = decay(eval(ln));
        Operand r = decay(eval(rn));
        CType lt = l.type().resolve();
        CType rt = r.type().resolve();
        boolean lp = lt.kind() == CType.Kind.POINTER;
        boolean rp = rt.kind() == CType.Kind.POINTER;
        if (lp || rp) {
            return pointerArithmetic(op, l, r, lp, rp);
        }
        requireNumber(l, op);
        requireNumber(r, op);
        long a = l.scalar(mem);
        long b = r.scalar(mem);
        if (op.equals("<<") || op.equals(">>")) {
            CType t = promote(l.type());
            long v = op.equals("<<") ? a << b : t.isSigned() ? a >> b : (t.size() >= 8 ? a >>> b : (a & 0xffffffffL) >>> b);
            return Operand.of(t, fit(t, v));
        }
        CType t = common(l.type(), r.type());
        boolean signed = t.isSigned();
        a = fit(t, a);
        b = fit(t, b);
        return switch (op) {
            case "+" -> Operand.of(t, fit(t, a + b));
            case "-" -> Operand.of(t, fit(t, a - b));
            case "*" -> Operand.of(t, fit(t, a * b));
            case "/", "%" -> {
                if (b == 0) {
                    throw new EvalException("Division by zero");
                }
                long v = op.equals("/") ? (signed ? a / b : Long.divideUnsigned(a, b)) : (signed ? a % b : Long.remainderUnsigned(a, b));
                yield Operand.of(t, fit(t, v));
            }
            case "&" -> Operand.of(t, a & b);
            case "|" -> Operand.of(t, a | b);
            case "^" -> Operand.of(t, a ^ b);
            default -> Operand.of(BaseTypes.INT, compare(op, signed ? Long.compare(a, b) : Long.compareUnsigned(a, b)) ? 1 : 0);
        };
    }

    private static boolean compare(String op, int c) {
        return switch (op) {
            case "==" -> c == 0;
            case "!=" -> c != 0;
            case "<" -> c < 0;
            case ">" -> c > 0;
            case "<=" -> c <= 0;
            case ">=" -> c >= 0;
            default -> throw new EvalException("A syntax error in expression, near `" + op + "'.");
        };
    }

    private Operand pointerArithmetic(String op, Operand l, Operand r, boolean lp, boolean rp) {
        long a = l.scalar(mem);
        long b = r.scalar(mem);
        switch (op) {
            case "+" -> {
                if (lp && rp) {
                    throw new EvalException("Argument to arithmetic operation not a number or boolean.");
                }
                Operand p = lp ? l : r;
                long k = lp ? b : a;
                long size = Math.max(1, target(p.type().resolve()).size());
                return Operand.of(p.type(), (lp ? a : b) + k * size);
            }
            case "-" -> {
                if (lp && rp) {
                    long size = Math.max(1, target(l.type().resolve()).size());
                    return Operand.of(BaseTypes.LONG, (a - b) / size);
                }
                if (!lp) {
                    throw new EvalException("Argument to arithmetic operation not a number or boolean.");
                }
                long size = Math.max(1, target(l.type().resolve()).size());
                return Operand.of(l.type(), a - b * size);
            }
            case "==", "!=", "<", ">", "<=", ">=" -> {
                return Operand.of(BaseTypes.INT, compare(op, Long.compareUnsigned(a, b)) ? 1 : 0);
            }
            case "&", "|", "^", "*", "/", "%", "<<", ">>" -> {
                // gdb does the integer operation on the pointer's value
                return binaryOnIntegers(op, a, b);
            }
            default -> throw new EvalException("Argument to arithmetic operation not a number or boolean.");
        }
    }

    private static Operand binaryOnIntegers(String op, long a, long b) {
        CType t = BaseTypes.LONG;
        long v = switch (op) {
            case "&" -> a & b;
            case "|" -> a | b;
            case "^" -> a ^ b;
            case "*" -> a * b;
            case "<<" -> a << b;
            case ">>" -> a >> b;
            default -> {
                if (b == 0) {
                    throw new EvalException("Division by zero");
                }
                yield op.equals("/") ? a / b : a % b;
            }
        };
        return Operand.of(t, v);
    }

    /** A cast: scalars convert their value, an object reinterpreted as an aggregate keeps its address. */
    public Operand cast(CType to, Operand o) {
        CType r = to.resolve();
        switch (r.kind()) {
            case STRUCT, UNION, ARRAY -> {
                if (o.isLvalue()) {
                    return Operand.at(to, o.address());
                }
                if (o.type().size() == to.size()) {
                    return o.retype(to);
                }
                throw new EvalException("Invalid cast.");
            }
            case VOID -> {
                return Operand.of(to, new byte[0]);
            }
            case FUNCTION -> {
                return o.isLvalue() ? Operand.at(to, o.address()) : Operand.at(to, o.scalar(mem));
            }
            default -> {
                CType.Kind from = o.type().resolve().kind();
                if (from == CType.Kind.STRUCT || from == CType.Kind.UNION) {
                    throw new EvalException("Invalid cast.");
                }
                long v = decay(o).scalar(mem);
                if (r.kind() == CType.Kind.BOOL) {
                    v = v != 0 ? 1 : 0;
                }
                return Operand.of(to, r.kind() == CType.Kind.POINTER ? v : fit(to, v));
            }
        }
    }
}
