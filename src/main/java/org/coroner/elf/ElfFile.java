package org.coroner.elf;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.LongUnaryOperator;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import org.coroner.io.BadInputException;
import org.coroner.io.Bytes;
import org.coroner.io.MappedFile;

/**
 * An ELF file (32 or 64 bit, either byte order): headers, sections, segments, notes, symbols and
 * relocations. Reads lazily from a mapping; the section headers are parsed on open, symbols on
 * first use. Used for vmlinux, kernel modules and ELF vmcores alike.
 */
public final class ElfFile implements AutoCloseable {
    public static final int EM_386 = 3;
    public static final int EM_X86_64 = 62;
    public static final int EM_AARCH64 = 183;

    public static final int ET_REL = 1;
    public static final int ET_EXEC = 2;
    public static final int ET_DYN = 3;
    public static final int ET_CORE = 4;

    public static final int SHT_PROGBITS = 1;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;
    public static final int SHT_RELA = 4;
    public static final int SHT_NOTE = 7;
    public static final int SHT_NOBITS = 8;
    public static final int SHT_REL = 9;
    public static final long SHF_ALLOC = 0x2;
    public static final long SHF_EXECINSTR = 0x4;
    public static final long SHF_COMPRESSED = 0x800;

    public static final int PT_LOAD = 1;
    public static final int PT_NOTE = 4;

    private final MappedFile file;
    private final Path path;
    private final Bytes bytes;
    private final boolean is64;
    private final int type;
    private final int machine;
    private final long entry;
    private final List<Section> sections;
    private final List<Segment> segments;
    private volatile SymbolTable symtab;

    /** A section header; {@code index} is its position in the table. */
    public record Section(int index, String name, int type, long flags, long addr, long offset, long size,
                          int link, int info, long addralign, long entsize) {
        public boolean isAlloc() {
            return (flags & SHF_ALLOC) != 0;
        }

        public boolean isExec() {
            return (flags & SHF_EXECINSTR) != 0;
        }

        public boolean contains(long address) {
            return Long.compareUnsigned(address, addr) >= 0 && Long.compareUnsigned(address - addr, size) < 0;
        }
    }

    /** A program header. */
    public record Segment(int type, int flags, long offset, long vaddr, long paddr, long filesz, long memsz,
                          long align) {
    }

    /** A note: owner name, type and descriptor bytes. */
    public record Note(String name, int type, Bytes desc) {
    }

    private ElfFile(MappedFile file) {
        this.file = file;
        this.path = file.path();
        MemorySegment seg = file.segment();
        if (seg.byteSize() < 16 || seg.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 0) != 0x7f454c46) {
            throw new BadInputException(path, "not an ELF file");
        }
        Bytes probe = Bytes.le(seg);
        int cls = probe.u8(4);
        int data = probe.u8(5);
        if (cls != 1 && cls != 2) {
            throw new BadInputException(path, "ELF file with unknown class " + cls);
        }
        if (data != 1 && data != 2) {
            throw new BadInputException(path, "ELF file with unknown byte order " + data);
        }
        this.is64 = cls == 2;
        this.bytes = new Bytes(seg, data == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int ehsize = is64 ? 64 : 52;
        if (seg.byteSize() < ehsize) {
            throw new BadInputException(path, "truncated ELF header (" + seg.byteSize() + " bytes)");
        }
        this.type = bytes.u16(16);
        this.machine = bytes.u16(18);
        this.entry = is64 ? bytes.u64(24) : bytes.u32(24);
        long phoff = is64 ? bytes.u64(32) : bytes.u32(28);
        long shoff = is64 ? bytes.u64(40) : bytes.u32(32);
        // e_ehsize is not checked: QEMU's dump-guest-memory writes a wrong one.
        int phentsize = bytes.u16(is64 ? 54 : 42);
        int phnum = bytes.u16(is64 ? 56 : 44);
        int shentsize = bytes.u16(is64 ? 58 : 46);
        int shnum = bytes.u16(is64 ? 60 : 48);
        int shstrndx = bytes.u16(is64 ? 62 : 50);
        this.segments = readSegments(phoff, phentsize, phnum);
        this.sections = readSections(shoff, shentsize, shnum, shstrndx);
    }

