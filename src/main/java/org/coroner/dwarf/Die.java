package org.coroner.dwarf;

/**
 * One decoded DIE: its absolute `.debug_info` offset, abbreviation, attribute values (as {@link Form#read}
 * decodes them, unit-relative references made absolute) and the offset just past it.
 */
public record Die(CompileUnit unit, long offset, Abbrev abbrev, long[] values, long next) {

    public int tag() {
        return abbrev.tag();
    }

    public boolean hasChildren() {
        return abbrev.hasChildren();
    }

    /** Index of attribute {@code at}, or -1. */
    public int find(int at) {
        int[] a = abbrev.attributes();
        for (int i = 0; i < a.length; i++) {
            if (a[i] == at) return i;
        }
        return -1;
    }

    public boolean has(int at) {
        return find(at) >= 0;
    }

    public long value(int at, long dflt) {
        int i = find(at);
        return i < 0 ? dflt : values[i];
    }

    public int form(int at) {
        int i = find(at);
        return i < 0 ? 0 : abbrev.forms()[i];
    }

    /** A string attribute resolved through .debug_str / .debug_line_str / .debug_str_offsets, or null. */
    public String string(int at) {
        int i = find(at);
        return i < 0 ? null : unit.string(abbrev.forms()[i], values[i]);
    }
}
