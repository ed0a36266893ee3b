package org.coroner.dump;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.coroner.elf.ElfFile;

/**
 * An opened memory dump: physical memory, per-CPU registers and the notes it carries. Knows
 * nothing of what the memory means (VMCOREINFO is only a note's text here). Open with
 * {@link DumpFile#open(Path)}; close to unmap.
 */
public interface Dump extends AutoCloseable {
    Path path();

    /** The detected format, e.g. "ELF core", "kdump-compressed (zlib)", "flattened kdump-compressed (lzo)". */
    String formatName();

    /** Machine name as the dump states it ("x86_64", "arm64", ...). */
    String machine();

    /** Page size in bytes (the dump's block size for kdump-compressed files). */
    int pageSize();

    /** One past the highest page frame number the dump describes. */
    long maxPfn();

    PhysicalMemory memory();

    /** Registers per CPU, in note order; empty when the dump has no CPU notes. */
    List<CpuState> cpus();

    /** Every ELF note the dump carries (PRSTATUS, QEMU, VMCOREINFO, ...). */
    List<ElfFile.Note> notes();

    /** The VMCOREINFO note's raw text. */
    Optional<String> vmcoreinfo();

    /** The VMCOREINFO text parsed into keys; empty when the dump has none. */
    default Optional<VmcoreInfo> vmcoreInfo() {
        return vmcoreinfo().map(VmcoreInfo::parse);
    }

    /** When the dump was written (seconds since the epoch), when the format records it. */
    default java.util.OptionalLong timestamp() {
        return java.util.OptionalLong.empty();
    }

    /**
     * True when pages were left out on purpose (makedumpfile's dump level above 0; QEMU writes level
     * 1): what crash flags as {@code [PARTIAL DUMP]}.
     */
    default boolean partial() {
        return false;
    }

    @Override
    void close();
}