    /** Opens and maps an ELF file; anything that is not a readable ELF file is a {@link BadInputException}. */
    public static ElfFile open(Path path) {
        MappedFile mf = MappedFile.open(path);
        try {
            return new ElfFile(mf);
        } catch (RuntimeException e) {
            mf.close();
            if (e instanceof BadInputException) {
                throw e;
            }
            throw new BadInputException(path, "malformed ELF file (" + e.getMessage() + ")");
        }
    }

    /**
     * Reads an ELF file from an existing mapping, which the returned ElfFile then owns (closing it
     * unmaps). On failure the mapping is left open for the caller.
     */
    public static ElfFile open(MappedFile mf) {
        try {
            return new ElfFile(mf);
        } catch (BadInputException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BadInputException(mf.path(), "malformed ELF file (" + e.getMessage() + ")");
        }
    }

    private List<Segment> readSegments(long phoff, int phentsize, int phnum) {
        if (phoff == 0 || phnum == 0) {
            return List.of();
        }
        checkRange(phoff, (long) phentsize * phnum, "program header table");
        List<Segment> out = new ArrayList<>(phnum);
        for (int k = 0; k < phnum; k++) {
            long o = phoff + (long) k * phentsize;
            if (is64) {
                out.add(new Segment(bytes.s32(o), bytes.s32(o + 4), bytes.u64(o + 8), bytes.u64(o + 16),
                        bytes.u64(o + 24), bytes.u64(o + 32), bytes.u64(o + 40), bytes.u64(o + 48)));
            } else {
                out.add(new Segment(bytes.s32(o), bytes.s32(o + 24), bytes.u32(o + 4), bytes.u32(o + 8),
                        bytes.u32(o + 12), bytes.u32(o + 16), bytes.u32(o + 20), bytes.u32(o + 28)));
            }
        }
        return Collections.unmodifiableList(out);
    }

    private List<Section> readSections(long shoff, int shentsize, int shnum, int shstrndx) {
        if (shoff == 0) {
            return List.of();
        }
        if (shnum == 0 && shoff + shentsize <= bytes.size()) {
            // Extended numbering: the real count is in section 0's sh_size.
            shnum = (int) (is64 ? bytes.u64(shoff + 32) : bytes.u32(shoff + 20));
        }
        checkRange(shoff, (long) shentsize * shnum, "section header table");
        long[][] raw = new long[shnum][];
        for (int k = 0; k < shnum; k++) {
            long o = shoff + (long) k * shentsize;
            if (is64) {
                raw[k] = new long[] {bytes.u32(o), bytes.u32(o + 4), bytes.u64(o + 8), bytes.u64(o + 16),
                        bytes.u64(o + 24), bytes.u64(o + 32), bytes.u32(o + 40), bytes.u32(o + 44),
                        bytes.u64(o + 48), bytes.u64(o + 56)};
            } else {
                raw[k] = new long[] {bytes.u32(o), bytes.u32(o + 4), bytes.u32(o + 8), bytes.u32(o + 12),
                        bytes.u32(o + 16), bytes.u32(o + 20), bytes.u32(o + 24), bytes.u32(o + 28),
                        bytes.u32(o + 32), bytes.u32(o + 36)};
            }
        }
        if (shstrndx == 0xffff && shnum > 0) {
            shstrndx = (int) raw[0][6];
        }
        long strOff = shstrndx < shnum ? raw[shstrndx][4] : -1;
        List<Section> out = new ArrayList<>(shnum);
        for (int k = 0; k < shnum; k++) {
            long[] r = raw[k];
            String name = strOff >= 0 && strOff + r[0] < bytes.size() ? bytes.cstring(strOff + r[0]) : "";
            out.add(new Section(k, name, (int) r[1], r[2], r[3], r[4], r[5], (int) r[6], (int) r[7], r[8], r[9]));
        }
        return Collections.unmodifiableList(out);
    }

