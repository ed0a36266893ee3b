package org.coroner.dwarf;

import java.util.Map;

import org.coroner.io.Cursor;

/** A `.debug_info` unit: header, abbreviations and its base attributes (str_offsets_base, addr_base, ...). */
public final class CompileUnit {
    public static final int DW_AT_str_offsets_base = 0x72, DW_AT_addr_base = 0x73, DW_AT_rnglists_base = 0x74,
            DW_AT_loclists_base = 0x8c;

    private final DwarfFile dwarf;
    private final UnitHeader header;
    private final Map<Long, Abbrev> abbrevs;
    /** The abbreviations by code when codes are small (they are dense from 1): no boxing per DIE. */
    private final Abbrev[] byCode;
    private final org.coroner.io.Bytes info;
    private long strOffsetsBase = 8, addrBase = 8, rnglistsBase = 12, loclistsBase = 12;
    private final Die root;

    CompileUnit(DwarfFile dwarf, UnitHeader header, Map<Long, Abbrev> abbrevs) {
        this.dwarf = dwarf;
        this.header = header;
        this.abbrevs = abbrevs;
        this.info = dwarf.info();
        long max = 0;
        for (long code : abbrevs.keySet()) {
            max = Math.max(max, code);
        }
        this.byCode = new Abbrev[(int) Math.min(max + 1, 1 << 16)];
        for (Abbrev a : abbrevs.values()) {
            if (a.code() > 0 && a.code() < byCode.length) {
                byCode[(int) a.code()] = a;
            }
        }
        // The bases must be known before any strx/addrx of the root itself is resolved; read them first.
        Die r = readDie(header.dieOffset());
        strOffsetsBase = r.value(DW_AT_str_offsets_base, strOffsetsBase);
        addrBase = r.value(DW_AT_addr_base, addrBase);
        rnglistsBase = r.value(DW_AT_rnglists_base, rnglistsBase);
        loclistsBase = r.value(DW_AT_loclists_base, loclistsBase);
        this.root = r;
    }

    private volatile LineTable lines;

    /** This unit's `.debug_line` program (DW_AT_stmt_list), run once; null when the unit has none. */
    public LineTable lines() {
        LineTable t = lines;
        if (t == null && root.has(0x10)) {
            t = lines = LineTable.parse(this, dwarf.line(), root.value(0x10, 0));
        }
        return t;
    }

    public UnitHeader header() {
        return header;
    }

    public DwarfFile dwarf() {
        return dwarf;
    }

    public Die root() {
        return root;
    }

    public long addrBase() {
        return addrBase;
    }

    public long rnglistsBase() {
        return rnglistsBase;
    }

    public long loclistsBase() {
        return loclistsBase;
    }

    /** Reads the DIE at absolute offset {@code off}; a null-entry (end of siblings) yields null. */
    public Die readDie(long off) {
        Cursor c = new Cursor(info, off);
        long code = c.uleb();
        if (code == 0) return null;
        Abbrev a = code >= 0 && code < byCode.length ? byCode[(int) code] : abbrevs.get(code);
        if (a == null) {
            throw new org.coroner.io.BadInputException(dwarf.name() + ": unknown abbreviation " + code
                    + " at .debug_info+0x" + Long.toHexString(off));
        }
        int[] forms = a.forms();
        long[] v = new long[forms.length];
        for (int i = 0; i < forms.length; i++) {
            long x = Form.read(c, forms[i], header, a.implicitConsts()[i], null);
            v[i] = Form.isUnitRelativeRef(forms[i]) ? x + header.offset() : x;
        }
        return new Die(this, off, a, v, c.pos());
    }

    /** Offset just past the null entry that ends the children of {@code d} (or d.next() if it has none). */
    public long skipChildren(Die d) {
        if (!d.hasChildren()) return d.next();
        long off = d.next();
        while (true) {
            Die k = readDie(off);
            if (k == null) return off + 1;
            off = k.hasChildren() ? skipChildren(k) : k.next();
        }
    }

    public String string(int form, long value) {
        return switch (form) {
            case Form.strp -> dwarf.str().cstring(value);
            case Form.line_strp -> dwarf.lineStr().cstring(value);
            case Form.string -> dwarf.info().cstring(value);
            case Form.strx, Form.strx1, Form.strx2, Form.strx3, Form.strx4 -> {
                long off = dwarf.strOffsets().uN(strOffsetsBase + value * header.offsetSize(), header.offsetSize());
                yield dwarf.str().cstring(off);
            }
            default -> null;
        };
    }

    /** The address at index {@code i} of `.debug_addr` for this unit. */
    public long address(long i) {
        return dwarf.addr().uN(addrBase + i * header.addressSize(), header.addressSize());
    }
}
