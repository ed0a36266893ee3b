package org.coroner.dwarf;

import java.util.HashMap;
import java.util.Map;

import org.coroner.io.Bytes;
import org.coroner.io.Cursor;

/** One abbreviation declaration of `.debug_abbrev`: tag, children flag, (attribute, form, implicit const) triples. */
public record Abbrev(long code, int tag, boolean hasChildren, int[] attributes, int[] forms, long[] implicitConsts) {

    /** DW_FORM_implicit_const: its value lives in the abbreviation, not in the DIE. */
    public static final int DW_FORM_IMPLICIT_CONST = 0x21;

    /** Parses the abbreviation table starting at {@code offset}; tables are shared by units, so callers cache by offset. */
    public static Map<Long, Abbrev> parseTable(Bytes abbrevSection, long offset) {
        Map<Long, Abbrev> table = new HashMap<>();
        Cursor c = new Cursor(abbrevSection, offset);
        while (!c.atEnd()) {
            long code = c.uleb();
            if (code == 0) break;
            int tag = (int) c.uleb();
            boolean children = c.u8() != 0;
            int n = 0;
            int[] at = new int[8], fm = new int[8];
            long[] ic = new long[8];
            while (true) {
                int a = (int) c.uleb(), f = (int) c.uleb();
                if (a == 0 && f == 0) break;
                if (n == at.length) {
                    at = java.util.Arrays.copyOf(at, n * 2);
                    fm = java.util.Arrays.copyOf(fm, n * 2);
                    ic = java.util.Arrays.copyOf(ic, n * 2);
                }
                at[n] = a;
                fm[n] = f;
                ic[n] = f == DW_FORM_IMPLICIT_CONST ? c.sleb() : 0;
                n++;
            }
            table.put(code, new Abbrev(code, tag, children, java.util.Arrays.copyOf(at, n),
                    java.util.Arrays.copyOf(fm, n), java.util.Arrays.copyOf(ic, n)));
        }
        return table;
    }
}
