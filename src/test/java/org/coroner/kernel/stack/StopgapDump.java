package org.coroner.kernel.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import org.coroner.arch.x86_64.unwind.Registers;
import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;
import org.coroner.testing.Fixtures;

/**
 * TEST-ONLY STOPGAP until the {@code dump} branch (org.coroner.dump, DumpFile) lands: just enough
 * of a kdump-compressed reader (zlib pages) and a 4-level x86_64 page-table walk to run the
 * unwinder on the fixture dumps. The fixture vmcores are in makedumpfile's flattened format; they
 * are reassembled once with {@code makedumpfile -R} into the cache. Not for production use.
 */
public final class StopgapDump implements VirtualMemory {
    private static final long START_KERNEL_MAP = 0xffffffff80000000L;
    private static final long PTE_ADDR = 0x000ffffffffff000L;

    private final ByteBuffer file;
    private final int blockSize;
    private final long[] rank;
    private final long[] bitmap2;
    private final long descOffset;
    private final Map<String, String> vmcoreinfo = new LinkedHashMap<>();
    private final List<Registers> cpuRegs = new ArrayList<>();
    private final Map<Long, byte[]> cache = new HashMap<>();
    private final long physBase;
    private final long pgd;

    static StopgapDump open(String scenario) {
        Path kdump = Fixtures.cacheDir().resolve("stopgap-" + scenario + ".kdump");
        if (!Files.isRegularFile(kdump)) {
            try {
                Path tmp = Fixtures.cacheDir().resolve("stopgap-" + scenario + ".tmp-" + ProcessHandle.current().pid());
                Process p = new ProcessBuilder("makedumpfile", "-R", tmp.toString())
                        .redirectInput(Fixtures.vmcoreDir(scenario).resolve("vmcore").toFile())
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("makedumpfile -R failed");
                }
                Files.move(tmp, kdump, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        return new StopgapDump(kdump);
    }

    private StopgapDump(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        blockSize = file.getInt(428);
        int subHdrSize = file.getInt(432);
        long bitmapBlocks = file.getInt(436) & 0xffffffffL;
        long sub = blockSize;
        long offVmcoreinfo = file.getLong((int) sub + 32);
        long sizeVmcoreinfo = file.getLong((int) sub + 40);
        long offNote = file.getLong((int) sub + 48);
        long sizeNote = file.getLong((int) sub + 56);
        String info = new String(bytes(offVmcoreinfo, (int) sizeVmcoreinfo), StandardCharsets.US_ASCII);
        for (String line : info.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                vmcoreinfo.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        parseNotes(offNote, sizeNote);
        long bitmapOff = (1L + subHdrSize) * blockSize;
        long half = bitmapBlocks * blockSize / 2;
        int words = (int) (half / 8);
        bitmap2 = new long[words];
        rank = new long[words + 1];
        for (int i = 0; i < words; i++) {
            bitmap2[i] = file.getLong((int) (bitmapOff + half + 8L * i));
            rank[i + 1] = rank[i] + Long.bitCount(bitmap2[i]);
        }
        descOffset = (1L + subHdrSize + bitmapBlocks) * blockSize;
        physBase = Long.parseLong(vmcoreinfo.get("NUMBER(phys_base)"));
        pgd = vmcoreinfo.containsKey("SYMBOL(init_top_pgt)")
                ? Long.parseUnsignedLong(vmcoreinfo.get("SYMBOL(init_top_pgt)"), 16) - START_KERNEL_MAP + physBase : 0;
    }

    Map<String, String> vmcoreinfo() {
        return vmcoreinfo;
    }

    /** NT_PRSTATUS notes in order: one per CPU. */
    List<Registers> cpuRegisters() {
        return cpuRegs;
    }

    private void parseNotes(long off, long size) {
        long p = off;
        while (p + 12 <= off + size) {
            int namesz = file.getInt((int) p);
            int descsz = file.getInt((int) p + 4);
            int type = file.getInt((int) p + 8);
            long name = p + 12;
            long desc = name + ((namesz + 3) & ~3);
            String n = new String(bytes(name, Math.max(0, namesz - 1)), StandardCharsets.US_ASCII);
            if (type == 1 && n.equals("CORE")) {
                long[] v = new long[27];
                for (int i = 0; i < 27; i++) {
                    v[i] = file.getLong((int) (desc + 112 + 8L * i));
                }
                cpuRegs.add(Registers.of(v));
            }
            p = desc + ((descsz + 3) & ~3);
        }
    }

    private byte[] bytes(long off, int len) {
        byte[] b = new byte[len];
        file.get((int) off, b);
        return b;
    }

    private synchronized byte[] page(long pfn) {
        byte[] cached = cache.get(pfn);
        if (cached != null) {
            return cached;
        }
        int w = (int) (pfn >>> 6);
        if (w >= bitmap2.length || (bitmap2[w] & (1L << (pfn & 63))) == 0) {
            throw new FaultException(pfn << 12, "physical page not in the dump");
        }
        long idx = rank[w] + Long.bitCount(bitmap2[w] & ((1L << (pfn & 63)) - 1));
        long d = descOffset + idx * 24;
        long offset = file.getLong((int) d);
        int size = file.getInt((int) d + 8);
        int flags = file.getInt((int) d + 12);
        byte[] raw = bytes(offset, size);
        byte[] out;
        if ((flags & 1) != 0) {
            Inflater inf = new Inflater();
            inf.setInput(raw);
            out = new byte[blockSize];
            try {
                int n = inf.inflate(out);
                if (n != blockSize) {
                    throw new FaultException(pfn << 12, "short zlib page");
                }
            } catch (DataFormatException e) {
                throw new FaultException(pfn << 12, "corrupt zlib page");
            } finally {
                inf.end();
            }
        } else if (flags == 0 && size == blockSize) {
            out = raw;
        } else {
            throw new FaultException(pfn << 12, "unsupported page compression " + flags);
        }
        cache.put(pfn, out);
        return out;
    }

    long physU64(long pa) {
        byte[] p = page(pa >>> 12);
        return ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).getLong((int) (pa & 0xfff));
    }

    long translate(long va) {
        if (Long.compareUnsigned(va, START_KERNEL_MAP) >= 0 && Long.compareUnsigned(va, 0xffffffffc0000000L) < 0) {
            return va - START_KERNEL_MAP + physBase;
        }
        long e = physU64(pgd + ((va >>> 39) & 511) * 8);
        if ((e & 1) == 0) {
            throw new FaultException(va, "PGD entry not present");
        }
        e = physU64((e & PTE_ADDR) + ((va >>> 30) & 511) * 8);
        if ((e & 1) == 0) {
            throw new FaultException(va, "PUD entry not present");
        }
        if ((e & 0x80) != 0) {
            return (e & PTE_ADDR & ~((1L << 30) - 1)) | (va & ((1L << 30) - 1));
        }
        e = physU64((e & PTE_ADDR) + ((va >>> 21) & 511) * 8);
        if ((e & 1) == 0) {
            throw new FaultException(va, "PMD entry not present");
        }
        if ((e & 0x80) != 0) {
            return (e & PTE_ADDR & ~((1L << 21) - 1)) | (va & ((1L << 21) - 1));
        }
        e = physU64((e & PTE_ADDR) + ((va >>> 12) & 511) * 8);
        if ((e & 1) == 0) {
            throw new FaultException(va, "PTE not present");
        }
        return (e & PTE_ADDR) | (va & 0xfff);
    }

    @Override
    public void read(long vaddr, byte[] dst, int off, int len) {
        while (len > 0) {
            int inPage = (int) Math.min(len, 4096 - (vaddr & 0xfff));
            long pa = translate(vaddr);
            byte[] p = page(pa >>> 12);
            System.arraycopy(p, (int) (pa & 0xfff), dst, off, inPage);
            vaddr += inPage;
            off += inPage;
            len -= inPage;
        }
    }
}
