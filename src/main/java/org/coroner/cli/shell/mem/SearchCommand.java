package org.coroner.cli.shell.mem;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import org.coroner.arch.x86_64.X86_64AddressSpace;
import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.cli.shell.bt.BacktracePrinter;
import org.coroner.dump.PhysicalMemory;
import org.coroner.kernel.Tasks;
import org.coroner.kernel.mm.MemMap;
import org.coroner.kernel.mm.VmapAreas;
import org.coroner.session.Session;

/**
 * crash's {@code search}: every place a value (8, 4 or 2 bytes, under an optional mask) or a
 * string occurs in kernel virtual memory (the direct map, vmalloc space, the memory map, the kernel
 * image and the modules, in address order), in a task's user memory, in physical memory, or in
 * the kernel stacks of the tasks ({@code -t}, each hit under its task's header). Pages the dump
 * does not hold are skipped, as crash skips them.
 */
public final class SearchCommand implements ShellCommand {
    private static final long PAGE = MemMap.PAGE_SIZE;
    private static final int CHARS_CONTEXT = 56;
    /** TASK_SIZE_MAX with 4-level paging: user space ends below it. */
    private static final long USER_END = 0x0000_7fff_ffff_f000L;
    private final Session s;

    public SearchCommand(Session s) {
        this.s = s;
    }

    @Override
    public String name() {
        return "search";
    }

    @Override
    public String summary() {
        return "search memory for values or strings: kernel, user, physical, task stacks";
    }

    @Override
    public String help() {
        return """
                search [-s START] [-e END | -l LENGTH] [-k | -K | -V | -u | -p | -t | -T] [-m MASK] [-w | -h | -c] [-x COUNT] VALUE...
                  Searches memory for each VALUE (hex, or a symbol, whose address is searched) and
                  prints ADDRESS: VALUE for each place it is found, in address order.
                  -k        kernel virtual memory (the default): direct map, vmalloc space, the
                            memory map, the kernel image, the modules
                  -K        the direct map and the kernel image only  -V  vmalloc, memory map and modules only
                  -u        the current context's user memory (through its page tables)
                  -p        physical memory
                  -t        every task's kernel stack, each task's hits under its header;  -T  only the
                            stacks of the tasks running on a CPU
                  -s START  start there (hex address or symbol); -e END stop there; -l LENGTH bytes
                  -m MASK   compare VALUE | MASK with each word | MASK (ignore the MASK bits)
                  -w        4-byte values; -h 2-byte values; -c VALUE is a string (with 56 bytes of context)
                  -x COUNT  each hit with the COUNT values before and after it, in rd's layout (not
                            with -c, -t or -T)""";
    }

    private enum Mode { LONG, INT, SHORT, CHARS }

    private enum Space { KERNEL, KERNEL_DIRECT, KERNEL_VIRTUAL, USER, PHYSICAL, STACKS, ACTIVE_STACKS }

    private record Needle(long value, String label, byte[] chars) {
    }

