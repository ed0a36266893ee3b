package org.coroner.oops.decode;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's taint state as the report prints it: {@code Not tainted}, or {@code Tainted: } followed
 * by one column per flag (a letter when set, a blank when not, 'G' in the first column for "no
 * proprietary module"). {@code unknownLetters} holds letters this table does not define (a newer
 * kernel, or a distribution's own flag) rather than dropping them.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Taint(String raw, boolean tainted, boolean proprietary, List<TaintFlag> flags, List<Character> unknownLetters) {

    public static final Taint NOT_TAINTED = new Taint("Not tainted", false, false, List.of(), List.of());

    /** Parses the letter columns that follow {@code Tainted: }, or the bracketed list of 6.12+ ({@code [O]=OOT_MODULE, [E]=...}). */
    public static Taint parse(String letters) {
        List<TaintFlag> flags = new ArrayList<>();
        List<Character> unknown = new ArrayList<>();
        boolean proprietary = false;
        String s = letters.strip();
        boolean bracketed = s.startsWith("[");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (bracketed) {
                if (c != '[' || i + 2 >= s.length() || s.charAt(i + 2) != ']') {
                    continue;
                }
                c = s.charAt(i + 1);
                i += 2;
            }
            if (c == ' ' || c == 'G') {
                continue;
            }
            if (!Character.isUpperCase(c)) {
                continue;
            }
            var f = TaintFlag.byLetter(c);
            if (f.isPresent()) {
                if (!flags.contains(f.get())) {
                    flags.add(f.get());
                }
                proprietary |= c == 'P';
            } else if (!unknown.contains(c)) {
                unknown.add(c);
            }
        }
        return new Taint("Tainted: " + s, true, proprietary, List.copyOf(flags), List.copyOf(unknown));
    }

    /** The set letters, in the kernel's order, e.g. "OE". */
    public String letters() {
        StringBuilder b = new StringBuilder();
        flags.forEach(f -> b.append(f.letter()));
        unknownLetters.forEach(b::append);
        return b.toString();
    }

    public boolean has(char letter) {
        return flags.stream().anyMatch(f -> f.letter() == letter) || unknownLetters.contains(letter);
    }
}
