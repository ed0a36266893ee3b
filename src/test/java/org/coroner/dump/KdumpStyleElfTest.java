package org.coroner.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.coroner.arch.x86_64.X86_64AddressSpace;
import org.coroner.elf.ElfFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ELF core laid out as the kernel's /proc/vmcore is (kexec-tools' headers): program headers after
 * the ELF header, PRSTATUS and VMCOREINFO notes only, a PT_LOAD for the kernel image overlapping the
 * RAM PT_LOADs that map the direct map. Built from QEMU's ELF dump of make-dumps.sh, sparse: only the
 * kernel image's first 8 MiB and a few chosen pages hold data.
 */
@Tag("fixtures")
class KdumpStyleElfTest {
    @TempDir
    Path tmp;

    private record Load(long vaddr, long paddr, long size, long offset) {
    }

    @Test
    void overlappingKernelImageSegmentAndPrstatusOnly() throws IOException {
        Path dir = DumpFixtures.qemuDumps();
        assumeTrue(dir != null, "run scripts/make-dumps.sh");
        Path out = tmp.resolve("vmcore.elf");
        try (Dump src = DumpFile.open(dir.resolve("elf"))) {
            VmcoreInfo info = src.vmcoreInfo().orElseThrow();
            X86_64AddressSpace k = X86_64AddressSpace.kernel(src.memory(), info, 1L << 32);
            long pob = k.withPageOffsetBaseFrom(DumpFixtures.relocated(src, "page_offset_base")).pageOffsetBase().getAsLong();
            long stext = info.symbol("_stext").getAsLong();
            long textPhys = k.toPhysical(stext);
            long textSize = 8 << 20;
            // notes: PRSTATUS per CPU, then VMCOREINFO, as the kernel writes them
            ByteBuffer notes = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (ElfFile.Note n : src.notes()) {
                if (n.name().equals("CORE") || n.name().equals("VMCOREINFO")) {
                    byte[] name = (n.name() + "\0").getBytes(StandardCharsets.US_ASCII);
                    byte[] desc = n.desc().bytes(0, (int) n.desc().size());
                    notes.putInt(name.length).putInt(desc.length).putInt(n.type());
                    notes.put(name).position((notes.position() + 3) & ~3);
                    notes.put(desc).position((notes.position() + 3) & ~3);
                }
            }
            int notesLen = notes.position();
            List<Load> loads = new ArrayList<>();
            long data = 0x10000;
            loads.add(new Load(stext, textPhys, textSize, data));
            data += textSize;
            loads.add(new Load(pob + 0x1000, 0x1000, 0x9e000, data));
            data += 0x9e000;
            loads.add(new Load(pob + 0x100000, 0x100000, 0x1fee0000L - 0x100000, data));
            ByteBuffer h = ByteBuffer.allocate(0x10000).order(ByteOrder.LITTLE_ENDIAN);
            h.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
            h.putShort(16, (short) ElfFile.ET_CORE).putShort(18, (short) ElfFile.EM_X86_64).putInt(20, 1);
            h.putLong(32, 64).putLong(40, 0).putShort(52, (short) 64).putShort(54, (short) 56)
                    .putShort(56, (short) (1 + loads.size()));
            int ph = 64;
            long noteOff = 64 + 56L * (1 + loads.size());
            h.putInt(ph, ElfFile.PT_NOTE).putLong(ph + 8, noteOff).putLong(ph + 32, notesLen).putLong(ph + 40, notesLen);
            for (Load l : loads) {
                ph += 56;
                h.putInt(ph, ElfFile.PT_LOAD).putInt(ph + 4, 7).putLong(ph + 8, l.offset).putLong(ph + 16, l.vaddr)
                        .putLong(ph + 24, l.paddr).putLong(ph + 32, l.size).putLong(ph + 40, l.size);
            }
            h.put((int) noteOff, notes.array(), 0, notesLen);
            long afterText = textPhys + textSize;                 // only the RAM segment holds this page
            long topPgt = k.topTable();
            long bannerPage = k.toPhysical(DumpFixtures.relocated(src, "linux_banner")) & ~0xfffL;
            List<Long> pages = List.of(0x1000L, afterText, topPgt & ~0xfffL, bannerPage, 0x1fed0000L);
            try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(h.flip().limit(0x10000), 0);
                byte[] text = src.memory().read(textPhys, (int) textSize);
                ch.write(ByteBuffer.wrap(text), loads.get(0).offset);
                ch.write(ByteBuffer.wrap(text), loads.get(2).offset + textPhys - 0x100000);
                for (long p : pages) {
                    Load l = p < 0x100000 ? loads.get(1) : loads.get(2);
                    ch.write(ByteBuffer.wrap(src.memory().read(p, 4096)), l.offset + p - l.paddr);
                }
                ch.write(ByteBuffer.wrap(new byte[1]), loads.get(2).offset + loads.get(2).size - 1);
            }
            try (Dump d = DumpFile.open(out)) {
                assertThat(d.formatName()).isEqualTo("ELF core");
                assertThat(d.vmcoreinfo()).isEqualTo(src.vmcoreinfo());
                assertThat(d.cpus()).hasSize(2);
                for (int c = 0; c < 2; c++) {
                    assertThat(d.cpus().get(c).sources()).isEqualTo("PRSTATUS");
                    assertThat(d.cpus().get(c).get("rip")).isEqualTo(src.cpus().get(c).get("rip"));
                    assertThat(d.cpus().get(c).register("cr3")).isEmpty();
                }
                for (long p : pages) {
                    assertThat(d.memory().read(p, 4096)).as("page 0x%x", p).isEqualTo(src.memory().read(p, 4096));
                }
                assertThat(d.memory().read(textPhys + 0x12340, 64)).isEqualTo(src.memory().read(textPhys + 0x12340, 64));
                // a read across the end of the kernel-image segment continues in the RAM segment
                assertThat(d.memory().read(afterText - 32, 64)).isEqualTo(src.memory().read(afterText - 32, 64));
                assertThat(d.memory().contains(0xa0000)).isFalse();
                assertThatThrownBy(() -> d.memory().readLong(0xa0000)).isInstanceOf(NotInDumpException.class);
                assertThat(d.memory().contains(0x1fee0000L)).isFalse();
                X86_64AddressSpace kd = X86_64AddressSpace.kernel(d.memory(), d.vmcoreInfo().orElseThrow(), 0x20000000L);
                assertThat(kd.readCString(DumpFixtures.relocated(d, "linux_banner"), 512))
                        .isEqualTo(DumpFixtures.bannerLine(dir.resolve("console.log")) + "\n");
            }
        }
    }
}
