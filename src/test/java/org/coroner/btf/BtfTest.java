package org.coroner.btf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.coroner.elf.ElfFile;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("fixtures")
class BtfTest {
    /** Struct members whose offsets the kernel model relies on; each checked against gdb on the same vmlinux. */
    private static final String[][] FIELDS = {
            {"task_struct", "pid"}, {"task_struct", "tgid"}, {"task_struct", "comm"}, {"task_struct", "tasks"},
            {"task_struct", "thread.sp"}, {"task_struct", "stack"}, {"task_struct", "__state"},
            {"task_struct", "thread_info.cpu"}, {"task_struct", "mm"}, {"task_struct", "real_parent"},
            {"task_struct", "signal"}, {"task_struct", "thread_group"}, {"task_struct", "on_cpu"},
            {"mm_struct", "pgd"}, {"list_head", "prev"}, {"module", "list"}, {"module", "name"},
            {"module", "core_layout.base"}, {"module", "core_layout.size"}, {"kmem_cache", "name"},
            {"kmem_cache", "object_size"}, {"mutex", "owner"}, {"mutex", "wait_list"}, {"rq", "curr"},
            {"printk_info", "caller_id"}, {"prb_desc_ring", "head_id"}, {"page", "compound_head"},
    };
    private static final String[] SIZES = {"task_struct", "page", "module", "mutex", "list_head", "pt_regs"};

    @Test
    void structLayoutsEqualGdbs() {
        try (ElfFile elf = ElfFile.open(Fixtures.vmlinux())) {
            Btf btf = Btf.of(elf).orElseThrow();
            assertThat(btf.count()).isGreaterThan(100_000);

            List<String> cmd = new ArrayList<>(List.of("gdb", "-batch", "-nx"));
            Map<String, Long> ours = new LinkedHashMap<>();
            for (String[] f : FIELDS) {
                int id = btf.find(Btf.STRUCT, f[0]).orElseThrow();
                var field = btf.field(id, f[1]).orElseThrow(() -> new AssertionError(f[0] + "." + f[1]));
                ours.put(f[0] + "." + f[1], field.byteOffset());
                cmd.addAll(List.of("-ex", "p (unsigned long)&((struct " + f[0] + " *)0)->" + f[1]));
            }
            for (String s : SIZES) {
                ours.put("sizeof " + s, btf.sizeof(btf.find(Btf.STRUCT, s).orElseThrow()));
                cmd.addAll(List.of("-ex", "p sizeof(struct " + s + ")"));
            }
            cmd.add(Fixtures.vmlinux().toString());
            List<Long> gdb = Fixtures.run(cmd.toArray(String[]::new)).lines()
                    .filter(l -> l.startsWith("$")).map(l -> Long.parseLong(l.substring(l.indexOf('=') + 1).trim()))
                    .toList();
            assertThat(new ArrayList<>(ours.values())).as(ours.keySet().toString()).isEqualTo(gdb);
        }
    }

    @Test
    void namesTypesAsC() {
        try (ElfFile elf = ElfFile.open(Fixtures.vmlinux())) {
            Btf btf = Btf.of(elf).orElseThrow();
            int task = btf.find(Btf.STRUCT, "task_struct").orElseThrow();
            assertThat(btf.cName(btf.field(task, "comm").orElseThrow().type())).isEqualTo("char [16]");
            assertThat(btf.cName(btf.field(task, "tasks").orElseThrow().type())).isEqualTo("struct list_head");
            assertThat(btf.cName(btf.field(task, "mm").orElseThrow().type())).isEqualTo("struct mm_struct *");
            assertThat(btf.cName(btf.field(task, "real_parent").orElseThrow().type())).isEqualTo("struct task_struct *");
        }
    }
}
