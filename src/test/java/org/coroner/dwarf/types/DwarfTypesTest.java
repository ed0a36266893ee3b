package org.coroner.dwarf.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.coroner.btf.Btf;
import org.coroner.btf.BtfTypes;
import org.coroner.dwarf.DwarfFile;
import org.coroner.elf.ElfFile;
import org.coroner.testing.Fixtures;
import org.coroner.types.CType;
import org.coroner.types.TypePrinter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Types and names from the fixture kernel's DWARF, checked against its BTF, the module source and the symbol table. */
@Tag("fixtures")
class DwarfTypesTest {
    @Test
    void crashlabTypesAndGlobalsComeFromItsDwarf() {
        try (ElfFile ko = ElfFile.open(Fixtures.crashlabKo())) {
            DwarfFile dw = new DwarfFile(ko);
            DwarfNames names = DwarfNames.scan(dw);
            DwarfTypes types = new DwarfTypes(dw, () -> names, n -> Optional.empty(), false);
            CType dev = types.lookup("struct lab_dev").orElseThrow();
            // crashlab.c: struct lab_dev { int id; char name[20]; struct list_head node; struct lab_ops *ops; unsigned long flags; }
            assertThat(dev.size()).isEqualTo(56);
            assertThat(dev.fields()).extracting(CType.Field::name).containsExactly("id", "name", "node", "ops", "flags");
            assertThat(dev.fields()).extracting(f -> f.offset()).containsExactly(0L, 4L, 24L, 40L, 48L);
            assertThat(TypePrinter.ptype(dev)).isEqualTo("""
                    struct lab_dev {
                        int id;
                        char name[20];
                        struct list_head node;
                        struct lab_ops *ops;
                        unsigned long flags;
                    }""");
            assertThat(TypePrinter.ptype(types.lookup("struct lab_ops").orElseThrow())).isEqualTo("""
                    struct lab_ops {
                        int (*probe)(struct lab_dev *);
                        long counter;
                    }""");
            // file statics: the module's locks and list, with their types
            assertThat(TypePrinter.name(types.typeOf(names.variables("mutex_a").get(0).die()))).isEqualTo("struct mutex");
            assertThat(TypePrinter.name(types.typeOf(names.variables("lab_list").get(0).die()))).isEqualTo("struct list_head");
            assertThat(TypePrinter.name(types.typeOf(names.variables("scenario").get(0).die()))).isEqualTo("char *");
            // create_oops.constprop.0 is known by its abstract origin, with the prototype of the source
            assertThat(TypePrinter.name(types.typeOf(names.function("create_oops").orElseThrow())))
                    .isEqualTo("int (struct lab_dev *, int, unsigned long)");
        }
    }

    /**
     * The vmlinux name index: scanned once and written, read back equal; globals' definitions at
     * their symbols' addresses; declared-only globals (jiffies is an alias the linker script makes)
     * found by their declaration.
     */
    @Test
    void vmlinuxNamesIndexRoundTripsThroughItsCacheAndMatchesTheSymbols(@TempDir Path tmp) {
        try (ElfFile elf = ElfFile.open(Fixtures.vmlinux())) {
            Path cache = tmp.resolve("names.idx");
            DwarfNames scanned = DwarfNames.cached(new DwarfFile(elf), cache);
            assertThat(Files.isRegularFile(cache)).isTrue();
            DwarfNames read = DwarfNames.cached(new DwarfFile(elf), cache);
            assertThat(read.variableCount()).isEqualTo(scanned.variableCount()).isGreaterThan(30_000);
            assertThat(read.typeCount()).isEqualTo(scanned.typeCount()).isGreaterThan(10_000);
            for (String v : List.of("init_task", "init_uts_ns", "runqueues", "tainted_mask", "saved_command_line", "avenrun")) {
                DwarfNames.Variable def = read.variables(v).get(0);
                assertThat(def.isDefinition()).as(v).isTrue();
                assertThat(def.address()).as(v).isEqualTo(elf.symbols().byName(v).orElseThrow().value());
                assertThat(read.variables(v)).isEqualTo(scanned.variables(v));
            }
            assertThat(read.variables("jiffies")).hasSize(1);
            assertThat(read.variables("jiffies").get(0).isDefinition()).isFalse();
            assertThat(read.type("struct task_struct")).isEqualTo(scanned.type("struct task_struct")).isPresent();
            assertThat(read.function("schedule")).isPresent();
        }
    }

    /**
     * BTF is DWARF converted by pahole: for the kernel's structs both must print the same
     * declaration, except where BTF cannot tell an unbounded array ({@code []}) from {@code [0]}
     * and where it flattens a two-dimensional array: why the shell prints types from DWARF.
     */
    @Test
    void vmlinuxDwarfTypesPrintAsTheirBtf(@TempDir Path tmp) {
        try (ElfFile elf = ElfFile.open(Fixtures.vmlinux())) {
            DwarfFile dw = new DwarfFile(elf);
            DwarfNames names = DwarfNames.cached(dw, tmp.resolve("names.idx"));
            BtfTypes btf = new BtfTypes(Btf.of(elf).orElseThrow());
            DwarfTypes types = new DwarfTypes(dw, () -> names, btf::lookup, true);
            int compared = 0;
            for (String s : List.of("struct task_struct", "struct mm_struct", "struct page", "struct sk_buff", "struct inode",
                    "struct file", "struct module", "struct rq", "struct cfs_rq", "struct kmem_cache", "struct irq_desc",
                    "struct vmap_area", "struct xarray", "struct xa_node", "struct rb_root", "struct list_head", "struct mutex",
                    "struct spinlock", "struct pt_regs", "struct timer_list", "struct work_struct", "struct super_block",
                    "struct dentry", "struct file_operations", "struct signal_struct", "struct cred", "struct pid",
                    "struct uts_namespace", "struct printk_ringbuffer", "union thread_union", "enum pid_type", "pid_t",
                    "atomic_t", "spinlock_t", "cpumask_t", "struct xregs_state")) {
                Optional<CType> d = types.lookup(s);
                Optional<CType> b = btf.lookup(s);
                if (d.isEmpty() && b.isEmpty()) {
                    continue; // not in this kernel (thread_union has no users here)
                }
                assertThat(d).as(s).isPresent();
                assertThat(b).as(s).isPresent();
                assertThat(d.get().size()).as(s).isEqualTo(b.get().size());
                // pahole also writes a two-dimensional array as one: tags[3][1] is tags[3] in BTF
                assertThat(TypePrinter.ptype(d.get()).replace("[]", "[0]").replaceAll("\\[(\\d+)\\]\\[1\\]", "[$1]"))
                        .as(s).isEqualTo(TypePrinter.ptype(b.get()));
                compared++;
            }
            assertThat(compared).isGreaterThan(30);
            // the difference BTF loses: mm_struct ends with a flexible array
            assertThat(TypePrinter.ptype(types.lookup("struct mm_struct").orElseThrow())).contains("unsigned long cpu_bitmap[];");
        }
    }
}
