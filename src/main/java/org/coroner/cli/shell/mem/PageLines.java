package org.coroner.cli.shell.mem;

import java.io.PrintWriter;

import org.coroner.cli.shell.CrashFormat;
import org.coroner.kernel.mm.MemMap;
import org.coroner.memory.FaultException;

/**
 * crash's one-page line of the memory map ({@code kmem -p}, the end of {@code vtop} and
 * {@code kmem ADDR}): the {@code struct page}, its physical address, mapping, index, reference
 * count and flags with the kernel's names for them.
 */
final class PageLines {
    static final String HEADER = CrashFormat.center("PAGE", 16) + " " + CrashFormat.right("PHYSICAL", 8) + " "
            + CrashFormat.centerRight("MAPPING", 16) + " " + CrashFormat.centerRight("INDEX", 8) + "CNT FLAGS";

    private PageLines() {
    }

    static String line(MemMap mm, long pfn) {
        MemMap.PageInfo p = mm.pageInfo(pfn);
        StringBuilder flags = new StringBuilder(Long.toHexString(p.flags()));
        if (p.flags() != 0) {
            boolean first = true;
            for (MemMap.PageFlag f : mm.pageFlagNames()) {
                if ((p.flags() & f.mask()) != 0) {
                    flags.append(first ? " " : ",").append(f.name());
                    first = false;
                }
            }
        }
        return String.format("%-16x %8x %16x %8x %2d %s", p.page(), p.physical(), p.mapping(), p.index(), p.refcount(), flags);
    }

    /** The header and the line of the page holding physical address {@code phys}; false when it has no page. */
    static boolean print(MemMap mm, long phys, PrintWriter out) {
        long pfn = phys >>> 12;
        if (!mm.validPfn(pfn)) {
            return false;
        }
        String l;
        try {
            l = line(mm, pfn);
        } catch (FaultException e) {
            return false;
        }
        out.println(HEADER);
        out.println(l);
        return true;
    }
}
