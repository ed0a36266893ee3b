package org.coroner.dwarf.types;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.coroner.dwarf.CompileUnit;
import org.coroner.dwarf.Die;
import org.coroner.dwarf.DwarfFile;
import org.coroner.dwarf.Form;
import org.coroner.io.Bytes;
import org.coroner.io.Cursor;

/**
 * The names a debugger looks up in a DWARF file, to their DIEs: global and file-static variables
 * (with their link-time address when the DIE has one), out-of-line functions, and named types
 * ({@code struct foo}, {@code union foo}, {@code enum foo}, typedefs and base types by their name).
 * Only the top-level DIEs of each unit are read, their children skipped through DW_AT_sibling, the
 * units split over the cores; for vmlinux (170 MB of .debug_info) the result is kept on disk keyed by
 * the build-id so that the scan is paid once per kernel.
 */
public final class DwarfNames {
    static final int DW_TAG_base_type = 0x24, DW_TAG_structure_type = 0x13, DW_TAG_union_type = 0x17,
            DW_TAG_enumeration_type = 0x04, DW_TAG_typedef = 0x16, DW_TAG_variable = 0x34, DW_TAG_subprogram = 0x2e,
            DW_TAG_unspecified_type = 0x3b;
    static final int DW_AT_sibling = 0x01, DW_AT_location = 0x02, DW_AT_name = 0x03, DW_AT_low_pc = 0x11,
            DW_AT_declaration = 0x3c, DW_AT_specification = 0x47, DW_AT_ranges = 0x55, DW_AT_abstract_origin = 0x31;
    private static final int CACHE_MAGIC = 0x44574e32; // "DWN2"

    /** A variable's DIE and its link-time address (-1: a declaration, the definition is elsewhere or in assembly). */
    public record Variable(long die, long address) {
        public boolean isDefinition() {
            return address != -1;
        }
    }

    private final Map<String, List<Variable>> variables;
    private final Map<String, Long> functions;
    private final Map<String, Long> types;

    private DwarfNames(Map<String, List<Variable>> variables, Map<String, Long> functions, Map<String, Long> types) {
        this.variables = variables;
        this.functions = functions;
        this.types = types;
    }

    /** Definitions first (in unit order), then a declaration when no unit defines the name. */
    public List<Variable> variables(String name) {
        return variables.getOrDefault(name, List.of());
    }

    public Optional<Long> function(String name) {
        return Optional.ofNullable(functions.get(name));
    }

    /** The first complete definition of a named type: {@code struct lab_dev}, {@code enum pid_type}, {@code pid_t}, {@code int}. */
    public Optional<Long> type(String cName) {
        return Optional.ofNullable(types.get(cName));
    }

    public int variableCount() {
        return variables.size();
    }

    public int typeCount() {
        return types.size();
    }

    /** Scans every unit of {@code dw} (in parallel when there are many). */
    public static DwarfNames scan(DwarfFile dw) {
        long[] units = dw.unitOffsets();
        int workers = units.length < 64 ? 1 : Math.max(1, Runtime.getRuntime().availableProcessors());
        if (workers == 1) {
            Partial p = new Partial();
            for (long u : units) {
                p.scanUnit(dw.unitAt(u));
            }
            return merge(List.of(p));
        }
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "dwarf-names");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Partial>> parts = new ArrayList<>();
            int chunks = workers * 8;
            for (int c = 0; c < chunks; c++) {
                int from = (int) ((long) units.length * c / chunks);
                int to = (int) ((long) units.length * (c + 1) / chunks);
                parts.add(pool.submit(() -> {
                    Partial p = new Partial();
                    for (int i = from; i < to; i++) {
                        p.scanUnit(dw.unitAt(units[i]));
                    }
                    return p;
                }));
            }
            List<Partial> done = new ArrayList<>();
            for (Future<Partial> f : parts) {
                done.add(f.get());
            }
            return merge(done);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while indexing " + dw.name());
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The index of {@code dw}, read from {@code cache} when it is there and was written for a file of
     * the same {@code .debug_info} size; else scanned and written there (best effort).
     */
    public static DwarfNames cached(DwarfFile dw, Path cache) {
        long infoSize = dw.info().size();
        if (cache != null && Files.isRegularFile(cache)) {
            try {
                DwarfNames n = read(cache, infoSize);
                if (n != null) {
                    return n;
                }
            } catch (IOException | RuntimeException e) {
                // a damaged or old cache file: scan again
            }
        }
        DwarfNames n = scan(dw);
        if (cache != null) {
            try {
                n.write(cache, infoSize);
            } catch (IOException e) {
                // a read-only cache directory: the index still works, it is just not kept
            }
        }
        return n;
    }

