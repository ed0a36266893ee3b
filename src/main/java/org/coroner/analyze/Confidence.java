package org.coroner.analyze;

/**
 * How sure the verdict is. HIGH: every link of the chain was read from the dump or stated by the
 * kernel; MEDIUM: the class is certain but a link is inferred (e.g. a lock holder found by code
 * scanning); LOW: only the kernel's own message or a pattern supports it.
 */
public enum Confidence {
    HIGH, MEDIUM, LOW;

    public String id() {
        return name().toLowerCase();
    }
}
