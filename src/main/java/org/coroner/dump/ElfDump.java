package org.coroner.dump;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.coroner.elf.ElfFile;

/**
 * An ELF core of a machine's physical memory: kdump's {@code /proc/vmcore} copy or QEMU's
 * {@code dump-guest-memory} without a format flag. PT_LOAD segments map physical ranges
 * ({@code p_paddr}) to file offsets; the part of a segment past {@code p_filesz} reads as zeros
 * (that is what ELF says it holds). Nothing is read at open beyond the headers and notes.
 */
final class ElfDump implements Dump {
    private final ElfFile elf;
    private final List<ElfFile.Note> notes;
    private final String machine;
    private final int pageSize;
    private final long[] start;   // p_paddr, sorted
    private final long[] memsz;
    private final long[] filesz;
    private final long[] offset;
    private final long[] maxEndBefore; // max(start+memsz) over segments 0..i: kdump's PT_LOADs overlap
    private final Memory memory = new Memory();
    private volatile List<CpuState> cpus;

    ElfDump(ElfFile elf) {
        this.elf = elf;
        if (elf.type() != ElfFile.ET_CORE) {
            throw new org.coroner.io.BadInputException(elf.path(), "ELF file but not a core dump (e_type " + elf.type() + ")");
        }
        this.machine = elf.machineName();
        this.notes = List.copyOf(elf.notes());
        List<ElfFile.Segment> loads = new ArrayList<>();
        for (ElfFile.Segment s : elf.segments()) {
            if (s.type() == ElfFile.PT_LOAD && s.memsz() > 0) {
                loads.add(s);
            }
        }
        if (loads.isEmpty()) {
            throw new org.coroner.io.BadInputException(elf.path(), "ELF core without PT_LOAD segments: no memory in it");
        }
        loads.sort(Comparator.comparing(ElfFile.Segment::paddr, Long::compareUnsigned));
        int n = loads.size();
        start = new long[n];
        memsz = new long[n];
        filesz = new long[n];
        offset = new long[n];
        for (int i = 0; i < n; i++) {
            ElfFile.Segment s = loads.get(i);
            start[i] = s.paddr();
            memsz[i] = s.memsz();
            filesz[i] = Math.min(s.filesz(), s.memsz());
            offset[i] = s.offset();
        }
        maxEndBefore = new long[n];
        long maxEnd = 0;
        for (int i = 0; i < n; i++) {
            long end = start[i] + memsz[i];
            maxEnd = Long.compareUnsigned(end, maxEnd) > 0 ? end : maxEnd;
            maxEndBefore[i] = maxEnd;
        }
        this.pageSize = (int) CoreNotes.vmcoreinfo(notes).map(VmcoreInfo::parse)
                .flatMap(v -> v.pageSize().isPresent() ? Optional.of(v.pageSize().getAsLong()) : Optional.empty())
                .orElse(4096L).longValue();
    }

    @Override
    public Path path() {
        return elf.path();
    }

    @Override
    public String formatName() {
        boolean qemu = notes.stream().anyMatch(n -> n.name().equals("QEMU"));
        return qemu ? "ELF core (QEMU dump-guest-memory)" : "ELF core";
    }

    @Override
    public String machine() {
        return machine;
    }

    @Override
    public int pageSize() {
        return pageSize;
    }

    @Override
    public long maxPfn() {
        int last = start.length - 1;
        long end = 0;
        for (int i = 0; i <= last; i++) {
            end = Math.max(end, start[i] + memsz[i]);
        }
        return (end + pageSize - 1) / pageSize;
    }

    @Override
    public PhysicalMemory memory() {
        return memory;
    }

    @Override
    public List<CpuState> cpus() {
        List<CpuState> c = cpus;
        if (c == null) {
            c = CoreNotes.cpus(notes, machine);
            cpus = c;
        }
        return c;
    }

    @Override
    public List<ElfFile.Note> notes() {
        return notes;
    }

    @Override
    public Optional<String> vmcoreinfo() {
        return CoreNotes.vmcoreinfo(notes);
    }

    @Override
    public void close() {
        elf.close();
    }

    /**
     * Index of a segment containing {@code paddr}, or -1. Segments may overlap: /proc/vmcore maps
     * the kernel image's physical range a second time (its own PT_LOAD inside a RAM PT_LOAD); both
     * hold the same bytes, any one will do.
     */
    private int segmentOf(long paddr) {
        int lo = 0;
        int hi = start.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(start[mid], paddr) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        for (int i = found; i >= 0 && Long.compareUnsigned(maxEndBefore[i], paddr) > 0; i--) {
            if (Long.compareUnsigned(paddr - start[i], memsz[i]) < 0) {
                return i;
            }
        }
        return -1;
    }

    private final class Memory implements PhysicalMemory {
        @Override
        public int pageSize() {
            return pageSize;
        }

        @Override
        public boolean contains(long paddr) {
            return segmentOf(paddr) >= 0;
        }

        @Override
        public void read(long paddr, byte[] dst, int off, int len) {
            MemorySegment file = elf.bytes().segment();
            long fileSize = file.byteSize();
            while (len > 0) {
                int seg = segmentOf(paddr);
                if (seg < 0) {
                    throw new NotInDumpException(paddr, NotInDumpException.Reason.NOT_IN_MEMORY_MAP);
                }
                long within = paddr - start[seg];
                int n = (int) Math.min(len, memsz[seg] - within);
                if (within >= filesz[seg]) {
                    java.util.Arrays.fill(dst, off, off + n, (byte) 0);
                } else {
                    n = (int) Math.min(n, filesz[seg] - within);
                    long fo = offset[seg] + within;
                    if (fo + n > fileSize) {
                        long pfn = paddr / pageSize;
                        long missing = Math.max(fo, fileSize);
                        throw new UnreadablePageException(paddr, path() + ": truncated: page 0x" + Long.toHexString(pfn)
                                + " (pfn) data at offset 0x" + Long.toHexString(missing) + " past end of file (0x"
                                + Long.toHexString(fileSize) + " bytes)");
                    }
                    MemorySegment.copy(file, ValueLayout.JAVA_BYTE, fo, dst, off, n);
                }
                paddr += n;
                off += n;
                len -= n;
            }
        }
    }
}