    private void write(Path file, long infoSize) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
            out.writeInt(CACHE_MAGIC);
            out.writeLong(infoSize);
            out.writeInt(variables.size());
            for (var e : variables.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeShort(e.getValue().size());
                for (Variable v : e.getValue()) {
                    out.writeLong(v.die());
                    out.writeLong(v.address());
                }
            }
            out.writeInt(functions.size());
            for (var e : functions.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue());
            }
            out.writeInt(types.size());
            for (var e : types.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue());
            }
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static DwarfNames read(Path file, long infoSize) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != CACHE_MAGIC || in.readLong() != infoSize) {
                return null;
            }
            int nv = in.readInt();
            Map<String, List<Variable>> vars = new HashMap<>(nv * 2);
            for (int i = 0; i < nv; i++) {
                String name = in.readUTF();
                int k = in.readShort() & 0xffff;
                List<Variable> l = new ArrayList<>(k);
                for (int j = 0; j < k; j++) {
                    l.add(new Variable(in.readLong(), in.readLong()));
                }
                vars.put(name, List.copyOf(l));
            }
            int nf = in.readInt();
            Map<String, Long> fns = new HashMap<>(nf * 2);
            for (int i = 0; i < nf; i++) {
                fns.put(in.readUTF(), in.readLong());
            }
            int nt = in.readInt();
            Map<String, Long> tys = new HashMap<>(nt * 2);
            for (int i = 0; i < nt; i++) {
                tys.put(in.readUTF(), in.readLong());
            }
            return new DwarfNames(vars, fns, tys);
        }
    }

    private static DwarfNames merge(List<Partial> parts) {
        Map<String, List<Variable>> defs = new LinkedHashMap<>();
        Map<String, Variable> decls = new HashMap<>();
        Map<String, Long> fns = new HashMap<>();
        Map<String, Long> tys = new HashMap<>();
        for (Partial p : parts) {
            for (var e : p.defs.entrySet()) {
                defs.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).addAll(e.getValue());
            }
            p.decls.forEach(decls::putIfAbsent);
            p.functions.forEach(fns::putIfAbsent);
            p.types.forEach(tys::putIfAbsent);
        }
        Map<String, List<Variable>> vars = new HashMap<>(defs.size() * 2);
        defs.forEach((k, v) -> vars.put(k, List.copyOf(v)));
        decls.forEach((k, v) -> vars.putIfAbsent(k, List.of(v)));
        return new DwarfNames(vars, fns, tys);
    }

    /** What one worker found in its units, in unit order. */
    private static final class Partial {
        final Map<String, List<Variable>> defs = new LinkedHashMap<>();
        final Map<String, Variable> decls = new HashMap<>();
        final Map<String, Long> functions = new HashMap<>();
        final Map<String, Long> types = new HashMap<>();

        void scanUnit(CompileUnit cu) {
            Die root = cu.root();
            if (!root.hasChildren()) {
                return;
            }
            long off = root.next();
            long end = cu.header().end();
            while (off < end) {
                Die d = cu.readDie(off);
                if (d == null) {
                    break;
                }
                visit(cu, d);
                off = next(cu, d);
            }
        }

        private void visit(CompileUnit cu, Die d) {
            switch (d.tag()) {
                case DW_TAG_variable -> variable(cu, d);
                case DW_TAG_subprogram -> {
                    if (d.has(DW_AT_low_pc) || d.has(DW_AT_ranges)) {
                        // an out-of-line copy of an inline or cloned function (create_oops.constprop.0)
                        // names, types and declares its parameters through its abstract origin
                        Die decl = d;
                        for (int i = 0; i < 4 && decl.string(DW_AT_name) == null; i++) {
                            long ref = decl.value(DW_AT_abstract_origin, decl.value(DW_AT_specification, -1));
                            if (ref < 0) {
                                break;
                            }
                            decl = cu.dwarf().dieAt(ref);
                        }
                        String n = decl.string(DW_AT_name);
                        if (n != null) {
                            functions.putIfAbsent(n, decl.offset());
                        }
                    }
                }
                case DW_TAG_structure_type, DW_TAG_union_type, DW_TAG_enumeration_type, DW_TAG_typedef, DW_TAG_base_type,
                     DW_TAG_unspecified_type -> {
                    if (d.has(DW_AT_declaration)) {
                        return;
                    }
                    String n = d.string(DW_AT_name);
                    if (n == null) {
                        return;
                    }
                    String key = switch (d.tag()) {
                        case DW_TAG_structure_type -> "struct " + n;
                        case DW_TAG_union_type -> "union " + n;
                        case DW_TAG_enumeration_type -> "enum " + n;
                        default -> n;
                    };
                    types.putIfAbsent(key, d.offset());
                }
                default -> {
                }
            }
        }

        private void variable(CompileUnit cu, Die d) {
            String n = name(cu, d);
            if (n == null) {
                return;
            }
            long addr = address(cu, d);
            if (addr != -1) {
                defs.computeIfAbsent(n, k -> new ArrayList<>(1)).add(new Variable(d.offset(), addr));
            } else if (d.has(DW_AT_declaration)) {
                decls.putIfAbsent(n, new Variable(d.offset(), -1));
            }
        }

        private static String name(CompileUnit cu, Die d) {
            String n = d.string(DW_AT_name);
            if (n == null && d.has(DW_AT_specification)) {
                Die spec = cu.dwarf().dieAt(d.value(DW_AT_specification, 0));
                n = spec == null ? null : spec.string(DW_AT_name);
            }
            return n;
        }

        /** The static address of a variable whose location is a single DW_OP_addr / DW_OP_addrx, else -1. */
        private static long address(CompileUnit cu, Die d) {
            int i = d.find(DW_AT_location);
            if (i < 0 || d.abbrev().forms()[i] != Form.exprloc) {
                return -1;
            }
            Bytes info = cu.dwarf().info();
            long at = d.values()[i];
            int op = info.u8(at);
            if (op == 0x03) { // DW_OP_addr
                return info.uN(at + 1, cu.header().addressSize());
            }
            if (op == 0xa1) { // DW_OP_addrx
                return cu.address(new Cursor(info, at + 1).uleb());
            }
            return -1;
        }

        private static long next(CompileUnit cu, Die d) {
            if (!d.hasChildren()) {
                return d.next();
            }
            long sib = d.value(DW_AT_sibling, -1);
            return sib > 0 ? sib : cu.skipChildren(d);
        }
    }
}
