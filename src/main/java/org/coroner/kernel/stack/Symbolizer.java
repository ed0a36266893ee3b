package org.coroner.kernel.stack;

import java.util.Optional;

import org.coroner.kernel.Kernel;

/** Names kernel code addresses: vmlinux symbols, then module symbols (with the module's name). */
public final class Symbolizer {
    private final Kernel k;
    private final KernelModules modules;

    /** A symbol, an address's offset from it, and the module it belongs to (null for vmlinux). */
    public record Name(String symbol, long symbolAddress, long offset, String module) {
        /** crash's spelling: {@code create_oops.constprop.0+35} (decimal offset). */
        public String crash() {
            return offset == 0 ? symbol : symbol + "+" + offset;
        }

        /** The kernel's spelling without the size: {@code do_one_initcall+0x59}. */
        public String kernel() {
            return symbol + "+0x" + Long.toHexString(offset);
        }
    }

    public Symbolizer(Kernel k, KernelModules modules) {
        this.k = k;
        this.modules = modules;
    }

    /**
     * The symbol of a frame's code address. A return address ({@code returnAddress} true) is looked
     * up at {@code address - 1}, the call instruction, as the kernel's {@code %pB} does: after a call
     * to a noreturn function the return address is already past the caller's end.
     */
    public Optional<Name> frame(long address, boolean returnAddress) {
        if (!returnAddress) {
            return lookup(address);
        }
        return lookup(address - 1).map(n -> new Name(n.symbol(), n.symbolAddress(), n.offset() + 1, n.module()));
    }

    public Optional<Name> lookup(long address) {
        Optional<LoadedModule> m = modules.containing(address);
        if (m.isPresent()) {
            return m.get().symbols().lookup(address)
                    .map(h -> new Name(h.name(), h.address(), h.offset(), m.get().name()));
        }
        return k.symbolAt(address).map(s -> new Name(s.name(), s.address(), s.offset(), null));
    }

    /** The function name alone, or the address in hex when unknown. */
    public String function(long address) {
        return lookup(address).map(Name::symbol).orElse(String.format("%016x", address));
    }
}
