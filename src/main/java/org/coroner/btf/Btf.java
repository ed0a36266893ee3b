package org.coroner.btf;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.coroner.elf.ElfFile;
import org.coroner.io.BadInputException;
import org.coroner.io.Bytes;

/**
 * The kernel's BPF Type Format ({@code .BTF} of vmlinux): every type of the kernel in a few MB,
 * parsed in tens of milliseconds. It answers struct layouts without touching the 170 MB of
 * {@code .debug_info}, which keeps start-up fast; DWARF remains the source for lines, locations
 * and module types. Type ids start at 1; id 0 is {@code void}.
 */
public final class Btf {
    public static final int INT = 1, PTR = 2, ARRAY = 3, STRUCT = 4, UNION = 5, ENUM = 6, FWD = 7, TYPEDEF = 8,
            VOLATILE = 9, CONST = 10, RESTRICT = 11, FUNC = 12, FUNC_PROTO = 13, VAR = 14, DATASEC = 15,
            FLOAT = 16, DECL_TAG = 17, TYPE_TAG = 18, ENUM64 = 19;

    private final Bytes types;
    private final Bytes strings;
    private final int[] info;      // per id: kind_flag<<31 | kind<<24 | vlen
    private final int[] nameOff;
    private final int[] sizeOrType;
    private final int[] dataOff;   // offset of the kind-specific data following the header
    /** Type ids by name, over the string section's bytes (no String per type). */
    private volatile org.coroner.io.NameIndex byName;

    /** A member of a struct or union: name ("" for anonymous), type id, offset in bits, bit-field size (0 if none). */
    public record Member(String name, int type, long bitOffset, int bitSize) {
        public long byteOffset() {
            return bitOffset / 8;
        }
    }

    private Btf(Bytes types, Bytes strings, int count, int[] info, int[] nameOff, int[] sizeOrType, int[] dataOff) {
        this.types = types;
        this.strings = strings;
        this.info = java.util.Arrays.copyOf(info, count);
        this.nameOff = java.util.Arrays.copyOf(nameOff, count);
        this.sizeOrType = java.util.Arrays.copyOf(sizeOrType, count);
        this.dataOff = java.util.Arrays.copyOf(dataOff, count);
    }

    /** The {@code .BTF} section of {@code elf}, if it has one. */
    public static Optional<Btf> of(ElfFile elf) {
        return elf.data(".BTF").map(b -> parse(b, elf.path()));
    }

    static Btf parse(Bytes b, java.nio.file.Path file) {
        if (b.size() < 24 || b.u16(0) != 0xeb9f) {
            throw new BadInputException(file, ".BTF section has no BTF magic");
        }
        long hdrLen = b.u32(4);
        long typeOff = hdrLen + b.u32(8);
        long typeLen = b.u32(12);
        long strOff = hdrLen + b.u32(16);
        long strLen = b.u32(20);
        if (typeOff + typeLen > b.size() || strOff + strLen > b.size()) {
            throw new BadInputException(file, ".BTF section truncated");
        }
        Bytes t = b.slice(typeOff, typeLen);
        Bytes s = b.slice(strOff, strLen);
        int cap = 1 << 16;
        int[] info = new int[cap];
        int[] name = new int[cap];
        int[] sot = new int[cap];
        int[] data = new int[cap];
        int n = 1;
        long p = 0;
        while (p + 12 <= typeLen) {
            if (n == info.length) {
                info = java.util.Arrays.copyOf(info, n * 2);
                name = java.util.Arrays.copyOf(name, n * 2);
                sot = java.util.Arrays.copyOf(sot, n * 2);
                data = java.util.Arrays.copyOf(data, n * 2);
            }
            name[n] = (int) t.u32(p);
            int inf = (int) t.u32(p + 4);
            info[n] = inf;
            sot[n] = (int) t.u32(p + 8);
            data[n] = (int) (p + 12);
            int kind = (inf >>> 24) & 0x1f;
            int vlen = inf & 0xffff;
            p += 12 + switch (kind) {
                case INT, VAR, DECL_TAG -> 4;
                case ARRAY -> 12;
                case STRUCT, UNION, DATASEC -> 12L * vlen;
                case ENUM, FUNC_PROTO -> 8L * vlen;
                case ENUM64 -> 12L * vlen;
                default -> 0;
            };
            n++;
        }
        return new Btf(t, s, n, info, name, sot, data);
    }

