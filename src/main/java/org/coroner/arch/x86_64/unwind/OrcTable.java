package org.coroner.arch.x86_64.unwind;

import java.util.Arrays;
import java.util.Optional;

import org.coroner.elf.ElfFile;
import org.coroner.elf.SymbolTable;
import org.coroner.io.BadInputException;
import org.coroner.io.Bytes;
import org.coroner.memory.VirtualMemory;

/**
 * One ORC table (vmlinux's or a module's): instruction addresses sorted ascending, each with the
 * entry that holds from that address up to the next one. The kernel's own lookup rule applies:
 * the entry of the greatest address not above the IP, with no upper bound (objtool ends every
 * function with an UNDEFINED entry, so gaps are covered).
 */
public final class OrcTable {
    private static final int ENTRY_SIZE = 6;

    private final long[] ips;
    /** Per entry its three 16-bit fields (sp, bp, flags), as the section holds them. */
    private final short[] entries;
    private final OrcFormat format;

    private OrcTable(long[] ips, short[] entries, OrcFormat format) {
        this.ips = ips;
        this.entries = entries;
        this.format = format;
    }

    /**
     * The table of a vmlinux, at run-time addresses ({@code kaslrOffset} added). Its
     * {@code .orc_unwind_ip} holds 32-bit offsets relative to each slot's own address, so the table
     * moves with the image; the build sorted it already (sorted again if not).
     */
    public static OrcTable ofVmlinux(ElfFile vmlinux, long kaslrOffset, OrcFormat format) {
        ElfFile.Section ipSec = vmlinux.section(".orc_unwind_ip").orElseThrow(
                () -> new BadInputException(vmlinux.path(), "has no .orc_unwind_ip section (kernel built without the ORC unwinder)"));
        ElfFile.Section orcSec = vmlinux.section(".orc_unwind").orElseThrow(
                () -> new BadInputException(vmlinux.path(), "has no .orc_unwind section"));
        int n = (int) (ipSec.size() / 4);
        if (orcSec.size() != (long) n * ENTRY_SIZE) {
            throw new BadInputException(vmlinux.path(), ".orc_unwind holds " + orcSec.size() / ENTRY_SIZE
                    + " entries but .orc_unwind_ip " + n);
        }
        int[] rel = vmlinux.data(ipSec).s32s(0, n); // one bulk copy: the table has ~400,000 entries
        long[] ips = new long[n];
        long base = ipSec.addr() + kaslrOffset;
        for (int i = 0; i < n; i++) {
            ips[i] = base + 4L * i + rel[i];
        }
        return build(ips, vmlinux.data(orcSec), format);
    }

    /**
     * The table a loaded module's {@code struct mod_arch_specific} points to ({@code orc_unwind_ip},
     * {@code orc_unwind}, {@code num_orcs}), read from the dump: the kernel sorted it at load time.
     */
    public static OrcTable ofMemory(VirtualMemory mem, long ipTable, long orcTable, int count, OrcFormat format) {
        Bytes ipData = Bytes.of(mem.read(ipTable, count * 4), java.nio.ByteOrder.LITTLE_ENDIAN);
        long[] ips = new long[count];
        for (int i = 0; i < count; i++) {
            ips[i] = ipTable + 4L * i + ipData.s32(4L * i);
        }
        return build(ips, Bytes.of(mem.read(orcTable, count * ENTRY_SIZE), java.nio.ByteOrder.LITTLE_ENDIAN), format);
    }

    /**
     * A module's table from its {@code .ko}, placed at run-time addresses: {@code sectionBase} gives
     * the load address of each section index. The IPs come from the PC-relative relocations of
     * {@code .orc_unwind_ip} (a relocatable object holds only zeros there).
     */
    public static OrcTable ofModuleFile(ElfFile ko, java.util.function.LongUnaryOperator sectionBase, OrcFormat format) {
        ElfFile.Section ipSec = ko.section(".orc_unwind_ip").orElseThrow(
                () -> new BadInputException(ko.path(), "has no .orc_unwind_ip section"));
        ElfFile.Section orcSec = ko.section(".orc_unwind").orElseThrow(
                () -> new BadInputException(ko.path(), "has no .orc_unwind section"));
        ElfFile.Section rela = null;
        for (ElfFile.Section s : ko.sections()) {
            if (s.type() == ElfFile.SHT_RELA && s.info() == ipSec.index()) {
                rela = s;
            }
        }
        if (rela == null) {
            throw new BadInputException(ko.path(), "has no relocations for .orc_unwind_ip");
        }
        int n = (int) (ipSec.size() / 4);
        long[] ips = new long[n];
        SymbolTable syms = ko.symbols();
        Bytes r = ko.data(rela);
        for (long p = 0; p + 24 <= r.size(); p += 24) {
            long off = r.u64(p);
            long info = r.u64(p + 8);
            long addend = r.u64(p + 16);
            int sym = (int) (info >>> 32);
            int shndx = syms.shndx(sym);
            // R_X86_64_PC32 stores S + A - P; the IP it denotes is S + A.
            ips[(int) (off / 4)] = sectionBase.applyAsLong(shndx) + syms.value(sym) + addend;
        }
        return build(ips, ko.data(orcSec), format);
    }

    private static OrcTable build(long[] ips, Bytes entryData, OrcFormat format) {
        int n = ips.length;
        short[] entries = entryData.s16s(0, 3 * n);
        boolean sorted = true;
        for (int i = 1; i < n && sorted; i++) {
            sorted = Long.compareUnsigned(ips[i - 1], ips[i]) <= 0;
        }
        if (!sorted) {
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            // A module's table as its .ko holds it, before the kernel sorted it at load time.
            Arrays.sort(order, (a, b) -> Long.compareUnsigned(ips[a], ips[b]));
            long[] ips2 = new long[n];
            short[] entries2 = new short[3 * n];
            for (int i = 0; i < n; i++) {
                int k = order[i];
                ips2[i] = ips[k];
                System.arraycopy(entries, 3 * k, entries2, 3 * i, 3);
            }
            return new OrcTable(ips2, entries2, format);
        }
        return new OrcTable(ips, entries, format);
    }

    public int size() {
        return ips.length;
    }

    public long ip(int i) {
        return ips[i];
    }

    public OrcEntry entry(int i) {
        return format.decode(entries[3 * i], entries[3 * i + 1], entries[3 * i + 2] & 0xffff);
    }

    public OrcFormat format() {
        return format;
    }

    /** The entry covering {@code ip}: that of the greatest table address not above it. */
    public Optional<OrcEntry> find(long ip) {
        int lo = 0;
        int hi = ips.length - 1;
        int best = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(ips[mid], ip) <= 0) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return best < 0 ? Optional.empty() : Optional.of(entry(best));
    }
}
