package org.coroner.arch.x86_64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The walk on page tables laid out here by the architecture's rules (Intel SDM vol. 3, 4.5):
 * the shapes the fixture dumps lack (5 levels, 1 GiB pages, SME, PROT_NONE).
 */
class X86_64PagingTest {
    private static final long P = X86_64Paging.PRESENT | X86_64Paging.RW;
    private static final long PS = X86_64Paging.PSE;
    private static final long PAT_LARGE = 1L << 12; // PAT bit of a large-page entry: not an address bit

    @Test
    void fourLevelsWith4kPage() {
        SparseMemory m = new SparseMemory();
        long v = 0xffff_c900_1234_5678L;
        m.entry(0x1000, v, 39, 0x2000 | P);
        m.entry(0x2000, v, 30, 0x3000 | P);
        m.entry(0x3000, v, 21, 0x4000 | P);
        m.entry(0x4000, v, 12, 0x7654_3000L | P | X86_64Paging.NX);
        PageTableWalk w = new X86_64Paging(m, false, 0).walk(0x1000, v);
        assertThat(w.physicalAddress()).isEqualTo(0x7654_3678L);
        assertThat(w.pageSize()).isEqualTo(4096);
        assertThat(w.levels()).extracting(PageTableWalk.Level::name).containsExactly("PGD", "PUD", "PMD", "PTE");
        assertThat(w.levels().get(0).index()).isEqualTo(0x192);   // bits 47..39 of 0xffffc900...
        assertThat(w.levels().get(0).entryAddress()).isEqualTo(0x1000 + 8 * 0x192);
        assertThat(w.levels().get(3).noExecute()).isTrue();
        assertThat(w.levels().get(3).largePage()).isFalse();
    }

    @Test
    void twoMegAndOneGigPagesIgnoreThePatBit() {
        SparseMemory m = new SparseMemory();
        long v2m = 0xffff_8880_0012_3456L;
        m.entry(0x1000, v2m, 39, 0x2000 | P);
        m.entry(0x2000, v2m, 30, 0x3000 | P);
        m.entry(0x3000, v2m, 21, 0x4060_0000L | PAT_LARGE | P | PS);
        PageTableWalk w = new X86_64Paging(m, false, 0).walk(0x1000, v2m);
        assertThat(w.pageSize()).isEqualTo(2L << 20);
        assertThat(w.physicalAddress()).isEqualTo(0x4060_0000L + 0x12_3456L - 0x0);
        assertThat(w.levels()).hasSize(3);
        assertThat(w.levels().get(2).largePage()).isTrue();

        long v1g = 0xffff_8881_4abc_def0L;
        m.entry(0x2000, v1g, 30, 0x1_c000_0000L | PAT_LARGE | P | PS);
        PageTableWalk g = new X86_64Paging(m, false, 0).walk(0x1000, v1g);
        assertThat(g.pageSize()).isEqualTo(1L << 30);
        assertThat(g.physicalAddress()).isEqualTo(0x1_c000_0000L + 0x0abc_def0L);
        assertThat(g.levels()).extracting(PageTableWalk.Level::name).containsExactly("PGD", "PUD");
    }

    @Test
    void fiveLevels() {
        SparseMemory m = new SparseMemory();
        long v = 0xff11_2233_4455_6677L; // canonical with 57 bits, not with 48
        m.entry(0x1000, v, 48, 0x2000 | P);
        m.entry(0x2000, v, 39, 0x3000 | P);
        m.entry(0x3000, v, 30, 0x4000 | P);
        m.entry(0x4000, v, 21, 0x5000 | P);
        m.entry(0x5000, v, 12, 0x9_8765_4000L | P);
        X86_64Paging five = new X86_64Paging(m, true, 0);
        PageTableWalk w = five.walk(0x1000, v);
        assertThat(w.levels()).extracting(PageTableWalk.Level::name).containsExactly("PGD", "P4D", "PUD", "PMD", "PTE");
        assertThat(w.levels().get(0).index()).isEqualTo((int) ((v >>> 48) & 511));
        assertThat(w.physicalAddress()).isEqualTo(0x9_8765_4677L);
        assertThatThrownBy(() -> new X86_64Paging(m, false, 0).walk(0x1000, v))
                .isInstanceOf(PageTableFault.class)
                .hasMessage("virtual address 0xff11223344556677 is not canonical for 48-bit virtual addresses");
    }

    @Test
    void faultsNameLevelAndEntry() {
        SparseMemory m = new SparseMemory();
        long v = 0xffff_c900_0000_1000L;
        m.entry(0x1000, v, 39, 0x2000 | P);
        m.entry(0x2000, v, 30, 0x3000 | P);
        m.entry(0x3000, v, 21, 0x5000_0000L); // swapped/absent: present bit clear
        assertThatThrownBy(() -> new X86_64Paging(m, false, 0).walk(0x1000, v))
                .isInstanceOfSatisfying(PageTableFault.class, f -> {
                    assertThat(f.level()).isEqualTo("PMD");
                    assertThat(f.entry()).isEqualTo(0x5000_0000L);
                    assertThat(f.entryAddress()).isEqualTo(0x3000);
                    assertThat(f.virtualAddress()).isEqualTo(v);
                })
                .hasMessage("virtual address 0xffffc90000001000 not mapped: PMD entry 0x50000000 at physical 0x3000 is not present");
        // a table outside the dump
        m.entry(0x3000, v, 21, 0x7777_0000L | P);
        assertThatThrownBy(() -> new X86_64Paging(m, false, 0).walk(0x1000, v))
                .isInstanceOf(PageTableFault.class)
                .hasMessageStartingWith("virtual address 0xffffc90000001000: cannot read PTE entry at physical 0x77770008 (physical address 0x77770008 not in dump");
    }

    @Test
    void smeBitAndCr3FlagsAreNotAddressBits() {
        SparseMemory m = new SparseMemory();
        long sme = 1L << 47;
        long v = 0x7f00_1234_5000L;
        m.entry(0x1000, v, 39, 0x2000 | sme | P | X86_64Paging.USER);
        m.entry(0x2000, v, 30, 0x3000 | sme | P | X86_64Paging.USER);
        m.entry(0x3000, v, 21, 0x4000 | sme | P | X86_64Paging.USER);
        // PROT_NONE user page: present bit clear, _PAGE_PROTNONE set: still mapped
        m.entry(0x4000, v, 12, 0x8000_0000L | sme | X86_64Paging.PROTNONE | X86_64Paging.USER);
        X86_64Paging paging = new X86_64Paging(m, false, sme);
        long cr3 = 0x1000 | 0x5 | (1L << 63); // PCID 5, no-flush bit
        PageTableWalk w = paging.walk(paging.tableOfCr3(cr3), v);
        assertThat(w.physicalAddress()).isEqualTo(0x8000_0000L);
    }
}
