package org.coroner.disasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.coroner.elf.ElfFile;
import org.coroner.elf.SymbolTable;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Every instruction of real kernel code, disassembled by us and by binutils 2.40's objdump. */
@Tag("fixtures")
class X86ObjdumpTest {

    /** Tally of compared lines, with the differing ones grouped by a rough kind. */
    static final class Tally {
        int total;
        int same;
        final Map<String, List<String>> diffs = new TreeMap<>();

        void compare(ObjdumpListing.Line ref, Instruction ours, SymbolResolver sym) {
            total++;
            String mine = ObjdumpListing.norm(ours.text(sym));
            if (mine.equals(ref.text()) && java.util.Arrays.equals(ours.bytes(), ref.bytes())) {
                same++;
                return;
            }
            String kind = ref.text().split(" ")[0] + " vs " + mine.split(" ")[0];
            diffs.computeIfAbsent(kind, k -> new ArrayList<>())
                    .add(Long.toHexString(ref.address()) + " [" + ref.hex() + "] objdump: " + ref.text() + " | ours: " + mine);
        }

        void missing(ObjdumpListing.Line ref) {
            total++;
            diffs.computeIfAbsent("boundary", k -> new ArrayList<>())
                    .add(Long.toHexString(ref.address()) + " [" + ref.hex() + "] objdump: " + ref.text() + " | ours: none at this address");
        }

        double percent() {
            return total == 0 ? 0 : 100.0 * same / total;
        }

        String report(String what) {
            StringBuilder b = new StringBuilder(String.format("%s: %d/%d instruction lines identical (%.3f%%)%n", what, same, total, percent()));
            diffs.entrySet().stream().sorted((x, y) -> y.getValue().size() - x.getValue().size()).forEach(e -> {
                b.append(String.format("  %5d  %s%n", e.getValue().size(), e.getKey()));
                e.getValue().stream().limit(4).forEach(s -> b.append("           ").append(s).append('\n'));
            });
            return b.toString();
        }
    }

    /**
     * Compares one objdump listing with our decoding of the same bytes, instruction by instruction.
     * objdump decodes each symbol's block on its own (an instruction never runs into the next
     * symbol), so we decode block by block too.
     */
    static void compare(ObjdumpListing ref, byte[] code, long base, SymbolResolver sym, Tally t) {
        Map<Long, Instruction> ours = new java.util.HashMap<>();
        List<Long> starts = new ArrayList<>(ref.blockStarts);
        starts.add(0, base);
        starts.add(base + code.length);
        for (int k = 0; k + 1 < starts.size(); k++) {
            int from = (int) (starts.get(k) - base);
            int to = (int) (starts.get(k + 1) - base);
            if (from < 0 || to > code.length || from >= to) {
                continue;
            }
            byte[] block = java.util.Arrays.copyOfRange(code, from, to);
            for (Instruction i : Disassembler.of(Arch.X86_64).disassemble(block, base + from, 0)) {
                ours.put(i.address(), i);
            }
        }
        for (ObjdumpListing.Line l : ref.lines) {
            Instruction i = ours.get(l.address());
            if (i == null) {
                t.missing(l);
            } else {
                t.compare(l, i, sym);
            }
        }
    }

    @Test
    void crashlabModuleEveryInstruction() {
        Path ko = Fixtures.crashlabKo();
        Tally t = new Tally();
        try (ElfFile elf = ElfFile.open(ko)) {
            ObjdumpSymbols names = ObjdumpSymbols.of(elf);
            for (ElfFile.Section s : elf.sections()) {
                if (!s.isExec() || s.size() == 0) {
                    continue;
                }
                ObjdumpListing ref = ObjdumpListing.parse(Fixtures.run("objdump", "-d", "-j", s.name(), ko.toString()));
                byte[] code = elf.data(s).bytes(0, (int) s.size());
                compare(ref, code, 0, names.forSection(s), t);
            }
        }
        System.out.print(t.report("crashlab.ko"));
        assertThat(t.total).isGreaterThan(300);
        assertThat(t.percent()).isEqualTo(100.0);
    }

