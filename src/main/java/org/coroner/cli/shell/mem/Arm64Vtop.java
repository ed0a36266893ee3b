package org.coroner.cli.shell.mem;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coroner.arch.arm64.Arm64AddressSpace;
import org.coroner.cli.shell.CrashFormat;
import org.coroner.session.Session;

/**
 * {@code vtop} on arm64, in crash's arm64 layout (its {@code arm64_vtop_4level_4k} and
 * {@code arm64_translate_pte}): the walk of {@code swapper_pg_dir} (a user address: the task's
 * {@code mm->pgd})
 * with each descriptor's kernel virtual address and value, the page or block it ends in, the leaf's
 * flags, and the page's {@code struct page}. crash walks the tables even for linear-map and image
 * addresses, whose physical address is arithmetic; so does this.
 */
final class Arm64Vtop {
    private static final long PTE_VALID = 1L;
    private static final long PTE_USER = 1L << 6;
    private static final long PTE_RDONLY = 1L << 7;
    private static final long PTE_SHARED = 3L << 8;
    private static final long PTE_AF = 1L << 10;
    private static final long PTE_NG = 1L << 11;
    private static final long PTE_PXN = 1L << 53;
    private static final long PTE_UXN = 1L << 54;
    private static final long PTE_DIRTY = 1L << 55;
    private static final long PTE_SPECIAL = 1L << 56;
    /** Only in an invalid descriptor (6.1's arch/arm64/include/asm/pgtable-prot.h). */
    private static final long PTE_PROT_NONE = 1L << 58;
    private static final long PHYS_MASK = (1L << 48) - 1;

    private final Session s;
    private final Arm64AddressSpace space;
    /** The kernel address of the top table: {@code swapper_pg_dir}, or the task's {@code mm->pgd}. */
    private final long pgd;

    /** The task's VMAs for a user address (its VMA is printed after the walk), else null. */
    private final List<org.coroner.kernel.mm.Vmas.Vma> vmas;

    Arm64Vtop(Session s, Arm64AddressSpace space, long pgd) {
        this(s, space, pgd, null);
    }

    Arm64Vtop(Session s, Arm64AddressSpace space, long pgd, List<org.coroner.kernel.mm.Vmas.Vma> vmas) {
        this.s = s;
        this.space = space;
        this.pgd = pgd;
        this.vmas = vmas;
    }

    void print(long va, PrintWriter out) {
        // crash pads user addresses to 10 columns, kernel ones to 16
        int width = space.isUser() ? 10 : 16;
        out.println(CrashFormat.left("VIRTUAL", width) + "  " + CrashFormat.left("PHYSICAL", 16));
        if ((va >> space.vaBits()) != (space.isUser() ? 0 : -1L)) {
            out.printf("%-" + width + "x  (not a %s virtual address)%n%n", va, space.isUser() ? "user" : "kernel");
            return;
        }
        Optional<org.coroner.kernel.mm.Vmas.Vma> vma = vmas == null ? Optional.empty()
                : vmas.stream().filter(v -> v.contains(va)).findFirst();
        if (vmas != null && vma.isEmpty()) {
            out.printf("%-" + width + "x  (not accessible)%n%n", va);
            return;
        }
        Optional<Long> phys;
        try {
            phys = Optional.of(space.translate(va).physicalAddress());
        } catch (org.coroner.dump.FaultException e) {
            phys = Optional.empty();
        }
        out.printf("%-" + width + "x  %s%n%n", va, phys.map(p -> CrashFormat.left(Long.toHexString(p), 16)).orElse("(not mapped)"));
        out.printf("PAGE DIRECTORY: %x%n", pgd);
        List<Arm64AddressSpace.Level> levels = space.levels(va);
        for (int i = 0; i < levels.size(); i++) {
            Arm64AddressSpace.Level l = levels.get(i);
            // crash names each descriptor by its kernel address: the top table's in the image, the rest in the linear map
            long at = i == 0 ? pgd + (l.entryAddress() - space.pgd())
                    : s.memMap().directMap(l.entryAddress() >>> 12) + (l.entryAddress() & 0xfff);
            out.printf("   %s: %x => %x%n", l.name(), at, l.entry());
            long e = l.entry();
            if (e == 0) {
                break;
            }
            boolean pte = l.name().equals("PTE");
            boolean block = !pte && (e & 3) == 1;
            if (block) {
                long size = l.name().equals("PUD") ? 1L << 30 : 1L << 21;
                out.printf("  PAGE: %x  (%s)%n%n", e & PHYS_MASK & -size, size == 1L << 30 ? "1GB" : "2MB");
                flags(e, out);
            } else if (pte && (e & PTE_VALID) != 0) {
                out.printf("  PAGE: %x%n%n", e & PHYS_MASK & -4096L);
                flags(e, out);
            } else if (pte) {
                out.println();
                flags(e, out);
            }
        }
        out.println();
        if (vma.isPresent()) {
            out.print(VmCommand.HEADER);
            out.println(VmCommand.line(vma.get()));
            out.println();
        }
        phys.ifPresent(p -> PageLines.print(s.memMap(), p, out));
    }

    /** crash's PTE line: the descriptor, its output address, the flag names. */
    private static void flags(long pte, PrintWriter out) {
        String e = Long.toHexString(pte);
        String p = Long.toHexString(pte & PHYS_MASK & -4096L);
        int w1 = Math.max(e.length(), 3);
        int w2 = Math.max(p.length(), 8);
        out.println(CrashFormat.center("PTE", w1) + "  " + CrashFormat.center("PHYSICAL", w2) + "  FLAGS");
        List<String> names = new ArrayList<>();
        if ((pte & PTE_VALID) != 0) {
            names.add("VALID");
        }
        if ((pte & PTE_PROT_NONE) != 0 && (pte & PTE_VALID) == 0) {
            names.add("PROTNONE");
        }
        String[] n = {"USER", "RDONLY", "SHARED", "AF", "NG", "PXN", "UXN", "DIRTY", "SPECIAL"};
        long[] bits = {PTE_USER, PTE_RDONLY, PTE_SHARED, PTE_AF, PTE_NG, PTE_PXN, PTE_UXN, PTE_DIRTY, PTE_SPECIAL};
        for (int i = 0; i < n.length; i++) {
            if ((pte & bits[i]) != 0) {
                names.add(n[i]);
            }
        }
        out.println(CrashFormat.centerRight(e, w1) + "  " + CrashFormat.centerRight(p, w2) + "  ("
                + (pte == 0 ? "no mapping" : String.join("|", names)) + ")");
    }
}
