package org.coroner.dwarf;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.coroner.elf.ElfFile;
import org.coroner.io.BadInputException;
import org.coroner.io.Bytes;

/**
 * The DWARF of one ELF file. Opening it only looks up section headers; units, abbreviation tables and
 * the aranges index are read on first use and cached. For ET_REL files (kernel modules) debug sections
 * are relocated with every SHF_ALLOC section at base 0 for now.
 */
public final class DwarfFile {
    private static final Bytes EMPTY = Bytes.of(new byte[0], java.nio.ByteOrder.LITTLE_ENDIAN);
    private final ElfFile elf;
    private final String name;
    private final Map<String, Bytes> sections = new ConcurrentHashMap<>();
    private final Map<Long, Map<Long, Abbrev>> abbrevTables = new ConcurrentHashMap<>();
    private final Map<Long, CompileUnit> units = new ConcurrentHashMap<>();
    private volatile Aranges aranges;

    public DwarfFile(ElfFile elf) {
        this.elf = elf;
        this.name = elf.path().getFileName().toString();
        if (elf.section(".debug_info").isEmpty()) {
            throw new BadInputException(name + ": no DWARF debug info (.debug_info missing)");
        }
    }

    public String name() {
        return name;
    }

    public ElfFile elf() {
        return elf;
    }

    /** A debug section's bytes (relocated for a kernel module), empty when the file has none. */
    public Bytes section(String n) {
        return sections.computeIfAbsent(n, k -> elf.section(k).map(s -> elf.type() == ElfFile.ET_REL
                ? elf.relocated(s, this::sectionBase) : elf.data(s)).orElse(EMPTY));
    }

    private volatile long[] layout;

    /**
     * Where a section of a relocatable file (kernel module) is placed in this reader's address space:
     * every SHF_ALLOC section gets its own range, in section order, aligned, so that `.text`,
     * `.init.text` and `.text.unlikely` never overlap (they all start at 0 in the file). For
     * executables the section's own address.
     */
    public long sectionBase(long index) {
        if (elf.type() != ElfFile.ET_REL) {
            return elf.section((int) index).addr();
        }
        long[] l = layout;
        if (l == null) {
            var secs = elf.sections();
            l = new long[secs.size()];
            long next = 0;
            for (ElfFile.Section s : secs) {
                if (s.isAlloc()) {
                    long align = Math.max(1, s.addralign());
                    next = (next + align - 1) / align * align;
                    l[s.index()] = next;
                    next += Math.max(s.size(), 1);
                }
            }
            layout = l;
        }
        return index >= 0 && index < l.length ? l[(int) index] : 0;
    }

    /** {@link #sectionBase(long)} by section name, if the file has that section. */
    public java.util.OptionalLong sectionBase(String name) {
        return elf.section(name).map(s -> java.util.OptionalLong.of(sectionBase(s.index())))
                .orElse(java.util.OptionalLong.empty());
    }

    public Bytes info() {
        return section(".debug_info");
    }

    public Bytes abbrev() {
        return section(".debug_abbrev");
    }

    public Bytes str() {
        return section(".debug_str");
    }

    public Bytes lineStr() {
        return section(".debug_line_str");
    }

    public Bytes strOffsets() {
        return section(".debug_str_offsets");
    }

    public Bytes line() {
        return section(".debug_line");
    }

    public Bytes addr() {
        return section(".debug_addr");
    }

    /** The unit starting at {@code offset} in `.debug_info`, parsed once. */
    public CompileUnit unitAt(long offset) {
        return units.computeIfAbsent(offset, off -> {
            UnitHeader h = UnitHeader.read(info(), off, name);
            Map<Long, Abbrev> t = abbrevTables.computeIfAbsent(h.abbrevOffset(), a -> Abbrev.parseTable(abbrev(), a));
            return new CompileUnit(this, h, t);
        });
    }

    private volatile long[] unitOffsets;

    /** The start of every unit in `.debug_info`, in order (read from the unit headers once). */
    public long[] unitOffsets() {
        long[] u = unitOffsets;
        if (u == null) {
            java.util.List<Long> list = new java.util.ArrayList<>();
            long off = 0;
            long size = info().size();
            while (off < size) {
                list.add(off);
                off = UnitHeader.read(info(), off, name).end();
            }
            u = unitOffsets = list.stream().mapToLong(Long::longValue).toArray();
        }
        return u;
    }

    /** The DIE at an absolute `.debug_info` offset, whichever unit holds it. */
    public Die dieAt(long offset) {
        long[] offs = unitOffsets();
        int i = java.util.Arrays.binarySearch(offs, offset);
        if (i < 0) {
            i = -i - 2;
        }
        return unitAt(offs[Math.max(i, 0)]).readDie(offset);
    }

    /** The unit covering {@code address} through `.debug_aranges`, or null. */
    public CompileUnit unitFor(long address) {
        Aranges a = aranges;
        if (a == null) {
            a = aranges = Aranges.parse(section(".debug_aranges"));
        }
        long off = a.unitFor(address);
        return off < 0 ? null : unitAt(off);
    }
}
