package org.coroner.dump;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.elf.ElfFile;
import org.coroner.io.BadInputException;
import org.coroner.io.Bytes;
import org.coroner.io.MappedFile;

/**
 * makedumpfile's kdump-compressed format (also what QEMU writes for {@code dump-guest-memory
 * -z/-l/-s}): block 0 {@code struct disk_dump_header} ("KDUMP   "), then {@code sub_hdr_size}
 * blocks of {@code struct kdump_sub_header} (phys_base, dump level, where the VMCOREINFO and
 * the ELF notes are), {@code bitmap_blocks} blocks holding two bitmaps (1st: pages that exist,
 * 2nd: pages dumped), then one 24-byte {@code page_desc} (offset, size, flags, page_flags) per
 * dumped page in pfn order, and the page data. Open reads the two headers; the bitmaps and the
 * rank index are built on the first page read; pages are decompressed on demand into an LRU.
 * Little-endian layout of a 64-bit dump (x86_64, arm64).
 */
final class KdumpCompressedDump implements Dump {
    static final String SIGNATURE = "KDUMP   ";
    private static final int HEADER_SIZE = 464;   // sizeof(struct disk_dump_header) on 64-bit
    private static final int PAGE_DESC_SIZE = 24;
    private static final int RANK_STRIDE = 8;     // bitmap words per rank entry

    private final Path path;
    private final MappedFile file;
    private final DumpBytes bytes;
    private final boolean flattened;
    private final int headerVersion;
    private final String headerMachine;
    private volatile String machine;
    private final int status;
    private final int blockSize;
    private final int nrCpus;
    private final long maxMapnr;
    private final long bitmapOffset;
    private final long bitmapHalf;
    private final long pageDescOffset;
    private final long physBase;
    private final int dumpLevel;
    private final long timestamp;
    private final long vmcoreinfoOffset;
    private final long vmcoreinfoSize;
    private final long noteOffset;
    private final long noteSize;
    private final PageCache cache = new PageCache(1024);
    private final Memory memory = new Memory();
    private volatile Bitmaps bitmaps;
    private volatile List<ElfFile.Note> notes;
    private volatile List<CpuState> cpus;

    /** The two bitmaps as words, and the number of dumped pages before each RANK_STRIDE-word block. */
    private record Bitmaps(long[] first, long[] second, long[] rank) {
    }

    KdumpCompressedDump(Path path, MappedFile file, DumpBytes bytes, boolean flattened) {
        this.path = path;
        this.file = file;
        this.bytes = bytes;
        this.flattened = flattened;
        Bytes h = fetch(0, HEADER_SIZE, "disk_dump_header");
        if (!new String(h.bytes(0, 8), StandardCharsets.US_ASCII).equals(SIGNATURE)) {
            throw new BadInputException(path, "not a kdump-compressed file (no \"KDUMP   \" signature)");
        }
        this.headerVersion = h.s32(8);
        this.headerMachine = normalizeMachine(cstring(h, 12 + 65 * 4, 65));
        this.timestamp = h.u64(408); // struct timeval after the 6 utsname fields, 8-aligned
        this.status = h.s32(424);
        this.blockSize = h.s32(428);
        int subHdrSize = h.s32(432);
        long bitmapBlocks = h.u32(436);
        long maxMapnr32 = h.u32(440);
        this.nrCpus = h.s32(460);
        if (blockSize < 512 || blockSize > (1 << 20) || Integer.bitCount(blockSize) != 1) {
            throw new BadInputException(path, "kdump-compressed header with impossible block size " + blockSize);
        }
        if (subHdrSize < 0 || subHdrSize > 1 << 20 || bitmapBlocks == 0) {
            throw new BadInputException(path, "kdump-compressed header with impossible sizes (sub header "
                    + subHdrSize + " blocks, bitmap " + bitmapBlocks + " blocks)");
        }
        Bytes sub = fetch(blockSize, 104, "kdump_sub_header");
        this.physBase = sub.u64(0);
        this.dumpLevel = headerVersion >= 1 ? sub.s32(8) : -1;
        this.vmcoreinfoOffset = headerVersion >= 3 ? sub.u64(32) : 0;
        this.vmcoreinfoSize = headerVersion >= 3 ? sub.u64(40) : 0;
        this.noteOffset = headerVersion >= 4 ? sub.u64(48) : 0;
        this.noteSize = headerVersion >= 4 ? sub.u64(56) : 0;
        this.maxMapnr = headerVersion >= 6 ? sub.u64(96) : maxMapnr32;
        this.bitmapOffset = (long) blockSize * (1 + subHdrSize);
        this.bitmapHalf = bitmapBlocks * blockSize / 2;
        this.pageDescOffset = (long) blockSize * (1 + subHdrSize + bitmapBlocks);
        if (bitmapHalf * 8 < maxMapnr) {
            throw new BadInputException(path, "kdump-compressed header: bitmaps of " + bitmapHalf
                    + " bytes cannot cover max_mapnr " + maxMapnr);
        }
        if (bytes.size() < pageDescOffset) {
            throw new BadInputException(path, "truncated: bitmaps end at offset 0x" + Long.toHexString(pageDescOffset)
                    + " but the dump holds 0x" + Long.toHexString(bytes.size()) + " bytes");
        }
    }