    /**
     * A sample of the 6.1 vmlinux: {@link #WINDOWS} runs of {@link #PER_WINDOW} consecutive functions
     * spread evenly over .text (plus one over .init.text), padding between them included, and all of
     * .altinstr_replacement (the alternative instruction sequences the kernel patches in).
     */
    @Test
    void vmlinuxSampleOfFunctions() {
        Path vmlinux = Fixtures.vmlinux();
        Tally t = new Tally();
        Tally alt = new Tally();
        int functions = 0;
        try (ElfFile elf = ElfFile.open(vmlinux)) {
            SymbolTable syms = elf.symbols();
            ObjdumpSymbols names = ObjdumpSymbols.of(elf);
            for (String secName : List.of(".text", ".init.text")) {
                ElfFile.Section sec = elf.section(secName).orElseThrow();
                List<long[]> funcs = functions(syms, sec);
                int windows = secName.equals(".text") ? WINDOWS : 1;
                for (int w = 0; w < windows; w++) {
                    int first = (int) ((long) (funcs.size() - PER_WINDOW) * w / Math.max(1, windows - 1));
                    first = Math.max(0, Math.min(first, funcs.size() - PER_WINDOW));
                    long start = funcs.get(first)[0];
                    long stop = funcs.get(first + PER_WINDOW - 1)[0] + funcs.get(first + PER_WINDOW - 1)[1];
                    functions += PER_WINDOW;
                    compareRange(elf, sec, start, stop, names.forSection(sec), t);
                }
            }
            ElfFile.Section a = elf.section(".altinstr_replacement").orElseThrow();
            compareRange(elf, a, a.addr(), a.addr() + a.size(), names.forSection(a), alt);
        }
        System.out.print(t.report("vmlinux, " + functions + " functions"));
        System.out.print(alt.report("vmlinux .altinstr_replacement"));
        assertThat(functions).isGreaterThanOrEqualTo(2000);
        assertThat(t.total).isGreaterThan(50_000);
        assertThat(t.percent()).isGreaterThanOrEqualTo(99.5);
    }

    static final int WINDOWS = 12;
    static final int PER_WINDOW = 200;

    private static void compareRange(ElfFile elf, ElfFile.Section sec, long start, long stop, SymbolResolver names, Tally t) {
        ObjdumpListing ref = ObjdumpListing.parse(Fixtures.run("objdump", "-d", "-j", sec.name(),
                "--start-address=0x" + Long.toHexString(start), "--stop-address=0x" + Long.toHexString(stop),
                elf.path().toString()));
        byte[] code = elf.data(sec).bytes(start - sec.addr(), (int) (stop - start));
        compare(ref, code, start, names, t);
    }

    /** (address, size) of the sized functions of a section, by address, one per address. */
    private static List<long[]> functions(SymbolTable syms, ElfFile.Section sec) {
        TreeMap<Long, Long> m = new TreeMap<>(Long::compareUnsigned);
        for (int k = 1; k < syms.count(); k++) {
            if (syms.type(k) == SymbolTable.STT_FUNC && syms.shndx(k) == sec.index() && syms.size(k) > 0) {
                m.putIfAbsent(syms.value(k), syms.size(k));
            }
        }
        List<long[]> out = new ArrayList<>();
        m.forEach((a, z) -> out.add(new long[] {a, z}));
        return out;
    }

    /**
     * Every instruction of the vmlinux .text (6.5 million lines, about two minutes): run with
     * {@code -Dcoroner.disasm.full=true}. Last run: 99.995% identical, see the report printed.
     */
    @Test
    void vmlinuxWholeText() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("coroner.disasm.full"),
                "whole-.text comparison runs with -Dcoroner.disasm.full=true");
        Tally t = new Tally();
        try (ElfFile elf = ElfFile.open(Fixtures.vmlinux())) {
            ElfFile.Section sec = elf.section(".text").orElseThrow();
            SymbolResolver names = ObjdumpSymbols.of(elf).forSection(sec);
            Process p = new ProcessBuilder("objdump", "-d", "-j", ".text", elf.path().toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            List<String> chunk = new ArrayList<>();
            try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
                for (String s = r.readLine(); s != null; s = r.readLine()) {
                    if (s.isEmpty() && chunk.size() > 200_000) {
                        compareChunk(elf, sec, chunk, names, t);
                        chunk.clear();
                    }
                    chunk.add(s);
                }
            }
            compareChunk(elf, sec, chunk, names, t);
            assertThat(p.waitFor()).isZero();
        }
        System.out.print(t.report("vmlinux, whole .text"));
        assertThat(t.total).isGreaterThan(6_000_000);
        assertThat(t.percent()).isGreaterThanOrEqualTo(99.5);
    }

    private static void compareChunk(ElfFile elf, ElfFile.Section sec, List<String> chunk, SymbolResolver names, Tally t) {
        ObjdumpListing ref = ObjdumpListing.parse(String.join("\n", chunk));
        if (ref.lines.isEmpty()) {
            return;
        }
        long start = ref.blockStarts.isEmpty() ? ref.lines.get(0).address()
                : Math.min(ref.blockStarts.get(0), ref.lines.get(0).address());
        ObjdumpListing.Line last = ref.lines.get(ref.lines.size() - 1);
        long stop = last.address() + last.bytes().length;
        byte[] code = elf.data(sec).bytes(start - sec.addr(), (int) (stop - start));
        compare(ref, code, start, names, t);
    }
}
