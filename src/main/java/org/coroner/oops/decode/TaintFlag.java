package org.coroner.oops.decode;

import java.util.List;
import java.util.Optional;

/**
 * One taint flag: its bit in {@code tainted_mask}, the letter the kernel prints when it is set,
 * the kernel's name for it (without {@code TAINT_}) and what it means.
 *
 * <p>The table follows {@code taint_flags[]} in kernel/panic.c of mainline (bits 0-19; 'J' came
 * with fwctl in 6.15). 'G' is not a flag: it is what bit 0 prints when no proprietary module is loaded.
 */
public record TaintFlag(int bit, char letter, String name, String meaning) {

    public static final List<TaintFlag> ALL = List.of(
            new TaintFlag(0, 'P', "PROPRIETARY_MODULE", "a module with a non-GPL-compatible license (proprietary) was loaded"),
            new TaintFlag(1, 'F', "FORCED_MODULE", "a module was force-loaded (insmod -f / modprobe --force)"),
            new TaintFlag(2, 'S', "CPU_OUT_OF_SPEC", "the kernel runs on a CPU or SMP setup out of specification, or a CPU bug workaround was forced"),
            new TaintFlag(3, 'R', "FORCED_RMMOD", "a module was force-unloaded (rmmod -f)"),
            new TaintFlag(4, 'M', "MACHINE_CHECK", "a machine check exception (hardware error) was reported"),
            new TaintFlag(5, 'B', "BAD_PAGE", "a bad page was found: page-table or struct page corruption"),
            new TaintFlag(6, 'U', "USER", "user space asked to taint the kernel (/proc/sys/kernel/tainted)"),
            new TaintFlag(7, 'D', "DIE", "the kernel died recently: an earlier Oops or BUG"),
            new TaintFlag(8, 'A', "OVERRIDDEN_ACPI_TABLE", "an ACPI table was overridden by the user"),
            new TaintFlag(9, 'W', "WARN", "a kernel warning (WARN) was issued earlier"),
            new TaintFlag(10, 'C', "CRAP", "a staging driver was loaded"),
            new TaintFlag(11, 'I', "FIRMWARE_WORKAROUND", "a workaround for a platform firmware bug is in effect"),
            new TaintFlag(12, 'O', "OOT_MODULE", "an out-of-tree module was loaded"),
            new TaintFlag(13, 'E', "UNSIGNED_MODULE", "an unsigned module was loaded into a kernel that supports module signatures"),
            new TaintFlag(14, 'L', "SOFTLOCKUP", "a soft lockup occurred earlier"),
            new TaintFlag(15, 'K', "LIVEPATCH", "the kernel has been live-patched"),
            new TaintFlag(16, 'X', "AUX", "auxiliary taint, defined by distributions for their own use"),
            new TaintFlag(17, 'T', "RANDSTRUCT", "the kernel was built with the struct randomization (randstruct) plugin"),
            new TaintFlag(18, 'N', "TEST", "an in-kernel test (such as a KUnit test) has been run"),
            new TaintFlag(19, 'J', "FWCTL", "fwctl's mutating debug interface was used"));

    public static Optional<TaintFlag> byLetter(char c) {
        for (TaintFlag f : ALL) {
            if (f.letter == c) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
