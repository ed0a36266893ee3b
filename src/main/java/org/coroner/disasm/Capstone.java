package org.coroner.disasm;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * Our own minimal JNA binding to Debian's {@code libcapstone.so.4} (Capstone 4.0.2). Only the six
 * entry points we use are declared; the {@code cs_insn} layout is read by offset (see {@link #INSN_SIZE}).
 * {@code csh} is a {@code size_t}, which {@link NativeLong} matches on the LP64 platforms we support.
 */
final class Capstone {
    // cs_arch and cs_mode values of capstone.h 4.0.2
    static final int CS_ARCH_ARM64 = 1;
    static final int CS_ARCH_X86 = 3;
    static final int CS_MODE_LITTLE_ENDIAN = 0;
    static final int CS_MODE_32 = 1 << 2;
    static final int CS_MODE_64 = 1 << 3;
    // cs_opt_type / cs_opt_value
    static final int CS_OPT_SYNTAX = 1;
    static final int CS_OPT_SYNTAX_ATT = 2;
    static final int CS_OPT_DETAIL = 2;
    static final int CS_OPT_ON = 3;

    // struct cs_insn { uint id; uint64 address; uint16 size; uint8 bytes[16]; char mnemonic[32];
    //                  char op_str[160]; cs_detail *detail; }  -> offsets below, sizeof == 240
    static final int INSN_ADDRESS = 8;
    static final int INSN_SIZE_FIELD = 16;
    static final int INSN_BYTES = 18;
    static final int INSN_MNEMONIC = 34;
    static final int INSN_OP_STR = 66;
    static final int INSN_DETAIL = 232;
    static final int INSN_SIZE = 240;

    // cs_detail: the architecture union is at 80. cs_x86 (offsets from the union):
    static final int X86 = 80;
    static final int X86_PREFIX = 0;
    static final int X86_OPCODE = 4;
    static final int X86_REX = 8;
    static final int X86_ADDR_SIZE = 9;
    static final int X86_MODRM = 10;
    static final int X86_SIB = 11;
    static final int X86_DISP = 16;
    static final int X86_OP_COUNT = 64;
    static final int X86_OPERANDS = 72;
    static final int X86_OP_SIZE = 48; // sizeof(cs_x86_op): type@0, reg/imm/mem@8 (mem: seg, base, index, scale, int64 disp@16), size@32
    static final int X86_ENCODING = 456; // modrm_offset, disp_offset, disp_size, imm_offset, imm_size

    interface Lib extends Library {
        int cs_open(int arch, int mode, NativeLongByReference handle);

        int cs_option(NativeLong handle, int type, NativeLong value);

        NativeLong cs_disasm(NativeLong handle, byte[] code, NativeLong codeSize, long address, NativeLong count,
                PointerByReference insn);

        NativeLong cs_disasm(NativeLong handle, Pointer code, NativeLong codeSize, long address, NativeLong count,
                PointerByReference insn);

        void cs_free(Pointer insn, NativeLong count);

        int cs_close(NativeLongByReference handle);

        String cs_strerror(int code);

        int cs_version(Pointer major, Pointer minor);
    }

    /** A {@code csh*} out-parameter. */
    public static final class NativeLongByReference extends com.sun.jna.ptr.ByReference {
        public NativeLongByReference() {
            super(NativeLong.SIZE);
        }

        public NativeLongByReference(NativeLong v) {
            this();
            getPointer().setNativeLong(0, v);
        }

        NativeLong value() {
            return getPointer().getNativeLong(0);
        }
    }

    private static volatile Lib lib;

    private Capstone() {
    }

    /** The library, loaded once; a {@link DisassemblerUnavailableException} with the install hint when absent. */
    static Lib lib() {
        Lib l = lib;
        if (l == null) {
            synchronized (Capstone.class) {
                l = lib;
                if (l == null) {
                    l = load();
                    int v = l.cs_version(null, null);
                    if ((v >> 8) != 4) {
                        throw new DisassemblerUnavailableException("libcapstone " + (v >> 8) + "." + (v & 0xff)
                                + " found but Coroner needs Capstone 4: apt-get install libcapstone4");
                    }
                    lib = l;
                }
            }
        }
        return l;
    }

    // Debian ships only the soname libcapstone.so.4 (the unversioned .so is in libcapstone-dev).
    private static Lib load() {
        String override = System.getProperty("coroner.capstone");
        return load(override != null ? new String[] {override} : new String[] {"libcapstone.so.4", "capstone"});
    }

    /** Loads the first library that exists among {@code names}; the install hint when none does. */
    static Lib load(String... names) {
        UnsatisfiedLinkError last = null;
        for (String name : names) {
            try {
                return Native.load(name, Lib.class);
            } catch (UnsatisfiedLinkError e) {
                last = e;
            }
        }
        throw new DisassemblerUnavailableException(
                "disassembly needs the Capstone 4 library (libcapstone.so.4), not found: apt-get install libcapstone4",
                last);
    }
}