    private static String normalizeMachine(String m) {
        return m.equals("aarch64") ? "arm64" : m;
    }

    private static String cstring(Bytes b, int off, int max) {
        int n = 0;
        while (n < max && b.u8(off + n) != 0) {
            n++;
        }
        return new String(b.bytes(off, n), StandardCharsets.US_ASCII);
    }

    /** {@code len} bytes at logical offset {@code off}, all present, else a one-line BadInputException. */
    private Bytes fetch(long off, int len, String what) {
        byte[] b = new byte[len];
        int n = bytes.read(off, b, 0, len);
        if (n < len) {
            throw new BadInputException(path, "truncated: " + what + " at offset 0x" + Long.toHexString(off + n)
                    + " " + bytes.whyMissing(off + n));
        }
        return Bytes.of(b, ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public String formatName() {
        PageCompression c = PageCompression.ofFlags(status);
        String comp = c == null || c == PageCompression.NONE ? "uncompressed" : c.label;
        return (flattened ? "flattened kdump-compressed (" : "kdump-compressed (") + comp + ")";
    }

    @Override
    public String machine() {
        String m = machine;
        if (m == null) {
            // QEMU names no machine for arm64 guests ("Unknown"): the CPU notes' layout tells
            m = headerMachine.equals("x86_64") || headerMachine.equals("arm64") ? headerMachine
                    : CoreNotes.machineOfPrstatus(notes()).orElse(headerMachine);
            machine = m;
        }
        return m;
    }

    @Override
    public int pageSize() {
        return blockSize;
    }

    @Override
    public long maxPfn() {
        return maxMapnr;
    }

    /** {@code phys_base} as the sub header records it. */
    long physBase() {
        return physBase;
    }

    /** makedumpfile's dump level (0 keeps every page; QEMU writes 0 or 1). */
    @Override
    public java.util.OptionalLong timestamp() {
        return timestamp > 0 ? java.util.OptionalLong.of(timestamp) : java.util.OptionalLong.empty();
    }

    @Override
    public boolean partial() {
        return dumpLevel > 0;
    }

    int dumpLevel() {
        return dumpLevel;
    }

    int headerCpus() {
        return nrCpus;
    }

    @Override
    public PhysicalMemory memory() {
        return memory;
    }

    @Override
    public List<ElfFile.Note> notes() {
        List<ElfFile.Note> n = notes;
        if (n == null) {
            n = new ArrayList<>();
            if (noteOffset > 0 && noteSize > 0 && noteSize < 1 << 26) {
                byte[] b = new byte[(int) noteSize];
                int got = bytes.read(noteOffset, b, 0, b.length);
                ElfFile.parseNotes(Bytes.of(b, ByteOrder.LITTLE_ENDIAN).slice(0, got), n);
            }
            n = List.copyOf(n);
            notes = n;
        }
        return n;
    }

    @Override
    public List<CpuState> cpus() {
        List<CpuState> c = cpus;
        if (c == null) {
            c = CoreNotes.cpus(notes(), machine());
            cpus = c;
        }
        return c;
    }

    @Override
    public Optional<String> vmcoreinfo() {
        if (vmcoreinfoOffset > 0 && vmcoreinfoSize > 0 && vmcoreinfoSize < 1 << 24) {
            byte[] b = new byte[(int) vmcoreinfoSize];
            int got = bytes.read(vmcoreinfoOffset, b, 0, b.length);
            if (got == b.length) {
                return Optional.of(CoreNotes.text(Bytes.of(b, ByteOrder.LITTLE_ENDIAN)));
            }
        }
        return CoreNotes.vmcoreinfo(notes());
    }

    @Override
    public void close() {
        file.close();
    }

    private Bitmaps bitmaps() {
        Bitmaps b = bitmaps;
        if (b == null) {
            synchronized (this) {
                b = bitmaps;
                if (b == null) {
                    int words = (int) ((maxMapnr + 63) / 64);
                    long[] first = words(bitmapOffset, words);
                    long[] second = words(bitmapOffset + bitmapHalf, words);
                    long[] rank = new long[words / RANK_STRIDE + 1];
                    long count = 0;
                    for (int w = 0; w < words; w++) {
                        if (w % RANK_STRIDE == 0) {
                            rank[w / RANK_STRIDE] = count;
                        }
                        count += Long.bitCount(second[w]);
                    }
                    b = new Bitmaps(first, second, rank);
                    bitmaps = b;
                }
            }
        }
        return b;
    }

    private long[] words(long off, int words) {
        Bytes raw = fetch(off, words * 8, "bitmap");
        long[] w = new long[words];
        for (int i = 0; i < words; i++) {
            w[i] = raw.u64(8L * i);
        }
        return w;
    }

    private static boolean bit(long[] map, long pfn) {
        return (map[(int) (pfn >>> 6)] >>> (pfn & 63) & 1) != 0;
    }

    /** Number of dumped pages below {@code pfn}: the index of its page descriptor. */
    private static long rank(Bitmaps b, long pfn) {
        int w = (int) (pfn >>> 6);
        int block = w / RANK_STRIDE;
        long r = b.rank[block];
        for (int i = block * RANK_STRIDE; i < w; i++) {
            r += Long.bitCount(b.second[i]);
        }
        long mask = (1L << (pfn & 63)) - 1;
        return r + Long.bitCount(b.second[w] & mask);
    }

    private boolean dumped(long pfn) {
        return pfn >= 0 && pfn < maxMapnr && bit(bitmaps().second, pfn);
    }

    /** The page's contents, from the cache or decompressed now. */
    byte[] page(long pfn) {
        byte[] p = cache.get(pfn);
        if (p != null) {
            return p;
        }
        long paddr = pfn * blockSize;
        if (pfn < 0 || pfn >= maxMapnr) {
            throw new NotInDumpException(paddr, NotInDumpException.Reason.NOT_IN_MEMORY_MAP);
        }
        Bitmaps b = bitmaps();
        if (!bit(b.second, pfn)) {
            throw new NotInDumpException(paddr, bit(b.first, pfn)
                    ? NotInDumpException.Reason.EXCLUDED : NotInDumpException.Reason.NOT_IN_MEMORY_MAP);
        }
        long pdOff = pageDescOffset + rank(b, pfn) * PAGE_DESC_SIZE;
        byte[] pd = new byte[PAGE_DESC_SIZE];
        int got = bytes.read(pdOff, pd, 0, PAGE_DESC_SIZE);
        String pfnText = "page 0x" + Long.toHexString(pfn) + " (pfn)";
        if (got < PAGE_DESC_SIZE) {
            if ((status & PageCompression.INCOMPLETE) != 0) {
                throw new NotInDumpException(paddr, NotInDumpException.Reason.NOT_WRITTEN);
            }
            throw new UnreadablePageException(paddr, path + ": truncated: " + pfnText + " descriptor at offset 0x"
                    + Long.toHexString(pdOff + got) + " " + bytes.whyMissing(pdOff + got));
        }
        Bytes d = Bytes.of(pd, ByteOrder.LITTLE_ENDIAN);
        long dataOff = d.u64(0);
        int size = d.s32(8);
        int flags = d.s32(12);
        if (dataOff == 0 && size == 0 && (status & PageCompression.INCOMPLETE) != 0) {
            throw new NotInDumpException(paddr, NotInDumpException.Reason.NOT_WRITTEN);
        }
        PageCompression c = PageCompression.ofFlags(flags);
        if (c == null || size <= 0 || size > blockSize || dataOff <= 0
                || (c == PageCompression.NONE && size != blockSize)) {
            throw new UnreadablePageException(paddr, path + ": corrupt: " + pfnText + " descriptor at offset 0x"
                    + Long.toHexString(pdOff) + " (data offset 0x" + Long.toHexString(dataOff) + ", size " + size
                    + ", flags 0x" + Integer.toHexString(flags) + ")");
        }
        byte[] in = new byte[size];
        got = bytes.read(dataOff, in, 0, size);
        if (got < size) {
            throw new UnreadablePageException(paddr, path + ": truncated: " + pfnText + " data at offset 0x"
                    + Long.toHexString(dataOff + got) + " " + bytes.whyMissing(dataOff + got));
        }
        if (c == PageCompression.NONE) {
            p = in;
        } else {
            p = new byte[blockSize];
            int n;
            try {
                n = c.decompress(in, size, p);
            } catch (IllegalArgumentException e) {
                throw new UnreadablePageException(paddr, path + ": corrupt: " + pfnText + " " + c.label + " data at offset 0x"
                        + Long.toHexString(dataOff) + " (" + size + " bytes): " + e.getMessage());
            }
            if (n != blockSize) {
                throw new UnreadablePageException(paddr, path + ": corrupt: " + pfnText + " " + c.label + " data at offset 0x"
                        + Long.toHexString(dataOff) + " (" + size + " bytes) decompresses to " + n + " bytes, not " + blockSize);
            }
        }
        cache.put(pfn, p);
        return p;
    }

    private final class Memory implements PhysicalMemory {
        @Override
        public int pageSize() {
            return blockSize;
        }

        @Override
        public boolean contains(long paddr) {
            return dumped(Long.divideUnsigned(paddr, blockSize));
        }

        @Override
        public void read(long paddr, byte[] dst, int off, int len) {
            while (len > 0) {
                long pfn = Long.divideUnsigned(paddr, blockSize);
                int within = (int) Long.remainderUnsigned(paddr, blockSize);
                int n = Math.min(len, blockSize - within);
                byte[] page;
                try {
                    page = page(pfn);
                } catch (FaultException e) {
                    if (e.address() != paddr && e instanceof NotInDumpException nid) {
                        throw new NotInDumpException(paddr, nid.reason());
                    }
                    throw e;
                }
                System.arraycopy(page, within, dst, off, n);
                paddr += n;
                off += n;
                len -= n;
            }
        }
    }
}
