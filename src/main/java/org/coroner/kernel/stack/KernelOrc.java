package org.coroner.kernel.stack;

import java.util.Optional;

import org.coroner.arch.x86_64.unwind.OrcEntry;
import org.coroner.arch.x86_64.unwind.OrcFormat;
import org.coroner.arch.x86_64.unwind.OrcLookup;
import org.coroner.arch.x86_64.unwind.OrcTable;
import org.coroner.kernel.Kernel;

/**
 * The kernel's {@code orc_find}: vmlinux's table for core text ({@code _stext.._etext}) and init
 * text, then the table of the module whose memory holds the address.
 */
public final class KernelOrc implements OrcLookup {
    private final Kernel k;
    private final KernelModules modules;
    private final OrcFormat format;
    private final long stext;
    private final long etext;
    private final long sinittext;
    private final long einittext;
    private OrcTable vmlinux;

    public KernelOrc(Kernel k, KernelModules modules, OrcFormat format) {
        this.k = k;
        this.modules = modules;
        this.format = format;
        this.stext = k.requireSymbol("_stext");
        this.etext = k.requireSymbol("_etext");
        this.sinittext = k.symbol("_sinittext").orElse(0L);
        this.einittext = k.symbol("_einittext").orElse(0L);
    }

    public synchronized OrcTable vmlinuxTable() {
        if (vmlinux == null) {
            vmlinux = OrcTable.ofVmlinux(k.vmlinux(), k.kaslrOffset(), format);
        }
        return vmlinux;
    }

    public boolean isKernelText(long ip) {
        return within(ip, stext, etext) || within(ip, sinittext, einittext);
    }

    /** Core or init text of vmlinux, or memory of a loaded module (the kernel's __kernel_text_address, roughly). */
    public boolean isText(long ip) {
        return isKernelText(ip) || modules.containing(ip).filter(m -> m.containsText(ip)).isPresent();
    }

    private static boolean within(long a, long begin, long end) {
        return Long.compareUnsigned(a, begin) >= 0 && Long.compareUnsigned(a, end) < 0;
    }

    @Override
    public Optional<OrcEntry> find(long ip) {
        if (isKernelText(ip)) {
            return vmlinuxTable().find(ip);
        }
        return modules.containing(ip).flatMap(LoadedModule::orc).flatMap(t -> t.find(ip));
    }
}
