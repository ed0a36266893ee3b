package org.coroner.dump;

import java.io.IOException;
import java.io.OutputStream;
import java.io.BufferedOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.LongPredicate;

import io.airlift.compress.zstd.ZstdCompressor;
import org.coroner.elf.ElfFile;

/**
 * Test tool: writes the pages of any {@link Dump} into a new kdump-compressed file (header version
 * 6, as makedumpfile lays it out) with every page zstd-compressed by aircompressor, zero pages
 * sharing one stored zero page, pages that do not shrink stored raw, and pages chosen by
 * {@code exclude} marked as excluded (present in the 1st bitmap, absent from the 2nd).
 */
final class KdumpZstdWriter {
    static final int ZSTD = 0x20;

    /** What was written. */
    record Stats(long zstdPages, long rawPages, long zeroPages, long excludedPages) {
    }

    private KdumpZstdWriter() {
    }

    static Stats write(Dump src, Path out, LongPredicate exclude) throws IOException {
        int block = src.pageSize();
        long maxMapnr = src.maxPfn();
        byte[] notes = notes(src);
        byte[] vmcoreinfo = src.vmcoreinfo().orElse("").getBytes(StandardCharsets.UTF_8);
        int subHdrBytes = 104 + notes.length + vmcoreinfo.length;
        int subHdrBlocks = (subHdrBytes + block - 1) / block;
        long bitmapHalfBlocks = ((maxMapnr + 7) / 8 + block - 1) / block;
        long bitmapBlocks = 2 * bitmapHalfBlocks;
        byte[] first = new byte[(int) (bitmapHalfBlocks * block)];
        byte[] second = new byte[first.length];
        long dumped = 0;
        long excluded = 0;
        for (long pfn = 0; pfn < maxMapnr; pfn++) {
            if (src.memory().contains(pfn * block)) {
                first[(int) (pfn >>> 3)] |= (byte) (1 << (pfn & 7));
                if (exclude.test(pfn)) {
                    excluded++;
                } else {
                    second[(int) (pfn >>> 3)] |= (byte) (1 << (pfn & 7));
                    dumped++;
                }
            }
        }
        long pdTable = (long) block * (1 + subHdrBlocks + bitmapBlocks);
        long dataStart = pdTable + 24 * dumped;

        ByteBuffer h = ByteBuffer.allocate(block).order(ByteOrder.LITTLE_ENDIAN);
        h.put("KDUMP   ".getBytes(StandardCharsets.US_ASCII));
        h.putInt(8, 6);
        byte[] machine = src.machine().getBytes(StandardCharsets.US_ASCII);
        h.put(12 + 65 * 4, machine);
        h.putInt(424, ZSTD);
        h.putInt(428, block);
        h.putInt(432, subHdrBlocks);
        h.putInt(436, (int) bitmapBlocks);
        h.putInt(440, (int) Math.min(maxMapnr, 0xffffffffL));
        h.putInt(460, src.cpus().size());
        ByteBuffer sub = ByteBuffer.allocate(subHdrBlocks * block).order(ByteOrder.LITTLE_ENDIAN);
        long notesOff = block + 104L;
        long infoOff = notesOff + notes.length;
        sub.putInt(8, 0);                       // dump_level
        sub.putLong(32, infoOff).putLong(40, vmcoreinfo.length);
        sub.putLong(48, notesOff).putLong(56, notes.length);
        sub.putLong(80, 0).putLong(88, maxMapnr).putLong(96, maxMapnr);
        sub.put(104, notes);
        sub.put(104 + notes.length, vmcoreinfo);

        ZstdCompressor zstd = new ZstdCompressor();
        byte[] page = new byte[block];
        byte[] packed = new byte[zstd.maxCompressedLength(block)];
        byte[] zero = new byte[block];
        ByteBuffer pds = ByteBuffer.allocate((int) (24 * dumped)).order(ByteOrder.LITTLE_ENDIAN);
        Path data = Files.createTempFile(out.getParent(), "pages", ".tmp");
        long zstdPages = 0;
        long rawPages = 0;
        long zeroPages = 0;
        long zeroOffset = -1;
        long pos = dataStart;
        try (OutputStream d = new BufferedOutputStream(Files.newOutputStream(data), 1 << 20)) {
            for (long pfn = 0; pfn < maxMapnr; pfn++) {
                if ((second[(int) (pfn >>> 3)] & (1 << (pfn & 7))) == 0) {
                    continue;
                }
                src.memory().read(pfn * block, page, 0, block);
                if (Arrays.equals(page, zero)) {
                    if (zeroOffset < 0) {
                        zeroOffset = pos;
                        d.write(zero);
                        pos += block;
                    }
                    pds.putLong(zeroOffset).putInt(block).putInt(0).putLong(0);
                    zeroPages++;
                    continue;
                }
                int n = zstd.compress(page, 0, block, packed, 0, packed.length);
                if (n < block) {
                    pds.putLong(pos).putInt(n).putInt(ZSTD).putLong(0);
                    d.write(packed, 0, n);
                    pos += n;
                    zstdPages++;
                } else {
                    pds.putLong(pos).putInt(block).putInt(0).putLong(0);
                    d.write(page);
                    pos += block;
                    rawPages++;
                }
            }
        }
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            o.write(h.array());
            o.write(sub.array());
            o.write(first);
            o.write(second);
            o.write(pds.array());
            Files.copy(data, o);
        } finally {
            Files.delete(data);
        }
        return new Stats(zstdPages, rawPages, zeroPages, excluded);
    }

    /** The dump's notes serialized back as an ELF note run. */
    private static byte[] notes(Dump src) {
        ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        for (ElfFile.Note n : src.notes()) {
            byte[] name = (n.name() + "\0").getBytes(StandardCharsets.US_ASCII);
            byte[] desc = n.desc().bytes(0, (int) n.desc().size());
            b.putInt(name.length).putInt(desc.length).putInt(n.type());
            b.put(name).position((b.position() + 3) & ~3);
            b.put(desc).position((b.position() + 3) & ~3);
        }
        return Arrays.copyOf(b.array(), b.position());
    }
}
