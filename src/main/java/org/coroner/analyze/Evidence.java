package org.coroner.analyze;

/**
 * One fact behind a verdict.
 *
 * @param statement  what is true ({@code %rax held d->ops, which is NULL})
 * @param derivation how it was found: the register, the memory read, the DWARF fact, the log line
 * @param source     the kind of source: {@code register}, {@code memory}, {@code dwarf}, {@code code},
 *                   {@code log}, {@code kernel} (kernel data structures), {@code inference}
 */
public record Evidence(String statement, String derivation, String source) {
    public static Evidence of(String source, String statement, String derivation) {
        return new Evidence(statement, derivation, source);
    }
}
