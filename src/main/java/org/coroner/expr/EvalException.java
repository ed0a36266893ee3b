package org.coroner.expr;

/** An expression that cannot be evaluated, with gdb's wording ({@code No symbol "x" in current context.}). */
public final class EvalException extends RuntimeException {
    public EvalException(String message) {
        super(message, null, false, false);
    }
}
