/**
 * DWARF 2-5 reader over {@link org.coroner.elf.ElfFile} sections: {@link org.coroner.dwarf.DwarfFile} (lazy
 * per-section views, unit cache, `.debug_aranges` index), {@link org.coroner.dwarf.CompileUnit} (header,
 * abbreviations, str_offsets/addr/rnglists/loclists bases, DIE reading), {@link org.coroner.dwarf.Form}
 * (every form), {@link org.coroner.dwarf.LineTable} (`.debug_line` v4/v5).
 * Not yet here: range lists, location lists, inlined chains, the type model, the name index, the symbolizer.
 */
package org.coroner.dwarf;
