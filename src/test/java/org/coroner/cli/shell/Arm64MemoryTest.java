package org.coroner.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.coroner.kernel.stack.TaskTrace;
import org.coroner.session.Session;
import org.coroner.testing.Arm64Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code kmem ADDR} and {@code kmem -p} on the arm64 dumps: the memory map from VMCOREINFO's
 * {@code VMEMMAP_START} and {@code PHYS_OFFSET}, SLUB as on x86_64. The object asked for is the
 * {@code struct lab_dev} the null scenario faulted on (x19 of the exception frame, where DWARF puts
 * {@code d}); what kmem says is checked against the dump's own {@code struct slab} and
 * {@code struct kmem_cache}. {@code search} and {@code ptov} over the linear map, the vmalloc areas
 * (the image, modules and stacks are mapped there) and the task stacks.
 */
@Tag("fixtures")
class Arm64MemoryTest {
    private static final Pattern CACHE = Pattern.compile("(?m)^([0-9a-f]{16}) +(\\d+) +\\d+ +\\d+ +\\d+ +\\d+k +(\\S+)$");
    private static final Pattern SLAB = Pattern.compile("(?m)^  ([0-9a-f]{16})  ([0-9a-f]{16}) +0 +\\d+ +\\d+ +\\d+$");
    private static final Pattern PAGE = Pattern.compile("(?m)^([0-9a-f]{16}) +([0-9a-f]+) ([0-9a-f]{16}) +\\d+ +\\d+ [0-9a-f]+ .*slab");