    private void checkRange(long off, long len, String what) {
        if (off < 0 || len < 0 || off + len > bytes.size()) {
            throw new BadInputException(path, "truncated: " + what + " at offset 0x" + Long.toHexString(off)
                    + " runs past the end of the file (" + bytes.size() + " bytes)");
        }
    }

    public Path path() {
        return path;
    }

    public boolean is64() {
        return is64;
    }

    public ByteOrder order() {
        return bytes.order();
    }

    public int type() {
        return type;
    }

    public int machine() {
        return machine;
    }

    public long entry() {
        return entry;
    }

    /** The whole file. */
    public Bytes bytes() {
        return bytes;
    }

    public String machineName() {
        return switch (machine) {
            case EM_386 -> "i386";
            case EM_X86_64 -> "x86_64";
            case EM_AARCH64 -> "arm64";
            default -> "machine " + machine;
        };
    }

    public List<Section> sections() {
        return sections;
    }

    public List<Segment> segments() {
        return segments;
    }

    public Optional<Section> section(String name) {
        for (Section s : sections) {
            if (s.name.equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    public Section section(int index) {
        return sections.get(index);
    }

    /**
     * The contents of a section, decompressed if {@code SHF_COMPRESSED}. NOBITS sections read as
     * empty. Bytes beyond the end of the file are a {@link BadInputException}.
     */
    public Bytes data(Section s) {
        if (s.type == SHT_NOBITS) {
            return new Bytes(MemorySegment.ofArray(new byte[0]), bytes.order());
        }
        checkRange(s.offset, s.size, "section " + s.name);
        Bytes raw = bytes.slice(s.offset, s.size);
        if ((s.flags & SHF_COMPRESSED) != 0) {
            return decompress(s, raw);
        }
        return raw;
    }

    /** The contents of the named section, if present. */
    public Optional<Bytes> data(String name) {
        return section(name).map(this::data);
    }

    private Bytes decompress(Section s, Bytes raw) {
        int chType = (int) raw.u32(0);
        long size = is64 ? raw.u64(8) : raw.u32(4);
        int hdr = is64 ? 24 : 12;
        if (size > Integer.MAX_VALUE) {
            throw new BadInputException(path, "compressed section " + s.name + " too large");
        }
        byte[] out = new byte[(int) size];
        byte[] in = raw.bytes(hdr, (int) (raw.size() - hdr));
        if (chType == 1) {
            Inflater inf = new Inflater();
            try {
                inf.setInput(in);
                int n = 0;
                while (n < out.length && !inf.finished()) {
                    int k = inf.inflate(out, n, out.length - n);
                    if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
                        break;
                    }
                    n += k;
                }
            } catch (DataFormatException e) {
                throw new BadInputException(path, "section " + s.name + ": corrupt zlib data");
            } finally {
                inf.end();
            }
        } else if (chType == 2) {
            new io.airlift.compress.zstd.ZstdDecompressor().decompress(in, 0, in.length, out, 0, out.length);
        } else {
            throw new BadInputException(path, "section " + s.name + ": unknown compression " + chType);
        }
        return Bytes.of(out, bytes.order());
    }

    /** Contents of the file at a file offset range (for segments). */
    public Bytes fileRange(long offset, long length) {
        checkRange(offset, length, "range");
        return bytes.slice(offset, length);
    }

    /** Every note in PT_NOTE segments, or, when there are none, in SHT_NOTE sections. */
    public List<Note> notes() {
        List<Note> out = new ArrayList<>();
        boolean any = false;
        for (Segment p : segments) {
            if (p.type == PT_NOTE) {
                any = true;
                long len = Math.min(p.filesz, Math.max(0, bytes.size() - p.offset));
                parseNotes(bytes.slice(p.offset, len), out);
            }
        }
        if (!any) {
            for (Section s : sections) {
                if (s.type == SHT_NOTE) {
                    parseNotes(data(s), out);
                }
            }
        }
        return out;
    }

    /** Parses a run of ELF notes; a truncated last note is dropped. */
    public static void parseNotes(Bytes b, List<Note> out) {
        long p = 0;
        long n = b.size();
        while (p + 12 <= n) {
            long namesz = b.u32(p);
            long descsz = b.u32(p + 4);
            int ntype = (int) b.u32(p + 8);
            long nameOff = p + 12;
            long descOff = nameOff + ((namesz + 3) & ~3L);
            long next = descOff + ((descsz + 3) & ~3L);
            if (descOff + descsz > n || namesz > n) {
                break;
            }
            String name = namesz > 0 ? b.cstring(nameOff) : "";
            if (name.length() > namesz) {
                name = name.substring(0, (int) namesz);
            }
            out.add(new Note(name, ntype, b.slice(descOff, descsz)));
            p = next;
        }
    }

    /** The GNU build-id as lower-case hex, if the file has one. */
    public Optional<String> buildId() {
        for (Note note : notes()) {
            if (note.type == 3 && note.name.equals("GNU")) {
                return Optional.of(HexFormat.of().formatHex(note.desc.bytes(0, (int) note.desc.size())));
            }
        }
        return Optional.empty();
    }

    /** The static symbol table ({@code .symtab}, else {@code .dynsym}); built once, on first use. */
    public SymbolTable symbols() {
        SymbolTable t = symtab;
        if (t == null) {
            synchronized (this) {
                t = symtab;
                if (t == null) {
                    Section s = section(".symtab").or(() -> section(".dynsym")).orElse(null);
                    t = s == null ? SymbolTable.empty() : SymbolTable.read(this, s);
                    symtab = t;
                }
            }
        }
        return t;
    }

    /**
     * The contents of {@code target} with its RELA relocations applied, for relocatable files (kernel
     * modules) whose DWARF refers to other sections through relocations. {@code sectionBase} gives the
     * address assigned to each section index (0 for an unplaced object); symbol values are added to it.
     * Unknown relocation types are left unapplied.
     */
    public Bytes relocated(Section target, LongUnaryOperator sectionBase) {
        Bytes src = data(target);
        Section rela = null;
        for (Section s : sections) {
            if (s.type == SHT_RELA && s.info == target.index) {
                rela = s;
                break;
            }
        }
        if (rela == null) {
            return src;
        }
        byte[] out = src.bytes(0, (int) src.size());
        Bytes w = Bytes.of(out, bytes.order());
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(out).order(bytes.order());
        SymbolTable syms = SymbolTable.read(this, sections.get(rela.link));
        Bytes r = data(rela);
        long ent = is64 ? 24 : 12;
        for (long p = 0; p + ent <= r.size(); p += ent) {
            long off;
            long info;
            long addend;
            int rtype;
            int symIdx;
            if (is64) {
                off = r.u64(p);
                info = r.u64(p + 8);
                addend = r.u64(p + 16);
                rtype = (int) (info & 0xffffffffL);
                symIdx = (int) (info >>> 32);
            } else {
                off = r.u32(p);
                info = r.u32(p + 4);
                addend = r.s32(p + 8);
                rtype = (int) (info & 0xff);
                symIdx = (int) (info >>> 8);
            }
            int shndx = syms.shndx(symIdx);
            long base = shndx > 0 && shndx < 0xff00 ? sectionBase.applyAsLong(shndx) : 0;
            long value = base + syms.value(symIdx) + addend;
            int width = relocationWidth(rtype);
            if (width == 0 || off + width > out.length) {
                continue;
            }
            if (width == 8) {
                bb.putLong((int) off, value);
            } else {
                bb.putInt((int) off, (int) value);
            }
        }
        return w;
    }

    private int relocationWidth(int rtype) {
        return switch (machine) {
            case EM_X86_64 -> switch (rtype) {
                case 1 -> 8;          // R_X86_64_64
                case 10, 11 -> 4;     // R_X86_64_32, _32S
                default -> 0;
            };
            case EM_AARCH64 -> switch (rtype) {
                case 257 -> 8;        // R_AARCH64_ABS64
                case 258 -> 4;        // R_AARCH64_ABS32
                default -> 0;
            };
            case EM_386 -> rtype == 1 ? 4 : 0; // R_386_32
            default -> 0;
        };
    }

    @Override
    public void close() {
        file.close();
    }
}
