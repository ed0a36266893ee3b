package org.coroner.expr;

import org.coroner.memory.VirtualMemory;
import org.coroner.types.BaseTypes;
import org.coroner.types.CType;

/**
 * A typed value of an expression: an object in the dump's memory (an lvalue: type and address,
 * read when needed) or a computed value (type and bytes). Bit-field members are always computed
 * values.
 */
public final class Operand {
    private final CType type;
    private final boolean lvalue;
    private final long address;
    private byte[] data;

    private Operand(CType type, boolean lvalue, long address, byte[] data) {
        this.type = type;
        this.lvalue = lvalue;
        this.address = address;
        this.data = data;
    }

    public static Operand at(CType type, long address) {
        return new Operand(type, true, address, null);
    }

    public static Operand of(CType type, byte[] data) {
        return new Operand(type, false, 0, data);
    }

    /** An integer or pointer value of {@code type} (its size decides how many bytes are kept). */
    public static Operand of(CType type, long value) {
        int size = (int) Math.max(1, Math.min(8, type.resolve().kind() == CType.Kind.POINTER ? 8 : type.size()));
        byte[] b = new byte[Math.max(size, (int) Math.min(8, Math.max(1, type.size())))];
        for (int k = 0; k < b.length && k < 8; k++) {
            b[k] = (byte) (value >>> (8 * k));
        }
        return new Operand(type, false, 0, b);
    }

    public static Operand integer(long value) {
        return of(value == (int) value ? BaseTypes.INT : BaseTypes.LONG, value);
    }

    public CType type() {
        return type;
    }

    public boolean isLvalue() {
        return lvalue;
    }

    public long address() {
        if (!lvalue) {
            throw new EvalException("Attempt to take address of value not located in memory.");
        }
        return address;
    }

    /** The value's bytes, read from memory once for an lvalue. */
    public byte[] bytes(VirtualMemory mem) {
        if (data == null) {
            long size = type.resolve().kind() == CType.Kind.FUNCTION ? 0 : type.size();
            if (size > 64 << 20) {
                throw new EvalException("value requires " + size + " bytes, which is more than max-value-size");
            }
            data = size == 0 ? new byte[0] : mem.read(address, (int) size);
        }
        return data;
    }

    /** The same object or value seen with another type. */
    public Operand retype(CType t) {
        return new Operand(t, lvalue, address, data);
    }

    /** A scalar's raw bits, sign-extended for signed types. */
    public long scalar(VirtualMemory mem) {
        CType r = type.resolve();
        byte[] b = bytes(mem);
        int n = (int) Math.min(8, r.kind() == CType.Kind.POINTER ? 8 : r.size());
        if (r.kind() == CType.Kind.ARRAY || r.kind() == CType.Kind.FUNCTION) {
            return address;
        }
        if (n <= 0 || b.length < n) {
            throw new EvalException("Invalid cast.");
        }
        long v = 0;
        for (int k = 0; k < n; k++) {
            v |= (long) (b[k] & 0xff) << (8 * k);
        }
        if (r.isSigned() && n < 8) {
            int s = 64 - 8 * n;
            v = (v << s) >> s;
        }
        return v;
    }
}