    /** Number of type ids, including the implicit void at 0. */
    public int count() {
        return info.length;
    }

    public int kind(int id) {
        return id == 0 ? 0 : (info[id] >>> 24) & 0x1f;
    }

    public int vlen(int id) {
        return info[id] & 0xffff;
    }

    private boolean kindFlag(int id) {
        return info[id] < 0;
    }

    public String name(int id) {
        return id == 0 ? "" : strings.cstring(nameOff[id] & 0xffffffffL);
    }

    /** The referenced type of PTR, TYPEDEF, CONST, VOLATILE, RESTRICT, TYPE_TAG, FUNC, VAR. */
    public int target(int id) {
        return sizeOrType[id];
    }

    /** Skips typedefs and qualifiers. */
    public int resolve(int id) {
        while (id != 0) {
            int k = kind(id);
            if (k == TYPEDEF || k == CONST || k == VOLATILE || k == RESTRICT || k == TYPE_TAG) {
                id = sizeOrType[id];
            } else {
                break;
            }
        }
        return id;
    }

    /** The size in bytes of a type (pointers are 8 bytes: BTF here is for 64-bit kernels). */
    public long sizeof(int id) {
        id = resolve(id);
        return switch (kind(id)) {
            case 0, FUNC, FUNC_PROTO, FWD -> 0;
            case PTR -> 8;
            case ARRAY -> sizeof(arrayElement(id)) * arrayLength(id);
            default -> sizeOrType[id] & 0xffffffffL;
        };
    }

    public int arrayElement(int id) {
        return (int) types.u32(dataOff[id]);
    }

    public long arrayLength(int id) {
        return types.u32(dataOff[id] + 8);
    }

    /** INT encoding bits: 1 signed, 2 char, 4 bool. */
    public int intEncoding(int id) {
        return (int) (types.u32(dataOff[id]) >>> 24) & 0xf;
    }

    public List<Member> members(int id) {
        int k = kind(id);
        if (k != STRUCT && k != UNION) {
            return List.of();
        }
        int v = vlen(id);
        List<Member> out = new ArrayList<>(v);
        boolean bitfields = kindFlag(id);
        for (int m = 0; m < v; m++) {
            long o = dataOff[id] + 12L * m;
            String nm = strings.cstring(types.u32(o));
            int type = (int) types.u32(o + 4);
            long off = types.u32(o + 8);
            int bitSize = 0;
            if (bitfields) {
                bitSize = (int) (off >>> 24);
                off &= 0xffffff;
            }
            out.add(new Member(nm, type, off, bitSize));
        }
        return out;
    }

    /** Parameter types of a FUNC_PROTO, in order; a trailing 0 (void) marks a variadic prototype. */
    public int[] parameters(int id) {
        int v = vlen(id);
        int[] out = new int[v];
        for (int m = 0; m < v; m++) {
            out[m] = (int) types.u32(dataOff[id] + 8L * m + 4);
        }
        return out;
    }

    /** Enumerators of an ENUM or ENUM64 type, in declaration order. */
    public Map<String, Long> enumerators(int id) {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        int k = kind(id);
        for (int m = 0; m < vlen(id); m++) {
            if (k == ENUM) {
                long o = dataOff[id] + 8L * m;
                out.put(strings.cstring(types.u32(o)), (long) types.s32(o + 4));
            } else if (k == ENUM64) {
                long o = dataOff[id] + 12L * m;
                out.put(strings.cstring(types.u32(o)), types.u32(o + 4) | (types.u32(o + 8) << 32));
            }
        }
        return out;
    }

    /**
     * The type id of a named type of the given kind ({@code STRUCT}, {@code UNION}, {@code TYPEDEF}, ...);
     * when several share a name, the one with members wins over a forward declaration.
     */
    public Optional<Integer> find(int kind, String name) {
        for (int id : index().all(name)) {
            if (kind(id) == kind) {
                return Optional.of(id);
            }
        }
        return Optional.empty();
    }

