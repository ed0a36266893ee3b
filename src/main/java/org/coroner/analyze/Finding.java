package org.coroner.analyze;

import java.util.ArrayList;
import java.util.List;

/**
 * What one analysis step concluded: a kind, a sentence, a place, a confidence and its evidence.
 * Steps that only add evidence leave {@code kind} null.
 */
final class Finding {
    Kind kind;
    String summary;
    CodeLocation location;
    Confidence confidence = Confidence.LOW;
    final List<Evidence> evidence = new ArrayList<>();

    Finding(Kind kind) {
        this.kind = kind;
    }

    Finding add(String source, String statement, String derivation) {
        evidence.add(Evidence.of(source, statement, derivation));
        return this;
    }

    Verdict verdict() {
        return new Verdict(kind, summary, location, confidence);
    }
}
