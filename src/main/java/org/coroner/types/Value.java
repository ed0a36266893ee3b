package org.coroner.types;

import java.nio.charset.StandardCharsets;

import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;

/**
 * A typed object in the target's memory: a type and an address, read lazily. The one value model
 * that commands, helpers and the analyzer share, in the spirit of drgn's {@code Object}:
 * {@code task.member("comm").string()}, {@code task.member("mm").deref().member("pgd")}.
 */
public final class Value {
    private final CType type;
    private final long address;
    private final VirtualMemory mem;
    private final Types types;

    public Value(CType type, long address, VirtualMemory mem, Types types) {
        this.type = type;
        this.address = address;
        this.mem = mem;
        this.types = types;
    }

    public CType type() {
        return type;
    }

    public long address() {
        return address;
    }

    public VirtualMemory memory() {
        return mem;
    }

    public Types types() {
        return types;
    }

    /** The member at a dotted path ({@code thread.sp}), through anonymous structs and unions. */
    public Value member(String path) {
        CType.Field f = type.resolve().path(path).orElseThrow(() ->
                new IllegalArgumentException("invalid member: " + type.cName() + "." + path));
        if (f.bitSize() != 0) {
            return new Value(new BitField(f), address + f.offset(), mem, types);
        }
        return new Value(f.type(), address + f.offset(), mem, types);
    }

    /** Follows a pointer. */
    public Value deref() {
        CType r = type.resolve();
        if (r.kind() != CType.Kind.POINTER) {
            throw new IllegalArgumentException("not a pointer: " + type.cName());
        }
        return new Value(r.target(), u64(), mem, types);
    }

    /** Element {@code i} of an array, or of the array a pointer points to. */
    public Value index(long i) {
        CType r = type.resolve();
        if (r.kind() == CType.Kind.ARRAY) {
            return new Value(r.target(), address + i * r.target().size(), mem, types);
        }
        if (r.kind() == CType.Kind.POINTER) {
            return new Value(r.target(), u64() + i * r.target().size(), mem, types);
        }
        throw new IllegalArgumentException("not an array or pointer: " + type.cName());
    }

    /** The same address seen as another type (a cast of the object, not of its value). */
    public Value as(CType other) {
        return new Value(other, address, mem, types);
    }

    /** The containing object of which this is the member at {@code path} (the kernel's container_of). */
    public Value containerOf(CType container, String path) {
        long off = container.resolve().path(path).orElseThrow(() ->
                new IllegalArgumentException("invalid member: " + container.cName() + "." + path)).offset();
        return new Value(container, address - off, mem, types);
    }

    /** The raw unsigned value of a scalar of 1, 2, 4 or 8 bytes (pointers, ints, enums, bools). */
    public long u64() {
        CType r = type.resolve();
        if (r instanceof BitField bf) {
            return bf.extract(mem, address);
        }
        int size = (int) r.size();
        return switch (size) {
            case 1 -> mem.u8(address);
            case 2 -> mem.u16(address);
            case 4 -> mem.u32(address);
            case 8 -> mem.u64(address);
            default -> throw new IllegalArgumentException("not a scalar: " + type.cName());
        };
    }

    /** The value sign-extended when the type is signed. */
    public long s64() {
        long v = u64();
        CType r = type.resolve();
        if (r.isSigned() && r.size() < 8) {
            int shift = 64 - (int) (r instanceof BitField bf ? bf.field.bitSize() : r.size() * 8);
            return (v << shift) >> shift;
        }
        return v;
    }

    /** The value of a scalar as C would print it: signed types sign-extended. */
    public long value() {
        return type.resolve().isSigned() ? s64() : u64();
    }

    /** A NUL-terminated string: the contents of a char array, or what a char pointer points to (at most {@code max} bytes). */
    public String string(int max) {
        CType r = type.resolve();
        long at = r.kind() == CType.Kind.POINTER ? u64() : address;
        int limit = r.kind() == CType.Kind.ARRAY ? (int) Math.min(max, r.length()) : max;
        byte[] b = new byte[limit];
        int n = 0;
        try {
            for (; n < limit; n++) {
                b[n] = (byte) mem.u8(at + n);
                if (b[n] == 0) {
                    break;
                }
            }
        } catch (FaultException e) {
            if (n == 0) {
                throw e;
            }
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    public String string() {
        return string(4096);
    }

    public byte[] bytes() {
        return mem.read(address, (int) type.size());
    }

    @Override
    public String toString() {
        return "(" + type.cName() + ") 0x" + Long.toHexString(address);
    }

    /** A bit field member: reads its containing bytes and extracts the bits. */
    private record BitField(CType.Field field) implements CType {
        long extract(VirtualMemory m, long byteAddress) {
            long bitInByte = field.bitOffset() % 8;
            int bytes = (int) ((bitInByte + field.bitSize() + 7) / 8);
            long raw = 0;
            for (int k = 0; k < bytes; k++) {
                raw |= (long) m.u8(byteAddress + k) << (8 * k);
            }
            long v = raw >>> bitInByte;
            return field.bitSize() >= 64 ? v : v & ((1L << field.bitSize()) - 1);
        }

        @Override public Kind kind() { return field.type().resolve().kind(); }
        @Override public String name() { return field.type().name(); }
        @Override public long size() { return field.type().size(); }
        @Override public CType target() { return null; }
        @Override public long length() { return 0; }
        @Override public boolean isSigned() { return field.type().resolve().isSigned(); }
        @Override public java.util.List<Field> fields() { return java.util.List.of(); }
        @Override public java.util.Map<String, Long> enumerators() { return field.type().resolve().enumerators(); }
        @Override public String cName() { return field.type().cName(); }
        @Override public CType resolve() { return this; }
    }
}
