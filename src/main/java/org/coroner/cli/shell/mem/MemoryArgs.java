package org.coroner.cli.shell.mem;

import org.coroner.cli.shell.CommandException;

/** Address and number arguments as crash reads them: hex with or without {@code 0x}. */
final class MemoryArgs {
    private MemoryArgs() {
    }

    /** The x86_64 address space the memory commands walk; arm64 dumps are not walked by them yet. */
    static org.coroner.arch.x86_64.X86_64AddressSpace x86(org.coroner.session.Session s) {
        if (s.addressSpace() instanceof org.coroner.arch.x86_64.X86_64AddressSpace x86) {
            return x86;
        }
        throw new CommandException("not available for arm64 dumps yet (x86_64 page tables only)");
    }

    static long address(String a) {
        String s = a.toLowerCase().replaceFirst("^0x", "");
        if (!s.matches("[0-9a-f]{1,16}")) {
            throw new CommandException("invalid address: " + a);
        }
        return Long.parseUnsignedLong(s, 16);
    }

    /** A decimal count or length, or hex with {@code 0x}. */
    static long number(String a) {
        try {
            return a.toLowerCase().startsWith("0x") ? Long.parseUnsignedLong(a.substring(2), 16) : Long.parseLong(a);
        } catch (NumberFormatException e) {
            throw new CommandException("invalid number: " + a);
        }
    }
}
