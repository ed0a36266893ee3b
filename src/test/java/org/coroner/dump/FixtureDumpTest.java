package org.coroner.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.coroner.arch.x86_64.PageTableWalk;
import org.coroner.arch.x86_64.X86_64AddressSpace;
import org.coroner.elf.ElfFile;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The two fixture vmcores (QEMU dump-guest-memory -z, flattened), checked against crash and the console log. */
@Tag("fixtures")
class FixtureDumpTest {

    static Dump open(String scenario) {
        return DumpFile.open(Fixtures.vmcoreDir(scenario).resolve("vmcore"));
    }

    static X86_64AddressSpace kernel(Dump d) {
        return X86_64AddressSpace.kernel(d.memory(), d.vmcoreInfo().orElseThrow(), d.maxPfn() * d.pageSize());
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba"})
    void headersAndVmcoreinfoMatchTheVmlinux(String scenario) {
        String buildId;
        try (ElfFile vmlinux = ElfFile.open(Fixtures.vmlinux())) {
            buildId = vmlinux.buildId().orElseThrow();
        }
        try (Dump d = open(scenario)) {
            assertThat(d.formatName()).isEqualTo("flattened kdump-compressed (zlib)");
            assertThat(d.machine()).isEqualTo("x86_64");
            assertThat(d.pageSize()).isEqualTo(4096);
            VmcoreInfo info = d.vmcoreInfo().orElseThrow();
            assertThat(info.osRelease()).contains("6.1.0-56-amd64");
            assertThat(info.buildId()).contains(buildId);
            assertThat(info.pageSize()).hasValue(4096);
            assertThat(info.number("pgtable_l5_enabled")).hasValue(0);
            assertThat(info.offset("list_head.prev")).hasValue(8);
            assertThat(info.length("mem_section")).hasValue(4096);
            assertThat(info.number("PAGE_BUDDY_MAPCOUNT_VALUE")).hasValue(-129);
            // _stext moves with KASLR exactly by KERNELOFFSET
            assertThat(info.symbol("_stext").getAsLong() - info.kernelOffset().getAsLong())
                    .isEqualTo(DumpFixtures.systemMap("_stext"));
            assertThat(d.vmcoreinfo().orElseThrow()).startsWith("OSRELEASE=6.1.0-56-amd64\n");
        }
    }

    /** RIP/RSP per CPU as crash's {@code bt -a} shows them (exception RIP lines, else the #0 frame's stack slot). */
    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba"})
    void cpuRegistersMatchCrash(String scenario) throws IOException {
        String bt = Files.readString(Fixtures.vmcoreDir(scenario).resolve("crash/bt_-a.txt"));
        Pattern header = Pattern.compile("(?m)^PID: .* CPU: (\\d+) ");
        Pattern exc = Pattern.compile("^\\s*\\[exception RIP: [^\\]]+\\]\\s*\\n\\s*RIP: ([0-9a-f]+)\\s+RSP: ([0-9a-f]+)");
        Pattern frame0 = Pattern.compile("^\\s*#0 \\[([0-9a-f]+)\\]");
        try (Dump d = open(scenario)) {
            List<CpuState> cpus = d.cpus();
            assertThat(cpus).hasSize(2);
            Matcher h = header.matcher(bt);
            int checked = 0;
            while (h.find()) {
                CpuState cpu = cpus.get(Integer.parseInt(h.group(1)));
                assertThat(cpu.sources()).isEqualTo("PRSTATUS+QEMU");
                String rest = bt.substring(h.end());
                rest = rest.substring(rest.indexOf('\n') + 1);
                Matcher e = exc.matcher(rest);
                if (e.find() && e.start() == 0) {
                    assertThat(cpu.get("rip")).isEqualTo(Long.parseUnsignedLong(e.group(1), 16));
                    assertThat(cpu.get("rsp")).isEqualTo(Long.parseUnsignedLong(e.group(2), 16));
                } else {
                    Matcher f = frame0.matcher(rest);
                    assertThat(f.find()).isTrue();
                    assertThat(cpu.get("rsp")).isEqualTo(Long.parseUnsignedLong(f.group(1), 16));
                }
                // CR3 points at a page-table page in the dump; GS base is a per-cpu area in the direct map
                assertThat(d.memory().contains(cpu.get("cr3") & ~0xfffL)).isTrue();
                assertThat(cpu.get("gs_base")).isNegative();
                checked++;
            }
            assertThat(checked).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba"})
    void linuxBannerReadThroughThePageTables(String scenario) {
        String expected = DumpFixtures.bannerLine(Fixtures.vmcoreDir(scenario).resolve("console.log")) + "\n";
        assertThat(expected).startsWith("Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org)");
        try (Dump d = open(scenario)) {
            X86_64AddressSpace kernel = kernel(d);
            long banner = DumpFixtures.relocated(d, "linux_banner");
            PageTableWalk walk = kernel.walk(banner);
            assertThat(walk.method()).isEqualTo(PageTableWalk.Method.PAGE_TABLES);
            assertThat(walk.levels()).extracting(PageTableWalk.Level::name).containsExactly("PGD", "PUD", "PMD");
            assertThat(walk.pageSize()).isEqualTo(2 << 20);
            // the kernel-image arithmetic and the page tables agree
            assertThat(kernel.translate(banner).physicalAddress()).isEqualTo(walk.physicalAddress());
            byte[] raw = d.memory().read(walk.physicalAddress(), expected.length() + 1);
            assertThat(new String(raw, 0, expected.length(), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(expected);
            assertThat(raw[expected.length()]).isZero();
            assertThat(kernel.readCString(banner, 512)).isEqualTo(expected);
            // every CPU's CR3 maps the kernel half the same way as init_top_pgt
            for (CpuState cpu : d.cpus()) {
                X86_64AddressSpace viaCr3 = kernel.withTopTable(cpu.get("cr3"));
                assertThat(viaCr3.topTable()).isNotEqualTo(kernel.topTable());
                assertThat(viaCr3.walk(banner).physicalAddress()).isEqualTo(walk.physicalAddress());
                assertThat(viaCr3.walk(cpu.get("rsp")).physicalAddress()).isEqualTo(kernel.walk(cpu.get("rsp")).physicalAddress());
            }
        }
    }

    /** Physical and virtual reads and page-table walks, compared with crash's rd -p, rd -64 and vtop on the same dump. */
    @Test
    void readsAndTranslationsMatchCrash() {
        Path vmcore = Fixtures.vmcoreDir("null").resolve("vmcore");
        try (Dump d = DumpFile.open(vmcore)) {
            X86_64AddressSpace kernel = kernel(d);
            long pob = kernel.withPageOffsetBaseFrom(DumpFixtures.relocated(d, "page_offset_base")).pageOffsetBase().getAsLong();
            X86_64AddressSpace direct = kernel.withPageOffsetBase(pob);
            List<Long> phys = new ArrayList<>(List.of(0x1000L, kernel.toPhysical(DumpFixtures.relocated(d, "linux_banner")),
                    kernel.topTable(), d.cpus().get(1).get("cr3") & ~0xfffL));
            for (long pfn = 0x100; pfn < d.maxPfn() && phys.size() < 24; pfn += 7919) {
                if (d.memory().contains(pfn * 4096)) {
                    // the first non-zero word of the page, so that the comparison means something
                    byte[] page = d.memory().read(pfn * 4096, 4096);
                    int off = 0;
                    while (off < 4080 && page[off] == 0) {
                        off++;
                    }
                    phys.add(pfn * 4096 + (off & ~15));
                }
            }
            long stack = d.cpus().get(1).get("rsp");             // vmalloc'ed kernel stack
            long banner = DumpFixtures.relocated(d, "linux_banner"); // kernel image, 2 MiB page
            long linear = pob + 0x1234000;                      // direct map
            long vmemmap = DumpFixtures.relocated(d, "vmemmap_base");
            long page0 = kernel.readLong(vmemmap);              // struct page array
            List<Long> virt = List.of(stack, banner, linear, page0 + 64 * 0x1234);
            List<String> cmds = new ArrayList<>();
            phys.forEach(p -> cmds.add("rd -p 0x" + Long.toHexString(p) + " 2"));
            virt.forEach(v -> cmds.add("rd -64 0x" + Long.toHexString(v) + " 2"));
            virt.forEach(v -> cmds.add("vtop 0x" + Long.toHexString(v)));
            cmds.add("rd -p 0xa0000 1");
            long guard = (stack & ~0x3fffL) - 0x1000;            // the vmalloc guard page below the stack
            long vmallocHole = kernel.readLong(DumpFixtures.relocated(d, "vmalloc_base")) + (1L << 30);
            cmds.add("vtop 0x" + Long.toHexString(guard));
            cmds.add("vtop 0x" + Long.toHexString(vmallocHole));
            CrashBatch crash = CrashBatch.run(vmcore, cmds);
            Map<Long, Long> words = crash.words();
            for (long p : phys) {
                assertThat(words).as("crash rd -p 0x%x", p).containsKey(p);
                assertThat(d.memory().readLong(p)).as("phys 0x%x", p).isEqualTo(words.get(p));
                assertThat(d.memory().readLong(p + 8)).isEqualTo(words.get(p + 8));
            }
            for (long v : virt) {
                assertThat(direct.readLong(v)).as("virt 0x%x", v).isEqualTo(words.get(v));
                assertThat(direct.readLong(v + 8)).isEqualTo(words.get(v + 8));
            }
            Map<Long, CrashBatch.Vtop> vtops = crash.vtops();
            for (long v : virt) {
                CrashBatch.Vtop expected = vtops.get(v);
                assertThat(expected).as("crash vtop 0x%x", v).isNotNull();
                PageTableWalk walk = kernel.walk(v);
                assertThat(walk.physicalAddress()).as("vtop 0x%x", v).isEqualTo(expected.physical());
                assertThat(direct.toPhysical(v)).isEqualTo(expected.physical());
                for (PageTableWalk.Level level : walk.levels()) {
                    long[] e = expected.entries().get(level.name());
                    assertThat(e).as("%s of 0x%x", level.name(), v).isNotNull();
                    if (e[0] != -1) {
                        assertThat(level.entryAddress()).isEqualTo(e[0]);
                    }
                    assertThat(level.entry()).as("%s entry of 0x%x", level.name(), v).isEqualTo(e[1]);
                }
                assertThat(walk.levels()).hasSize(expected.entries().size());
            }
            assertThat(crash.output).contains("rd: seek error: physical address: a0000");
            for (long v : List.of(guard, vmallocHole)) {
                CrashBatch.Vtop expected = vtops.get(v);
                assertThat(expected.physical()).isEqualTo(-1);
                // crash prints the entries down to the empty one; the fault names that one
                String last = expected.entries().containsKey("PTE") ? "PTE" : expected.entries().containsKey("PMD") ? "PMD" : "PUD";
                assertThatThrownBy(() -> kernel.walk(v)).isInstanceOfSatisfying(org.coroner.arch.x86_64.PageTableFault.class, f -> {
                    assertThat(f.level()).isEqualTo(last);
                    assertThat(f.entryAddress()).isEqualTo(expected.entries().get(last)[0]);
                    assertThat(f.entry()).isEqualTo(expected.entries().get(last)[1]);
                });
                assertThatThrownBy(() -> direct.readLong(v)).hasMessageContaining(" not mapped: " + last + " entry 0x0 at physical 0x");
            }
            assertThat(vtops.get(guard).entries()).containsKey("PTE");
        }
    }

    @Test
    void holesReadAsNotInDump() {
        try (Dump d = open("null")) {
            // 0xa0000-0xfffff is the legacy VGA/BIOS window, not RAM: QEMU's bitmaps leave it out
            assertThat(d.memory().contains(0xa0000)).isFalse();
            assertThatThrownBy(() -> d.memory().readLong(0xa0008))
                    .isInstanceOfSatisfying(NotInDumpException.class, e -> {
                        assertThat(e.physicalAddress()).isEqualTo(0xa0008);
                        assertThat(e.reason()).isEqualTo(NotInDumpException.Reason.NOT_IN_MEMORY_MAP);
                    })
                    .hasMessage("physical address 0xa0008 not in dump: page not in the dump's memory map");
            assertThatThrownBy(() -> d.memory().readLong(d.maxPfn() * 4096)).isInstanceOf(NotInDumpException.class);
            // a read that starts in RAM and runs into the hole names the first missing address
            assertThatThrownBy(() -> d.memory().read(0x9f000, 0x2000)).hasMessageContaining("0xa0000");
        }
    }
}