    @ParameterizedTest
    @ValueSource(strings = {"zlib", "elf"})
    void kmemNamesTheSlabObjectTheNullDereferenceWentThrough(String format) throws Exception {
        try (Session s = Arm64Fixtures.open("null", format)) {
            TaskTrace t = s.backtracer().trace(s.backtracer().panicTask().orElseThrow());
            long d = t.frames().stream().filter(TaskTrace.TraceFrame::isException).findFirst().orElseThrow()
                    .regs().named().get("x19");
            String out = Arm64ShellTest.run(s, String.format("kmem %x", d));
            Matcher c = CACHE.matcher(out);
            assertThat(c.find()).as(out).isTrue();
            long cache = Long.parseUnsignedLong(c.group(1), 16);
            // the cache as the dump has it: its name, an object size that holds lab_dev up to ops (+0x28)
            assertThat(c.group(3)).isEqualTo(s.kernel().object("struct kmem_cache", cache).member("name").string())
                    .startsWith("kmalloc-");
            assertThat(Long.parseLong(c.group(2))).isGreaterThanOrEqualTo(0x30);
            Matcher sl = SLAB.matcher(out);
            assertThat(sl.find()).as(out).isTrue();
            long slab = Long.parseUnsignedLong(sl.group(1), 16);
            long memory = Long.parseUnsignedLong(sl.group(2), 16);
            assertThat(s.kernel().object("struct slab", slab).member("slab_cache").u64()).isEqualTo(cache);
            assertThat(Long.compareUnsigned(d, memory)).isGreaterThanOrEqualTo(0);
            // the object holding d, allocated (the module had just kzalloc'ed it)
            long size = Long.parseLong(c.group(2));
            long object = memory + (d - memory) / size * size;
            assertThat(out).contains(String.format("  [%x]", object));
            Matcher p = PAGE.matcher(out);
            assertThat(p.find()).as(out).isTrue();
            assertThat(Long.parseUnsignedLong(p.group(1), 16)).isEqualTo(slab);
            long phys = Long.parseUnsignedLong(p.group(2), 16);
            assertThat(phys).isEqualTo(s.addressSpace().toPhysical(memory));
            assertThat(Long.parseUnsignedLong(p.group(3), 16)).isEqualTo(cache);
            // the same page from its physical address
            String byPhys = Arm64ShellTest.run(s, String.format("kmem -p %x", phys));
            assertThat(List.of(byPhys.split("\n"))).anySatisfy(l -> assertThat(l).startsWith(p.group(1) + " " + p.group(2)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zlib", "elf"})
    void searchFindsThePointerWhereTheExceptionFrameSavedIt(String format) throws Exception {
        try (Session s = Arm64Fixtures.open("null", format)) {
            TaskTrace t = s.backtracer().trace(s.backtracer().panicTask().orElseThrow());
            TaskTrace.TraceFrame fault = t.frames().stream().filter(TaskTrace.TraceFrame::isException).findFirst().orElseThrow();
            long d = fault.regs().named().get("x19");
            long slot = fault.regsAddress() + 19 * 8; // pt_regs.regs[19]
            String k = Arm64ShellTest.run(s, String.format("search -k %x", d));
            List<String> hits = k.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
            assertThat(hits).contains(String.format("%x: %x", slot, d));
            // every hit holds the value, and the stack slot's page is found again through the linear map
            for (String h : hits) {
                assertThat(s.kernel().memory().u64(Long.parseUnsignedLong(h.substring(0, h.indexOf(':')), 16))).as(h).isEqualTo(d);
            }
            long alias = s.memMap().directMap(s.addressSpace().toPhysical(slot) >>> 12) + (slot & 0xfff);
            assertThat(hits).contains(String.format("%x: %x", alias, d));
            String stacks = Arm64ShellTest.run(s, String.format("search -t %x", d));
            assertThat(stacks).contains("COMMAND: \"insmod\"").contains(String.format("%x: %x ", slot, d));
            String p = Arm64ShellTest.run(s, String.format("search -p %x", d));
            assertThat(p).contains(String.format("%x: %x ", s.addressSpace().toPhysical(slot), d));
            // the image is searched: linux_banner's text at its symbol's address
            String banner = Arm64ShellTest.run(s, "search -k -c \"Linux version " + Arm64Fixtures.RELEASE + "\"");
            assertThat(banner).contains(String.format("%x: Linux version ", s.kernel().requireSymbol("linux_banner")));
            String ptov = Arm64ShellTest.run(s, String.format("ptov %x", s.addressSpace().toPhysical(d)));
            assertThat(ptov).contains(String.format("%x  %x", d, s.addressSpace().toPhysical(d)));
        }
    }

    private static final Pattern LEVEL = Pattern.compile("(?m)^   (PGD|PUD|PMD|PTE): ([0-9a-f]+) => ([0-9a-f]+)$");
    private static final Pattern LEAF = Pattern.compile("(?m)^  PAGE: ([0-9a-f]+)(  \\((2MB|1GB)\\))?$");

    /**
     * vtop of the faulting pointer (linear map: 4 KiB pages under rodata=full, blocks in the pac run's
     * rodata=off), the exception frame (a vmap'ed stack) and the faulting pc (module text): every
     * descriptor crash's layout names is at the kernel address given, holds the value given, points
     * to the next one's table, and the leaf gives the physical address the dump's reads use.
     */
    @ParameterizedTest
    @ValueSource(strings = {"null", "pac"})
    void vtopWalksSwapperPgDir(String scenario) throws Exception {
        try (Session s = Arm64Fixtures.open(scenario, "zlib")) {
            TaskTrace t = s.backtracer().trace(s.backtracer().panicTask().orElseThrow());
            TaskTrace.TraceFrame fault = t.frames().stream().filter(TaskTrace.TraceFrame::isException).findFirst().orElseThrow();
            long d = fault.regs().named().get("x19");
            for (long va : new long[] {d, fault.regsAddress(), fault.pc()}) {
                String out = Arm64ShellTest.run(s, String.format("vtop %x", va));
                long phys = s.addressSpace().toPhysical(va);
                assertThat(out).as(out).startsWith(String.format("VIRTUAL           PHYSICAL        %n%-16x  %-16x%n%n", va, phys))
                        .contains(String.format("PAGE DIRECTORY: %x%n", s.kernel().requireSymbol("swapper_pg_dir")));
                Matcher m = LEVEL.matcher(out);
                Long table = null;
                int n = 0;
                String last = null;
                while (m.find()) {
                    long at = Long.parseUnsignedLong(m.group(2), 16);
                    long value = Long.parseUnsignedLong(m.group(3), 16);
                    assertThat(s.kernel().memory().u64(at)).as(m.group()).isEqualTo(value);
                    if (table != null) {
                        assertThat(s.addressSpace().toPhysical(at) & ~0xfffL).as(m.group()).isEqualTo(table);
                    }
                    table = value & 0x0000_ffff_ffff_f000L;
                    last = m.group(1);
                    n++;
                }
                assertThat(n).as(out).isBetween(2, 4);
                Matcher leaf = LEAF.matcher(out);
                assertThat(leaf.find()).as(out).isTrue();
                long size = leaf.group(3) == null ? 4096 : leaf.group(3).equals("2MB") ? 1L << 21 : 1L << 30;
                assertThat(last).isEqualTo(size == 4096 ? "PTE" : size == 1L << 21 ? "PMD" : "PUD");
                assertThat(Long.parseUnsignedLong(leaf.group(1), 16) + (va & (size - 1))).isEqualTo(phys);
                assertThat(out).contains("(VALID|").contains(String.format("%n%x %x ", s.memMap().page(phys >>> 12), phys & ~0xfffL));
                if (scenario.equals("pac") && va == d) {
                    assertThat(size).as("rodata=off maps the linear map with blocks").isGreaterThan(4096);
                }
            }
        }
    }

    /**
     * A task's user space through its {@code mm->pgd} (TTBR0): init is the initramfs's
     * {@code #!/bin/busybox sh} script, so its text is busybox-static's file, and the kernel gave it
     * the unknown command-line parameter {@code lab=null} as environment (make-arm64-dumps.sh).
     */
    @ParameterizedTest
    @ValueSource(strings = {"zlib", "elf"})
    void userSpaceThroughTheTasksOwnTables(String format) throws Exception {
        try (Session s = Arm64Fixtures.open("null", format)) {
            var init = s.backtracer().byPid(1).get(0);
            s.setCurrent(init);
            assertThat(Arm64ShellTest.run(s, "ps -a 1")).contains("ARG: /bin/busybox sh /init").contains("lab=null");
            long text = s.kernel().object("struct mm_struct", init.task().member("mm").u64()).member("start_code").u64() & ~0xfffL;
            byte[] file = java.nio.file.Files.readAllBytes(Arm64Fixtures.dir().resolve("bb/bin/busybox"));
            byte[] mapped = s.userMemory(init).orElseThrow().read(text, 4096);
            assertThat(mapped).isEqualTo(java.util.Arrays.copyOf(file, 4096));
            // the memory map from the maple tree: as many VMAs as the kernel counts, the text in the first, from /bin/busybox
            long mm = init.task().member("mm").u64();
            var vmas = org.coroner.kernel.mm.Vmas.of(s.kernel(), mm);
            assertThat(vmas).hasSize((int) s.kernel().object("struct mm_struct", mm).member("map_count").u64());
            assertThat(vmas.get(0).contains(text)).isTrue();
            assertThat(vmas.get(0).file()).isEqualTo("/bin/busybox");
            assertThat(Arm64ShellTest.run(s, "vm 1")).contains(String.format("%x %10x", vmas.get(0).address(), vmas.get(0).start()));
            assertThat(Arm64ShellTest.run(s, String.format("search -u -w -s %x -l 0x1000 464c457f", text)))
                    .startsWith(String.format("%x: 464c457f", text));
            String vtop = Arm64ShellTest.run(s, String.format("vtop -u %x", text));
            long pgd = s.kernel().object("struct mm_struct", init.task().member("mm").u64()).member("pgd").u64();
            long phys = s.userAddressSpace(init).orElseThrow().toPhysical(text);
            assertThat(vtop).startsWith(String.format("VIRTUAL     PHYSICAL        %n%-10x  %-16x%n%nPAGE DIRECTORY: %x%n", text, phys, pgd))
                    .contains("(VALID|USER|");
            // after the walk, the VMA that holds the address, as vm prints it; outside every VMA, not accessible
            String textVma = Arm64ShellTest.run(s, "vm 1").lines().filter(l -> l.startsWith(Long.toHexString(vmas.get(0).address())))
                    .findFirst().orElseThrow();
            assertThat(vtop).contains("      VMA           START       END     FLAGS FILE\n" + textVma + "\n");
            assertThat(Arm64ShellTest.run(s, "vtop -u 1000")).isEqualTo("VIRTUAL     PHYSICAL        \n1000        (not accessible)\n\n");
            Matcher m = LEVEL.matcher(vtop);
            while (m.find()) {
                assertThat(s.kernel().memory().u64(Long.parseUnsignedLong(m.group(2), 16))).as(m.group())
                        .isEqualTo(Long.parseUnsignedLong(m.group(3), 16));
            }
            // the physical page holds the file's bytes
            byte[] page = new byte[4096];
            s.dump().memory().read(phys, page, 0, 4096);
            assertThat(page).isEqualTo(mapped);
        }
    }
}
