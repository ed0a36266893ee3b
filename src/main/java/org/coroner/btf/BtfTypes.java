package org.coroner.btf;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.coroner.types.BaseTypes;
import org.coroner.types.CType;
import org.coroner.types.DerivedTypes;
import org.coroner.types.TypePrinter;
import org.coroner.types.Types;

/** {@link Types} backed by BTF: each {@link CType} is a thin view of a BTF type id. */
public final class BtfTypes implements Types {
    private final Btf btf;
    private final Map<Integer, CType> cache = new ConcurrentHashMap<>();

    public BtfTypes(Btf btf) {
        this.btf = btf;
    }

    public Btf btf() {
        return btf;
    }

    public CType type(int id) {
        // a FUNC is a name for its FUNC_PROTO: the function's type is the prototype
        int t = btf.kind(id) == Btf.FUNC ? btf.target(id) : id;
        return cache.computeIfAbsent(t, BtfType::new);
    }

    @Override
    public Optional<CType> lookup(String cName) {
        String n = cName.trim();
        int stars = 0;
        while (n.endsWith("*")) {
            stars++;
            n = n.substring(0, n.length() - 1).trim();
        }
        Optional<CType> base = btf.findType(n).map(this::type);
        for (int k = 0; k < stars && base.isPresent(); k++) {
            base = Optional.of(pointerTo(base.get()));
        }
        return base;
    }

    @Override
    public CType pointerTo(CType t) {
        return DerivedTypes.pointer(t);
    }

    private final class BtfType implements CType {
        private final int id;
        private volatile List<Field> fields;

        BtfType(int id) {
            this.id = id;
        }

        @Override
        public Kind kind() {
            return switch (btf.kind(id)) {
                case 0 -> Kind.VOID;
                case Btf.INT -> {
                    int enc = btf.intEncoding(id);
                    yield (enc & 4) != 0 ? Kind.BOOL : (enc & 2) != 0 || btf.name(id).endsWith("char") ? Kind.CHAR : Kind.INT;
                }
                case Btf.FLOAT -> Kind.FLOAT;
                case Btf.PTR -> Kind.POINTER;
                case Btf.ARRAY -> Kind.ARRAY;
                case Btf.STRUCT, Btf.FWD -> Kind.STRUCT;
                case Btf.UNION -> Kind.UNION;
                case Btf.ENUM, Btf.ENUM64 -> Kind.ENUM;
                case Btf.TYPEDEF, Btf.TYPE_TAG, Btf.RESTRICT -> Kind.TYPEDEF;
                case Btf.CONST -> Kind.CONST;
                case Btf.VOLATILE -> Kind.VOLATILE;
                default -> Kind.FUNCTION;
            };
        }

        @Override
        public String name() {
            String n = btf.name(id);
            return btf.kind(id) == Btf.INT ? BaseTypes.canonical(n) : n;
        }

        @Override
        public long size() {
            return btf.sizeof(id);
        }

        @Override
        public CType target() {
            return switch (btf.kind(id)) {
                case Btf.ARRAY -> type(btf.arrayElement(id));
                case Btf.PTR, Btf.TYPEDEF, Btf.CONST, Btf.VOLATILE, Btf.RESTRICT, Btf.TYPE_TAG, Btf.FUNC_PROTO ->
                        type(btf.target(id));
                default -> null;
            };
        }

        @Override
        public long length() {
            return btf.kind(id) == Btf.ARRAY ? btf.arrayLength(id) : 0;
        }

        @Override
        public boolean isSigned() {
            int k = btf.kind(id);
            if (k == Btf.INT) {
                return (btf.intEncoding(id) & 1) != 0;
            }
            return k == Btf.ENUM && (btf.vlen(id) == 0 || btf.enumerators(id).values().stream().anyMatch(v -> v < 0));
        }

        @Override
        public List<Field> fields() {
            List<Field> f = fields;
            if (f == null) {
                List<Field> out = new ArrayList<>();
                for (Btf.Member m : btf.members(id)) {
                    out.add(new Field(m.name(), type(m.type()), m.bitOffset(), m.bitSize()));
                }
                f = List.copyOf(out);
                fields = f;
            }
            return f;
        }

        @Override
        public Map<String, Long> enumerators() {
            return btf.enumerators(id);
        }

        @Override
        public String cName() {
            return TypePrinter.name(this);
        }

        @Override
        public List<CType> parameters() {
            if (btf.kind(id) != Btf.FUNC_PROTO) {
                return List.of();
            }
            int[] p = btf.parameters(id);
            int n = p.length > 0 && p[p.length - 1] == 0 ? p.length - 1 : p.length;
            List<CType> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(type(p[i]));
            }
            return out;
        }

        @Override
        public boolean variadic() {
            if (btf.kind(id) != Btf.FUNC_PROTO) {
                return false;
            }
            int[] p = btf.parameters(id);
            return p.length > 0 && p[p.length - 1] == 0;
        }

        @Override
        public boolean incomplete() {
            return btf.kind(id) == Btf.FWD;
        }

        @Override
        public String toString() {
            return cName();
        }
    }
}
