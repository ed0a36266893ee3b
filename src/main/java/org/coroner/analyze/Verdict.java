package org.coroner.analyze;

/**
 * The root cause, stated first.
 *
 * @param kind       from the fixed vocabulary
 * @param summary    one sentence of cause
 * @param location   where (null when the cause has no one place, e.g. a deadlock cycle)
 * @param confidence how sure
 */
public record Verdict(Kind kind, String summary, CodeLocation location, Confidence confidence) {
}
