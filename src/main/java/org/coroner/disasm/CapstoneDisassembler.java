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
        err = lib.cs_option(handle, Capstone.CS_OPT_DETAIL, new NativeLong(Capstone.CS_OPT_ON));
        if (err != 0) {
            throw new DisassemblerUnavailableException("libcapstone refuses instruction details: " + lib.cs_strerror(err));
        }
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

    /** One instruction as Capstone printed it, before our formatting; {@code x86} is null on other architectures. */
    record Raw(long address, byte[] bytes, String mnemonic, String operands, X86Detail x86) {
    }

    /** The parts of Capstone's {@code cs_x86} detail the AT&T formatter needs. */
    record X86Detail(int modrm, int modrmOffset, long disp, int dispOffset, int dispSize, int immOffset, int immSize,
            List<X86Operand> operands) {
    }

    /** One {@code cs_x86_op}: type 1 register, 2 immediate, 3 memory; {@code size} in bytes. */
    record X86Operand(int type, long imm, int size) {
        static final int REG = 1;
        static final int IMM = 2;
        static final int MEM = 3;
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
        if (code.length == 0) {
            return out;
        }
        // one native copy of the code; decoding resumes inside it after undecodable bytes
        com.sun.jna.Memory mem = new com.sun.jna.Memory(code.length);
        mem.write(0, code, 0, code.length);
        while (off < code.length && out.size() < limit) {
            PointerByReference pp = new PointerByReference();
            int n;
            int asked = Math.min(limit - out.size(), 1 << 20);
            boolean resized = false;
            synchronized (this) {
                n = lib.cs_disasm(handle, mem.share(off), new NativeLong(code.length - off), address + off,
                        new NativeLong(asked), pp).intValue();
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
                        X86Detail d = arch.isX86() ? x86Detail(p.getPointer(b + Capstone.INSN_DETAIL)) : null;
                        int fixed = formatter.actualLength(bytes, code, off);
                        if (fixed != size && off + fixed <= code.length) {
                            // Capstone mis-sized it: keep the right bytes and decode again after them
                            out.add(new Raw(a, java.util.Arrays.copyOfRange(code, off, off + fixed), mn, ops, d));
                            off += fixed;
                            resized = true;
                            break;
                        }
                        out.add(new Raw(a, bytes, mn, ops, d));
                        off += size;
                    }
                } finally {
                    lib.cs_free(p, new NativeLong(n));
                }
            }
            // Capstone stopped before the end without being asked to: the bytes at off do not decode
            if (off < code.length && out.size() < limit && n < asked && !resized) {
                int known = formatter.unknownLength(code, off);
                int w = known > 0 ? known : arch.fixedWidth() == 0 ? 1 : Math.min(arch.fixedWidth(), code.length - off);
                byte[] bad = java.util.Arrays.copyOfRange(code, off, off + w);
                String mn = Formatter.BAD;
                String ops = "";
                if (known == 0 && formatter instanceof AttFormatter att && truncated(code, off)) {
                    String[] t = att.truncatedByte(code[off] & 0xff);
                    mn = t[0];
                    ops = t[1];
                } else if (known > 0) {
                    mn = "";
                }
                out.add(new Raw(address + off, bad, mn, ops, null));
                off += w;
            }
        }
        return out;
    }

    private static X86Detail x86Detail(Pointer detail) {
        if (detail == null) {
            return null;
        }
        Pointer x = detail.share(Capstone.X86);
        int n = x.getByte(Capstone.X86_OP_COUNT) & 0xff;
        List<X86Operand> ops = new ArrayList<>(n);
        for (int k = 0; k < n && k < 8; k++) {
            Pointer o = x.share(Capstone.X86_OPERANDS + (long) k * Capstone.X86_OP_SIZE);
            ops.add(new X86Operand(o.getInt(0), o.getLong(8), o.getByte(32) & 0xff));
        }
        int e = Capstone.X86_ENCODING;
        return new X86Detail(x.getByte(Capstone.X86_MODRM) & 0xff, x.getByte(e) & 0xff, x.getLong(Capstone.X86_DISP),
                x.getByte(e + 1) & 0xff, x.getByte(e + 2) & 0xff, x.getByte(e + 3) & 0xff, x.getByte(e + 4) & 0xff,
                List.copyOf(ops));
    }

    /** True when the bytes from {@code off} would decode if the code went on: an instruction cut by the end. */
    private boolean truncated(byte[] code, int off) {
        int left = code.length - off;
        if (left >= 15) {
            return false;
        }
        byte[] padded = java.util.Arrays.copyOfRange(code, off, off + 16);
        PointerByReference pp = new PointerByReference();
        int n;
        synchronized (this) {
            n = Capstone.lib().cs_disasm(handle, padded, new NativeLong(padded.length), 0, new NativeLong(1), pp).intValue();
        }
        if (n <= 0) {
            return false;
        }
        int size = pp.getValue().getShort(Capstone.INSN_SIZE_FIELD) & 0xffff;
        Capstone.lib().cs_free(pp.getValue(), new NativeLong(n));
        return size > left;
    }
}