    /** Parses {@code struct x}, {@code union x}, {@code enum x} or a typedef / base type name. */
    public Optional<Integer> findType(String cName) {
        String n = cName.trim();
        if (n.startsWith("struct ")) {
            return find(STRUCT, n.substring(7).trim());
        }
        if (n.startsWith("union ")) {
            return find(UNION, n.substring(6).trim());
        }
        if (n.startsWith("enum ")) {
            return find(ENUM, n.substring(5).trim()).or(() -> find(ENUM64, cName.substring(5).trim()));
        }
        return find(TYPEDEF, n).or(() -> find(INT, n)).or(() -> find(STRUCT, n)).or(() -> find(UNION, n));
    }

    private org.coroner.io.NameIndex index() {
        org.coroner.io.NameIndex m = byName;
        if (m == null) {
            synchronized (this) {
                m = byName;
                if (m == null) {
                    boolean[] named = new boolean[info.length];
                    for (int id = 1; id < info.length; id++) {
                        named[id] = nameOff[id] != 0;
                    }
                    m = byName = new org.coroner.io.NameIndex(strings.bytes(0, (int) strings.size()), nameOff, named);
                }
            }
        }
        return m;
    }

    /** A member found by a dotted path through nested and anonymous structs: its type and absolute offset. */
    public record Field(int type, long bitOffset, int bitSize) {
        public long byteOffset() {
            return bitOffset / 8;
        }
    }

    /**
     * Looks up {@code a.b.c} in a struct or union, descending into anonymous members as C does.
     */
    public Optional<Field> field(int structId, String path) {
        long base = 0;
        int cur = resolve(structId);
        Field f = null;
        for (String part : path.split("\\.")) {
            f = member(cur, part, base);
            if (f == null) {
                return Optional.empty();
            }
            base = f.bitOffset;
            cur = resolve(f.type);
        }
        return Optional.ofNullable(f);
    }

    private Field member(int id, String name, long base) {
        for (Member m : members(id)) {
            if (m.name().equals(name)) {
                return new Field(m.type(), base + m.bitOffset(), m.bitSize());
            }
            if (m.name().isEmpty()) {
                Field inner = member(resolve(m.type()), name, base + m.bitOffset());
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }

    /** The C spelling of a type, as gdb's {@code whatis} prints it ({@code struct list_head *}, {@code char [16]}). */
    public String cName(int id) {
        StringBuilder suffix = new StringBuilder();
        String prefix = "";
        while (true) {
            switch (kind(id)) {
                case 0 -> {
                    return join("void", prefix, suffix);
                }
                case PTR -> {
                    prefix = "*" + prefix;
                    id = sizeOrType[id];
                }
                case CONST -> {
                    String inner = cName(sizeOrType[id]);
                    return join("const " + inner, prefix, suffix);
                }
                case VOLATILE -> {
                    return join("volatile " + cName(sizeOrType[id]), prefix, suffix);
                }
                case ARRAY -> {
                    suffix.append('[').append(arrayLength(id)).append(']');
                    id = arrayElement(id);
                }
                case STRUCT -> {
                    return join("struct " + nameOr(id), prefix, suffix);
                }
                case UNION -> {
                    return join("union " + nameOr(id), prefix, suffix);
                }
                case ENUM, ENUM64 -> {
                    return join("enum " + nameOr(id), prefix, suffix);
                }
                case FWD -> {
                    return join((kindFlag(id) ? "union " : "struct ") + name(id), prefix, suffix);
                }
                case FUNC_PROTO -> {
                    return join(cName(sizeOrType[id]) + " (" + (prefix.isEmpty() ? "" : prefix) + ")(...)", "", suffix);
                }
                default -> {
                    return join(name(id), prefix, suffix);
                }
            }
        }
    }

    private String nameOr(int id) {
        String n = name(id);
        return n.isEmpty() ? "{...}" : n;
    }

    private static String join(String base, String stars, StringBuilder suffix) {
        StringBuilder sb = new StringBuilder(base);
        if (!stars.isEmpty() || suffix.length() > 0) {
            sb.append(' ').append(stars);
        }
        sb.append(suffix);
        return sb.toString();
    }
}
