package org.coroner.analyze;

import java.util.List;

/**
 * What {@code coroner analyze} found: the verdict, the numbered evidence, the context, and caveats.
 *
 * @param input    what was analyzed (the vmcore, or the log)
 * @param source   {@code vmcore} or {@code log}
 * @param notes    caveats: partial results, missing debug info, what could not be read
 */
public record Analysis(String input, String source, Verdict verdict, List<Evidence> evidence, Context context,
                       List<String> notes) {
}
