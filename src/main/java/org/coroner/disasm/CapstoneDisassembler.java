package org.coroner.disasm;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * {@link Disassembler} over Capstone 4. One Capstone handle per architecture, shared: Capstone
 * handles are not safe for concurrent use, so calls on one instance are serialized (decoding is
 * fast; the formatter runs outside the lock).
 */
final class CapstoneDisassembler implements Disassembler {
    private static final Map<Arch, CapstoneDisassembler> INSTANCES = new EnumMap<>(Arch.class);

    private final Arch arch;
    private final NativeLong handle;
    private final Formatter formatter;

    private CapstoneDisassembler(Arch arch) {
        this.arch = arch;
        Capstone.Lib lib = Capstone.lib();
        Capstone.NativeLongByReference h = new Capstone.NativeLongByReference();
        int err = lib.cs_open(arch.csArch, arch.csMode, h);
        if (err != 0) {
            throw new DisassemblerUnavailableException("libcapstone cannot open " + arch + ": " + lib.cs_strerror(err));
        }
        handle = h.value();
        if (arch.isX86()) {
            err = lib.cs_option(handle, Capstone.CS_OPT_SYNTAX, new NativeLong(Capstone.CS_OPT_SYNTAX_ATT));
            if (err != 0) {
                throw new DisassemblerUnavailableException("libcapstone has no AT&T syntax: " + lib.cs_strerror(err));
            }
        }
        formatter = arch.isX86() ? new AttFormatter(arch) : new Arm64Formatter();
    }

    static synchronized CapstoneDisassembler get(Arch arch) {
        return INSTANCES.computeIfAbsent(arch, CapstoneDisassembler::new);
    }

    @Override
    public Arch arch() {
        return arch;
    }

    /** One instruction as Capstone printed it, before our formatting. */
    record Raw(long address, byte[] bytes, String mnemonic, String operands) {
    }

    @Override
    public List<Instruction> disassemble(byte[] code, long address, int max) {
        List<Raw> raw = decodeRaw(code, address, max);
        List<Instruction> out = new ArrayList<>(raw.size());
        for (Raw r : raw) {
            out.add(formatter.format(r));
        }
        return out;
    }

    /**
     * Capstone's own output. Undecodable bytes do not stop the walk: like objdump, they become a
     * {@code (bad)} instruction (one byte on x86, one word on arm64) and decoding resumes after it.
     */
    List<Raw> decodeRaw(byte[] code, long address, int max) {
        List<Raw> out = new ArrayList<>();
        int off = 0;
        int limit = max <= 0 ? Integer.MAX_VALUE : max;
        Capstone.Lib lib = Capstone.lib();
        while (off < code.length && out.size() < limit) {
            byte[] chunk = off == 0 ? code : java.util.Arrays.copyOfRange(code, off, code.length);
            PointerByReference pp = new PointerByReference();
            int n;
            synchronized (this) {
                n = lib.cs_disasm(handle, chunk, new NativeLong(chunk.length), address + off,
                        new NativeLong(Math.min(limit - out.size(), 1 << 20)), pp).intValue();
            }
            if (n > 0) {
                Pointer p = pp.getValue();
                try {
                    for (int k = 0; k < n; k++) {
                        long b = (long) k * Capstone.INSN_SIZE;
                        int size = p.getShort(b + Capstone.INSN_SIZE_FIELD) & 0xffff;
                        long a = p.getLong(b + Capstone.INSN_ADDRESS);
                        byte[] bytes = p.getByteArray(b + Capstone.INSN_BYTES, size);
                        String mn = p.getString(b + Capstone.INSN_MNEMONIC, "US-ASCII");
                        String ops = p.getString(b + Capstone.INSN_OP_STR, "US-ASCII");
                        out.add(new Raw(a, bytes, mn, ops));
                        off += size;
                    }
                } finally {
                    lib.cs_free(p, new NativeLong(n));
                }
            }
            if (off < code.length && out.size() < limit) {
                int w = arch.fixedWidth() == 0 ? 1 : Math.min(arch.fixedWidth(), code.length - off);
                byte[] bad = java.util.Arrays.copyOfRange(code, off, off + w);
                out.add(new Raw(address + off, bad, Formatter.BAD, ""));
                off += w;
            }
        }
        return out;
    }
}