    /** A range of virtual (or physical) addresses backed by physical memory, page by page. */
    private record Chunk(long vaddr, long paddr, long length) {
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        Mode mode = Mode.LONG;
        long context = 0;
        Space space = null;
        Long start = null;
        Long end = null;
        Long length = null;
        long mask = 0;
        List<String> values = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-k" -> space = set(space, Space.KERNEL);
                case "-K" -> space = set(space, Space.KERNEL_DIRECT);
                case "-V" -> space = set(space, Space.KERNEL_VIRTUAL);
                case "-u" -> space = set(space, Space.USER);
                case "-p" -> space = set(space, Space.PHYSICAL);
                case "-t" -> space = set(space, Space.STACKS);
                case "-T" -> space = set(space, Space.ACTIVE_STACKS);
                case "-w" -> mode = Mode.INT;
                case "-h" -> mode = Mode.SHORT;
                case "-c" -> mode = Mode.CHARS;
                case "-s", "-e", "-l", "-m" -> {
                    if (i + 1 >= args.size()) {
                        throw new CommandException(a + " needs an argument");
                    }
                    String v = args.get(++i);
                    switch (a) {
                        case "-s" -> start = addressOrSymbol(v);
                        case "-e" -> end = addressOrSymbol(v);
                        case "-l" -> length = MemoryArgs.number(v);
                        default -> mask = MemoryArgs.address(v);
                    }
                }
                case "-x" -> {
                    if (i + 1 >= args.size()) {
                        throw new CommandException("-x needs a count");
                    }
                    context = MemoryArgs.number(args.get(++i));
                    if (context <= 0 || context > 4096) {
                        throw new CommandException("invalid -x count: " + args.get(i));
                    }
                }
                default -> {
                    if (a.startsWith("-") && a.length() > 1 && mode != Mode.CHARS) {
                        throw new CommandException("invalid option: " + a);
                    }
                    values.add(a);
                }
            }
        }
        if (space == null) {
            space = Space.KERNEL;
        }
        if (values.isEmpty()) {
            throw new CommandException("usage: search [-s START] [-e END | -l LENGTH] [-k|-u|-p|-t] [-m MASK] [-w|-h|-c] VALUE...");
        }
        if (end != null && length != null) {
            throw new CommandException("-e and -l are mutually exclusive");
        }
        boolean stacks = space == Space.STACKS || space == Space.ACTIVE_STACKS;
        if (context > 0 && (stacks || mode == Mode.CHARS)) {
            throw new CommandException("-x is not supported with " + (stacks ? "-t or -T" : "-c") + " yet");
        }
        if (stacks && (start != null || end != null || length != null)) {
            throw new CommandException("-t option cannot be used with other memory-selection options");
        }
        List<Needle> needles = new ArrayList<>();
        for (String v : values) {
            needles.add(needle(v, mode));
        }
        if (length != null) {
            end = (start != null ? start : defaultStart(space)) + length;
        }
        Searcher searcher = new Searcher(mode, mask, needles, s.dump().memory());
        switch (space) {
            case STACKS, ACTIVE_STACKS -> searchStacks(searcher, space == Space.ACTIVE_STACKS, out);
            default -> {
                long from = start != null ? start : defaultStart(space);
                long to = end != null ? end : defaultEnd(space);
                if (Long.compareUnsigned(to, from) < 0 && to != 0) {
                    throw new CommandException(String.format("ending address %x is below starting address %x", to, from));
                }
                checkStart(space, from);
                List<String> hits = searcher.search(chunks(space, from, to));
                if (context > 0) {
                    withContext(hits, space, mode, context, out);
                } else {
                    for (String line : hits) {
                        out.println(line);
                    }
                }
                searcher.reportSkipped(out);
            }
        }
    }

    /**
     * {@code -x}: each hit between the {@code count} values before and after it, those in rd's layout
     * (ASCII column and all), the hit as {@code ADDRESS:  VALUE}; a blank line after each. Context
     * that cannot be read is left out.
     */
    private void withContext(List<String> hits, Space space, Mode mode, long count, PrintWriter out) {
        int unit = switch (mode) {
            case INT -> 4;
            case SHORT -> 2;
            default -> 8;
        };
        String type = switch (space) {
            case USER -> "UVADDR";
            case PHYSICAL -> "PHYSADDR";
            default -> "KVADDR";
        };
        var display = new org.coroner.cli.shell.data.MemoryDisplay(org.coroner.cli.shell.data.MemoryDisplay.reader(s, type), type);
        for (String hit : hits) {
            int colon = hit.indexOf(": ");
            if (colon < 0) {
                out.println(hit); // a note, not a hit
                continue;
            }
            long at = Long.parseUnsignedLong(hit.substring(0, colon), 16);
            contextLines(display, at - count * unit, count, unit, out);
            out.println(hit.substring(0, colon) + ":  " + hit.substring(colon + 2));
            contextLines(display, at + unit, count, unit, out);
            out.println();
        }
    }

    private static void contextLines(org.coroner.cli.shell.data.MemoryDisplay display, long from, long count, int unit,
                                     PrintWriter out) {
        java.io.StringWriter buf = new java.io.StringWriter();
        PrintWriter w = new PrintWriter(buf);
        try {
            display.words(from, count, unit, org.coroner.cli.shell.data.MemoryDisplay.Radix.HEX, true, null, w);
            w.flush();
            out.print(buf);
        } catch (RuntimeException e) {
            // outside what can be read: no context on this side
        }
    }

    private static Space set(Space current, Space wanted) {
        if (current != null && current != wanted) {
            throw new CommandException("only one of -k, -K, -V, -u, -p, -t and -T");
        }
        return wanted;
    }

    private long addressOrSymbol(String v) {
        Optional<Long> sym = s.kernel().symbol(v);
        return sym.orElseGet(() -> MemoryArgs.address(v));
    }

    private Needle needle(String v, Mode mode) {
        if (mode == Mode.CHARS) {
            if (v.isEmpty()) {
                throw new CommandException("empty search string");
            }
            return new Needle(0, "", v.getBytes(StandardCharsets.ISO_8859_1));
        }
        if (v.startsWith("(")) {
            throw new CommandException("expressions are not supported yet: " + v);
        }
        long value;
        String label = "";
        if (!v.matches("(0x)?[0-9a-fA-F]+") && s.kernel().symbol(v).isPresent()) {
            value = s.kernel().symbol(v).get();
            label = "(" + v + ")";
        } else {
            value = MemoryArgs.address(v);
        }
        if (mode == Mode.INT && Long.compareUnsigned(value, 0xffffffffL) > 0) {
            throw new CommandException(String.format("value too large for -w option: %x", value));
        }
        if (mode == Mode.SHORT && Long.compareUnsigned(value, 0xffffL) > 0) {
            throw new CommandException(String.format("value too large for -h option: %x", value));
        }
        return new Needle(value, label, null);
    }

    private long defaultStart(Space space) {
        return switch (space) {
            case USER -> 0;
            case PHYSICAL -> s.memMap().pfnRanges().stream().findFirst().map(r -> r[0] * PAGE).orElse(0L);
            case KERNEL_VIRTUAL -> vmallocStart();
            default -> s.memMap().pageOffsetBase();
        };
    }

    private long defaultEnd(Space space) {
        return switch (space) {
            case USER -> userEnd();
            case PHYSICAL -> s.memMap().pfnRanges().stream().map(r -> r[1] * PAGE).max(Long::compare).orElse(0L);
            default -> 0; // the top of the address space
        };
    }

    private void checkStart(Space space, long from) {
        boolean kernel = from < 0;
        boolean ok = switch (space) {
            case USER -> !kernel;
            case PHYSICAL -> true;
            default -> kernel;
        };
        if (!ok) {
            throw new CommandException(String.format("invalid %s address: %x",
                    space == Space.USER ? "user virtual" : "kernel virtual", from));
        }
    }

    /** The top of user space: x86_64's canonical lower half, arm64's TASK_SIZE (2^VA_BITS). */
    private long userEnd() {
        return s.addressSpace() instanceof org.coroner.arch.arm64.Arm64AddressSpace a ? 1L << a.vaBits() : USER_END;
    }

    private long vmallocStart() {
        return s.kernel().symbol("vmalloc_base").map(a -> s.kernel().memory().u64(a))
                .or(() -> Optional.ofNullable(s.vmcoreInfo().entries().get("NUMBER(MODULES_VADDR)")) // arm64: modules, then vmalloc
                        .map(v -> Long.parseUnsignedLong(v.trim().replaceFirst("^0x", ""), 16)))
                .orElse(0xffffc90000000000L);
    }

    /** The backed pieces of [from, to) of a memory space, in address order. */
    private List<Chunk> chunks(Space space, long from, long to) {
        List<Chunk> out = new ArrayList<>();
        MemMap mm = s.memMap();
        var ks = s.addressSpace();
        switch (space) {
            case PHYSICAL -> {
                for (long[] r : mm.pfnRanges()) {
                    clip(out, r[0] * PAGE, r[0] * PAGE, (r[1] - r[0]) * PAGE, from, to);
                }
            }
            case USER -> {
                Tasks.Task t = s.current().orElseThrow(() -> new CommandException("no current context"));
                var us = s.userAddressSpace(t).orElseThrow(() ->
                        new CommandException("current context has no user address space"));
                us.forEachMapping(from, Math.min(to, userEnd()), (va, pa, size) -> {
                    clip(out, va, pa, size, from, to);
                    return true;
                });
            }
            default -> {
                // crash's kernel ranges, by address: direct map, vmalloc, memory map, kernel image, modules
                long pob = mm.pageOffsetBase();
                boolean direct = space != Space.KERNEL_VIRTUAL;
                boolean virtual = space != Space.KERNEL_DIRECT;
                // vmalloc space as crash walks it: the vmalloc areas (modules included), then the memory map
                List<long[]> mapped = new ArrayList<>(); // {vaddr, paddr, size} from the page tables
                if (virtual) {
                    for (VmapAreas.Area a : s.vmapAreas().all()) {
                        ks.forEachMapping(a.start(), a.end(), (va, pa, size) -> {
                            mapped.add(new long[] {va, pa, size});
                            return true;
                        });
                    }
                    long vend = mm.vmemmapBase() + mm.pfnRanges().stream().mapToLong(r -> r[1]).max().orElse(0) * mm.pageStructSize();
                    ks.forEachMapping(mm.vmemmapBase(), vend, (va, pa, size) -> {
                        mapped.add(new long[] {va, pa, size});
                        return true;
                    });
                }
                if (direct) {
                    for (long[] r : mm.pfnRanges()) {
                        clip(out, pob + r[0] * PAGE, r[0] * PAGE, (r[1] - r[0]) * PAGE, from, to);
                    }
                }
                for (long[] m : mapped) {
                    clip(out, m[0], m[1], m[2], from, to);
                }
                if (direct && ks instanceof X86_64AddressSpace x86) {
                    // arm64 maps its image in vmalloc space, as vmap areas the walk above covered
                    long text = X86_64AddressSpace.START_KERNEL_MAP;
                    long kend = s.kernel().symbol("_end").orElse(text);
                    clip(out, text, text - X86_64AddressSpace.START_KERNEL_MAP + x86.physBase(), kend - text, from, to);
                }
            }
        }
        return out;
    }

    /** Adds the part of [va, va + size) inside [from, to) ({@code to == 0}: no end). */
    private static void clip(List<Chunk> out, long va, long pa, long size, long from, long to) {
        long lo = Long.compareUnsigned(va, from) < 0 ? from : va;
        long hi = va + size;
        if (to != 0 && Long.compareUnsigned(hi, to) > 0 || hi == 0 && to != 0) {
            hi = to;
        }
        if (Long.compareUnsigned(lo, hi) >= 0 && hi != 0) {
            return;
        }
        out.add(new Chunk(lo, pa + (lo - va), hi - lo));
    }

    private void searchStacks(Searcher searcher, boolean activeOnly, PrintWriter out) {
        int found = 0;
        var ks = s.addressSpace();
        for (Tasks.Task t : s.tasks().all()) {
            if (activeOnly && s.backtracer().activeCpu(t.address()).isEmpty()) {
                continue;
            }
            long base = t.task().member("stack").u64();
            if (base == 0) {
                continue;
            }
            long threadSize = s.backtracer().taskStack(t.address()).end() - base;
            List<Chunk> chunks = new ArrayList<>();
            for (long va = base; va < base + threadSize; va += PAGE) {
                try {
                    chunks.add(new Chunk(va, ks.toPhysical(va), PAGE));
                } catch (org.coroner.dump.FaultException e) {
                    // a stack page not mapped or not in the dump
                }
            }
            List<String> hits = searcher.search(chunks);
            if (!hits.isEmpty()) {
                if (found++ > 0) {
                    out.println();
                }
                out.println(BacktracePrinter.header(t, -1));
                hits.forEach(out::println);
            }
        }
        searcher.reportSkipped(out);
    }

    /** Scans chunks of memory for the needles; pages of a chunk are read (and decompressed) in parallel. */
    private static final class Searcher {
        private final Mode mode;
        private final long mask;
        private final List<Needle> needles;
        private final PhysicalMemory phys;
        private final java.util.concurrent.atomic.AtomicLong skipped = new java.util.concurrent.atomic.AtomicLong();

        /** A partial answer says so: the pages the dump lacks (a filtered dump) were not searched. */
        void reportSkipped(PrintWriter out) {
            if (skipped.get() > 0) {
                out.printf("search: %d pages not in the dump were not searched (partial result)%n", skipped.get());
            }
        }

        Searcher(Mode mode, long mask, List<Needle> needles, PhysicalMemory phys) {
            this.mode = mode;
            this.mask = mask;
            this.needles = needles;
            this.phys = phys;
        }

        List<String> search(List<Chunk> chunks) {
            List<long[]> pages = new ArrayList<>(); // {vaddr, paddr, from, to} within one page
            for (Chunk c : chunks) {
                long va = c.vaddr();
                long end = c.vaddr() + c.length();
                while (Long.compareUnsigned(va, end) < 0 || end == 0 && va != 0) {
                    long pageStart = va & -PAGE;
                    long stop = pageStart + PAGE;
                    if (end != 0 && Long.compareUnsigned(stop, end) > 0) {
                        stop = end;
                    }
                    pages.add(new long[] {va, c.paddr() + (va - c.vaddr()), stop - va});
                    va = stop;
                    if (va == 0) {
                        break;
                    }
                }
            }
            List<List<String>> results = new ArrayList<>(pages.size());
            int batch = 256;
            int batches = (pages.size() + batch - 1) / batch;
            List<List<String>> perBatch = IntStream.range(0, batches).parallel().mapToObj(b -> {
                List<String> hits = new ArrayList<>();
                for (int i = b * batch; i < Math.min(pages.size(), (b + 1) * batch); i++) {
                    long[] p = pages.get(i);
                    scanPage(p[0], p[1], (int) p[2], i + 1 < pages.size() ? pages.get(i + 1) : null, hits);
                }
                return hits;
            }).toList();
            results.addAll(perBatch);
            List<String> out = new ArrayList<>();
            results.forEach(out::addAll);
            return out;
        }

        /** A page's bytes; null when the dump has none (crash skips those pages too). */
        private byte[] read(long paddr, int len) {
            try {
                return phys.read(paddr, len);
            } catch (org.coroner.dump.NotInDumpException e) {
                if (e.reason() != org.coroner.dump.NotInDumpException.Reason.NOT_IN_MEMORY_MAP) {
                    skipped.incrementAndGet(); // RAM the dump left out: the answer is partial
                }
                return null; // holes in the memory map hold nothing to find
            } catch (org.coroner.dump.FaultException e) {
                skipped.incrementAndGet(); // truncated or corrupt
                return null;
            }
        }

        private void scanPage(long va, long pa, int len, long[] next, List<String> hits) {
            byte[] b = read(pa, len);
            if (b == null) {
                return;
            }
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            switch (mode) {
                case LONG -> {
                    for (int off = (int) ((8 - (va & 7)) & 7); off + 8 <= len; off += 8) {
                        long w = bb.getLong(off);
                        for (Needle n : needles) {
                            if ((w | mask) == (n.value() | mask)) {
                                hits.add(String.format("%x: %x %s", va + off, w, n.label()));
                            }
                        }
                    }
                }
                case INT -> {
                    for (int off = (int) ((4 - (va & 3)) & 3); off + 4 <= len; off += 4) {
                        long w = bb.getInt(off) & 0xffffffffL;
                        for (Needle n : needles) {
                            if (((w | mask) & 0xffffffffL) == ((n.value() | mask) & 0xffffffffL)) {
                                hits.add(String.format("%x: %x %s", va + off, w, n.label()));
                            }
                        }
                    }
                }
                case SHORT -> {
                    for (int off = (int) (va & 1); off + 2 <= len; off += 2) {
                        long w = bb.getShort(off) & 0xffffL;
                        for (Needle n : needles) {
                            if (((w | mask) & 0xffff) == ((n.value() | mask) & 0xffff)) {
                                hits.add(String.format("%x: %x %s", va + off, w, n.label()));
                            }
                        }
                    }
                }
                case CHARS -> scanChars(va, b, next, hits);
            }
        }

        /**
         * Strings starting in this page; one that runs into the next page (when that page follows
         * in the same range) is matched there and shown with the next page's bytes, as crash does.
         */
        private void scanChars(long va, byte[] b, long[] next, List<String> out) {
            List<String> hits = needles.size() > 1 ? new ArrayList<>() : out;
            byte[] following = null;
            for (Needle n : needles) {
                byte[] t = n.chars();
                byte first = t[0];
                for (int i = 0; i < b.length; i++) {
                    if (b[i] != first) {
                        continue;
                    }
                    if (i + t.length <= b.length) {
                        if (matches(b, i, t, 0, t.length)) {
                            int slen = Math.min(CHARS_CONTEXT, b.length - i);
                            hits.add(String.format("%x: %s", va + i, printable(b, i, slen)));
                        }
                    } else if (matches(b, i, t, 0, b.length - i)) {
                        if (following == null && next != null && next[0] == va + b.length) {
                            following = read(next[1], (int) Math.min(next[2], CHARS_CONTEXT));
                        }
                        int rest = t.length - (b.length - i);
                        if (following != null && following.length >= rest && matches(following, 0, t, b.length - i, rest)) {
                            int more = Math.min(following.length - rest, CHARS_CONTEXT - t.length);
                            hits.add(String.format("%x: %s%s", va + i, printable(t, 0, t.length),
                                    printable(following, rest, Math.max(0, more))));
                        }
                    }
                }
            }
            if (hits != out) { // crash reports the needles' hits in address order
                hits.sort(java.util.Comparator.comparing(h -> Long.parseUnsignedLong(h.substring(0, h.indexOf(':')), 16),
                        Long::compareUnsigned));
                out.addAll(hits);
            }
        }

        private static boolean matches(byte[] b, int at, byte[] t, int from, int n) {
            for (int k = 0; k < n; k++) {
                if (b[at + k] != t[from + k]) {
                    return false;
                }
            }
            return true;
        }

        private static String printable(byte[] b, int from, int n) {
            StringBuilder sb = new StringBuilder(n);
            for (int k = from; k < from + n && k < b.length; k++) {
                int c = b[k] & 0xff;
                sb.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
            }
            return sb.toString();
        }
    }
}
