package org.coroner.cli.shell.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.coroner.arch.x86_64.unwind.Frame;
import org.coroner.arch.x86_64.unwind.Registers;
import org.coroner.cli.shell.Shell;
import org.coroner.cli.shell.ShellCommands;
import org.coroner.kernel.Tasks;
import org.coroner.session.Session;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The data commands against crash run live on the same dump: one crash batch per dump with every
 * command, and the same commands through our shell. Every command crash answers right must give
 * the same output byte for byte; the commands where crash is wrong or cannot answer are listed
 * with the reason, run after all the others (so that they cannot shift the value history), and
 * only reported. The figures go to target/crash-comparison/DUMP.txt.
 */
@Tag("fixtures")
class CrashComparisonTest {
    /** A command, and why crash's answer is not the reference when it is not (null: it is). */
    record Check(String command, String knownDifference) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba", "qemu-null"})
    void dataCommandsEqualCrash(String dump) throws Exception {
        Path vmcore;
        if (dump.equals("qemu-null")) {
            Path dir = Fixtures.qemuDumps("null");
            assumeTrue(dir != null, "no QEMU dumps yet: run scripts/make-dumps.sh (scripts/test.sh does)");
            vmcore = dir.resolve("zlib");
        } else {
            vmcore = Fixtures.vmcoreDir(dump).resolve("vmcore");
        }
        try (Session s = Session.open(Fixtures.vmlinux(), vmcore, List.of(Fixtures.kernelDir()), false)) {
            List<Check> checks = checks(s, !dump.equals("mutex_abba"));
            if (!dump.equals("null")) {
                // declarations are the vmlinux's, the same on every dump: compared on null only, as the
                // list and tree walks that cost crash a whole struct through gdb per entry (the task
                // list of the acceptance stays on every dump)
                checks = checks.stream().filter(c -> !c.command().contains(" -o ") && !c.command().startsWith("struct -o")
                        && !c.command().startsWith("whatis -o") && !c.command().startsWith("ptype struct")
                        && !c.command().equals("sym -l") && !(c.command().matches("(list|tree) .*-[sS] .*")
                        && !c.command().startsWith("list task_struct.tasks -s task_struct.pid,comm"))).toList();
            }
            List<String> commands = checks.stream().map(Check::command).toList();
            List<String> ours = ours(s, commands);
            List<String> theirs = CrashLive.run(vmcore, commands);

            int equal = 0;
            int lines = 0;
            int equalLines = 0;
            List<String> mismatches = new ArrayList<>();
            StringBuilder report = new StringBuilder();
            Map<String, String> known = new LinkedHashMap<>();
            for (int i = 0; i < checks.size(); i++) {
                Check c = checks.get(i);
                List<String> a = theirs.get(i).lines().toList();
                List<String> b = ours.get(i).lines().toList();
                lines += a.size();
                for (int k = 0; k < Math.min(a.size(), b.size()); k++) {
                    equalLines += a.get(k).equals(b.get(k)) ? 1 : 0;
                }
                boolean same = theirs.get(i).equals(ours.get(i));
                equal += same ? 1 : 0;
                if (same) {
                    report.append("SAME  ").append(c.command()).append('\n');
                    continue;
                }
                report.append("DIFF  ").append(c.command()).append(c.knownDifference() != null ? "  [" + c.knownDifference() + "]" : "")
                        .append('\n').append(firstDifference(a, b));
                if (c.knownDifference() == null) {
                    mismatches.add(c.command() + "\n" + firstDifference(a, b));
                } else {
                    known.put(c.command(), c.knownDifference());
                }
            }
            String summary = String.format("%s: %d/%d commands equal crash's output, %d/%d lines; %d known differences",
                    dump, equal, checks.size(), equalLines, lines, known.size());
            report.insert(0, summary + "\n");
            Path dir = Path.of("target", "crash-comparison");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(dump + ".txt"), report);
            System.out.println(summary);
            assertThat(mismatches).as("commands whose output differs from crash's").isEmpty();
            assertThat(equal).isGreaterThan(checks.size() * 3 / 4);
        }
    }

    private static String firstDifference(List<String> crash, List<String> ours) {
        int k = 0;
        while (k < crash.size() && k < ours.size() && crash.get(k).equals(ours.get(k))) {
            k++;
        }
        return "      line " + (k + 1) + "\n      crash:   " + (k < crash.size() ? crash.get(k) : "<end>")
                + "\n      coroner: " + (k < ours.size() ? ours.get(k) : "<end>") + "\n";
    }

    /** Our shell's output of each command, stdout and stderr in the order written. */
    static List<String> ours(Session s, List<String> commands) {
        StringWriter buf = new StringWriter();
        PrintWriter pw = new PrintWriter(buf);
        Shell shell = new Shell(pw, pw);
        ShellCommands.registerAll(shell, s);
        List<String> out = new ArrayList<>();
        for (String c : commands) {
            int start = buf.getBuffer().length();
            shell.execute(c);
            pw.flush();
            out.add(buf.getBuffer().substring(start));
        }
        return out;
    }

    /**
     * The commands compared on a dump; addresses are the dump's own: the panic task, init (pid 1)
     * and its mm, the list_head of init_task's task list, a word on init's stack.
     */
    static List<Check> checks(Session s, boolean nullScenario) throws IOException {
        Tasks.Task panic = s.current().orElseThrow();
        Tasks.Task init = s.tasks().all().stream().filter(t -> t.pid() == 1).findFirst().orElseThrow();
        String T = hex(panic.address());
        String I = hex(init.address());
        long tasksOff = s.kernel().type("struct task_struct").field("tasks").orElseThrow().offset();
        String TASKS = hex(s.kernel().requireSymbol("init_task") + tasksOff);
        String ITASKS = hex(init.address() + tasksOff);
        String MM = hex(init.task().member("mm").u64());
        String FILES = hex(init.task().member("files").u64());
        String SIGNAL = hex(init.task().member("signal").u64());
        String CRED = hex(init.task().member("real_cred").u64());
        String PID = hex(init.task().member("thread_pid").u64());
        String SP = hex(init.task().member("thread.sp").u64());
        long pob = s.kernel().memory().u64(s.kernel().requireSymbol("page_offset_base"));
        String BEYOND_RAM = hex(pob + s.dump().maxPfn() * s.dump().pageSize());
        // an xa_node (its marks are unsigned long [3][1]): the root node of the irq_desc xarray
        String XA_NODE = hex(s.kernel().memory().u64(s.kernel().requireSymbol("irq_desc_tree") + 8) & ~3L);
        List<Check> c = new ArrayList<>();
        for (String cmd : List.of(
                // the acceptance commands of issue 3
                "p jiffies", "sym create_oops.constprop.0", "struct task_struct.pid,comm " + T, "rd -64 " + T + " 4",
                "list task_struct.tasks -s task_struct.pid,comm -h init_task",
                // p: symbols, members, pointers, arrays, strings, enums, functions, casts, arithmetic, per-cpu
                "p/x jiffies", "p init_task.comm", "p init_task.pid", "p &init_task", "p init_task.tasks", "p/x init_task.tasks",
                "p mutex_a", "p lab_list", "p mutex_b.wait_list", "p linux_banner", "p &linux_banner", "p schedule", "p &schedule",
                "p *schedule", "p jiffies + 1", "p 10/3", "p 10 % 3", "p 1 << 4", "p 0x10", "p init_task.comm[0]",
                "p/x init_task.comm", "p/d init_task.tasks.next", "p/x init_task.pid", "p -x init_task.pid", "p -d jiffies",
                "p init_task.__state", "p init_task.thread_info", "p init_uts_ns.name", "p init_uts_ns.name.release",
                "p panic_cpu", "p nr_cpu_ids", "p oops_in_progress", "p system_state", "p init_task.restart_block.nanosleep.type",
                "p/x init_task.restart_block.nanosleep.type", "p init_task.sched_class", "p init_task.stack", "p init_task.mm",
                "p init_task.pushable_dl_tasks", "p init_task.cpus_ptr", "p &init_task.comm", "p *init_task.cpus_ptr",
                "p lab_list.next", "p &mutex_a", "p mutex_a.owner", "p saved_command_line", "p init_task.real_cred->uid",
                "p jiffies_64", "p avenrun", "p tainted_mask", "p runqueues", "p runqueues:0", "p runqueues:a", "p irq_stat:1",
                "p cpu_number:a", "p this_cpu_off:a", "p __per_cpu_offset", "p/x __per_cpu_offset[1]", "p init_task.se.load",
                "p &init_task.tasks", "p init_task.tasks.next", "p *init_task.tasks.next", "p init_task.tasks.next->next",
                "p ((struct task_struct *)0x" + T + ")->comm", "p (struct task_struct *)0x" + T, "p *(struct task_struct *)0x" + I,
                "p ((struct task_struct *)0x" + I + ")->mm", "p *((struct task_struct *)0x" + I + ")->mm", "p sizeof(struct task_struct)",
                "p init_nsproxy", "p init_fs", "p init_struct_pid", "p init_uts_ns", "p kmalloc_caches[0][3]->name",
                "p *kmalloc_caches[0][3]", "p init_task.signal->rlim", "p init_task.pid_links", "p init_task.thread.fpu",
                "p init_task.restart_block", "p -x init_task.se", "p/x init_task.se", "p/d init_task.prio", "p &init_task.comm[3]",
                "p *init_task.comm", "p init_task.cpus_mask.bits[0] + 1", "p (char)65", "p (unsigned char)200", "p (short)-1",
                "p (unsigned int)-1", "p (long)-1", "p 1 ? 2 : 3", "p sizeof(init_task)", "p sizeof(int)",
                "p &((struct task_struct *)0)->tasks", "p (unsigned long)&((struct task_struct *)0)->tasks",
                "p jiffies_64 == jiffies", "p scenario", "p *scenario", "p lab_work", "p lab_timer", "p lock_a",
                "p __this_module.name", "p __this_module.state", "p __this_module.list", "p modules",
                // whatis and ptype
                "whatis jiffies", "whatis init_task", "whatis struct lab_dev", "whatis init_task.comm", "whatis schedule",
                "whatis linux_banner", "whatis runqueues", "whatis __per_cpu_offset", "whatis pid_t", "whatis atomic_t",
                "whatis struct list_head", "whatis enum system_states", "whatis system_states", "whatis SYSTEM_RUNNING",
                "whatis init_task.tasks", "whatis lab_list", "whatis mutex_a", "whatis struct kmap_ctrl", "whatis work_func_t",
                "whatis cpumask_var_t", "whatis atomic_long_t", "whatis u64", "whatis struct rb_root_cached", "whatis enum pid_type",
                "whatis pid_type", "whatis -o task_struct.pid", "whatis spinlock_t", "whatis -o list_head",
                "ptype struct lab_dev", "ptype jiffies", "ptype pid_t", "ptype atomic_t", "ptype init_task.tasks",
                "ptype struct list_head", "ptype enum system_states", "ptype schedule", "ptype struct lab_ops", "ptype lab_list",
                "ptype struct hlist_node", "ptype unsigned long", "ptype struct rb_node", "ptype struct wait_queue_head",
                "ptype spinlock_t", "ptype struct page", "ptype struct inode", "ptype struct file_operations", "ptype struct sk_buff",
                // struct and union: declarations, offsets, objects, members, counts, per-cpu, the name as command
                "struct lab_ops", "struct lab_dev", "struct lab_dev -o", "struct list_head", "struct spinlock", "struct -o spinlock",
                "struct -o raw_spinlock", "struct -o task_struct", "struct -o rq", "struct task_struct.tasks " + I,
                "struct task_struct.se.on_rq " + I, "struct task_struct.se.load.weight " + I, "struct task_struct.se.load " + I,
                "struct task_struct.rcu_users " + I, "struct task_struct.thread_info " + I, "struct task_struct.pid_links " + I,
                "struct task_struct.cpus_mask " + I, "struct -x task_struct.pid,tgid " + I, "struct task_struct.pid " + I + " 3",
                "struct task_struct.pid -o " + I, "struct -o task_struct.pid", "struct -o list_head " + ITASKS,
                "struct list_head " + ITASKS + " 2", "struct list_head -c 2 " + ITASKS, "struct list_head.next " + ITASKS,
                "struct list_head.next,prev " + ITASKS, "struct rq.nr_running,cpu runqueues:a", "struct rq.cpu runqueues:1",
                "struct task_struct " + T, "struct task_struct init_task", "struct mm_struct " + MM, "struct files_struct " + FILES,
                "struct signal_struct " + SIGNAL, "struct cred " + CRED, "struct pid " + PID, "struct xregs_state", "struct page",
                "struct mm_struct", "struct -o mm_struct", "struct -o page", "struct -o module", "struct -o sk_buff", "struct sk_buff",
                "struct -o irq_desc", "struct -o inode", "struct -o kmem_cache", "struct -o pt_regs", "struct -o xregs_state",
                "struct mutex mutex_a", "struct list_head lab_list", "struct xa_node " + XA_NODE, "p *(struct xa_node *)0x" + XA_NODE, "task_struct.pid " + I, "list_head " + ITASKS, "pid_t", "jiffies",
                "lab_dev", "union thread_union",
                // rd
                "rd " + T + " 8", "rd -32 " + T + " 8", "rd -16 " + T + " 8", "rd -8 " + T + " 16", "rd -d " + T + " 4",
                "rd -D " + T + " 4", "rd -x " + T + " 4", "rd -u " + T + " 4", "rd jiffies", "rd -p 1000 4", "rd -s " + SP + " 16",
                "rd -S " + SP + " 16", "rd ffff000000000000", "rd " + BEYOND_RAM, "rd -32 jiffies 2", "rd ffffc90000000000", "rd -o 8 " + T + " 2",
                "rd -64 " + T + " -e " + hex(panic.address() + 48),
                // sym
                "sym " + hex(s.symbols().lookup("create_oops.constprop.0").orElseThrow().address() + 35),
                "sym jiffies", "sym schedule", "sym " + hex(s.kernel().requireSymbol("panic") + 745), "sym lab_list", "sym mutex_a",
                "sym " + hex(s.symbols().lookup("mutex_a").orElseThrow().address() + 16), "sym init_task", "sym " + TASKS,
                "sym jiffies_64", "sym runqueues", "sym __per_cpu_offset", "sym linux_banner", "sym nosuch", "sym ffff000000000000",
                "sym 0", "sym -n schedule", "sym -p schedule", "sym -q create_oops",
                // list and tree
                "list task_struct.tasks -h init_task", "list " + TASKS, "list -h " + TASKS,
                "list -s task_struct.pid -o " + tasksOff + " -h init_task", "list task_struct.tasks -s task_struct.comm -H " + TASKS,
                "list -r task_struct.tasks -s task_struct.pid -h init_task",
                "list -S task_struct.pid,comm -o task_struct.tasks -h init_task", "list -H modules",
                "list -H modules -s module.name -o module.list", "list module.list -s module.name,state -H modules",
                "list -o 8 " + TASKS, "list -s task_struct.se.on_rq task_struct.tasks -h init_task",
                "list -H modules -s module.list -o module.list",
                "tree -t rbtree -o vmap_area.rb_node vmap_area_root", "tree -t xarray irq_desc_tree",
                "tree -t xarray -p irq_desc_tree", "tree -t xarray -s irq_desc.irq_data.irq irq_desc_tree",
                "tree -t rbtree -o vmap_area.rb_node -s vmap_area.va_start,va_end vmap_area_root",
                "tree -t rbtree -o vmap_area.rb_node -p vmap_area_root", "tree -t rbtree -o vmap_area.rb_node -l vmap_area_root",
                // task
                "task", "task -R pid,comm", "task -R tasks " + panic.pid(), "task -R pid,comm,se.on_rq " + panic.pid(),
                "task -x -R pid " + panic.pid(),
                // eval
                "eval 1+2", "eval 0x100 * 3", "eval (1<<12)", "eval 1g", "eval 2m", "eval 1024k", "eval -b 0x1234", "eval -l 0x1234",
                "eval 10 / 3", "eval 10 % 3", "eval 0xff & 0x0f", "eval 3 ^ 1", "eval 1 << 4", "eval -1", "eval jiffies",
                "eval jiffies + 1",
                // bad input
                "struct nosuch", "struct lab_dev.nosuch " + I, "struct lab_dev 0", "rd -64 nosuchsym", "struct lab_dev nosuchsym")) {
            c.add(new Check(cmd, null));
        }
        if (nullScenario) {
            String dev = hex(labDev(s));
            c.add(new Check("struct lab_dev " + dev, null));
            c.add(new Check("struct lab_dev.id,name " + dev, null));
            c.add(new Check("p *(struct lab_dev *)0x" + dev, null));
            c.add(new Check("p ((struct lab_dev *)0x" + dev + ")->id", null));
            c.add(new Check("rd -64 " + dev + " 4", null));
            c.add(new Check("lab_dev " + dev, null));
        }
        // gdb's character literals: the quotes are the expression's, not the shell's grouping
        c.add(new Check("p 'a'", null));
        c.add(new Check("p 'a' + 1", null));
        c.add(new Check("p/x 'a'", null));
        // the output radix: set radix, hex and dec, and the commands that follow it
        c.add(new Check("set radix", null));
        c.add(new Check("set radix 16", null));
        c.add(new Check("p jiffies", null));
        c.add(new Check("p -d jiffies", null));
        c.add(new Check("struct task_struct.pid,prio " + I, null));
        c.add(new Check("dec", null));
        c.add(new Check("p jiffies", null));
        c.add(new Check("hex", null));
        c.add(new Check("p init_task.comm", null));
        c.add(new Check("set radix 10", null));
        // where crash's answer is not the reference: run last, so that their value numbers cannot shift the others
        String pidHash = "crash finds tasks only through the PID hash, which holds 3 of the tasks on these dumps";
        String getopt = "crash's option parser takes a negative number or a '-' for an option";
        String gdbError = "crash prints \"gdb request failed\" where gdb's own message says what failed";
        c.add(new Check("task 1", pidHash));
        c.add(new Check("task -R pid,comm,se.on_rq 1", pidHash));
        c.add(new Check("task " + I + " -R pid", pidHash));
        c.add(new Check("p/x runqueues:1", "crash hands p/x to gdb, which knows no :cpu suffix"));
        c.add(new Check("p &runqueues", "gdb under crash relocates the per-cpu offset by the KASLR offset"));
        c.add(new Check("whatis bool", "crash cannot resolve the typedef and prints gdb's whatis"));
        c.add(new Check("whatis create_oops.constprop.0", "gdb cannot parse a name with dots; its DWARF prototype is known"));
        c.add(new Check("tree -t radix irq_desc_tree", "crash 8.0.2 does not know that radix trees are xarrays since 4.20"));
        c.add(new Check("sym _text", "crash prints no line where the DWARF of head_64.S has one"));
        c.add(new Check("sym -s schedule", "crash prints an empty section name for a relocated kernel"));
        c.add(new Check("sym -l", "crash prints (?) for the data symbols of modules it has no .ko for; kallsyms has their letters"));
        c.add(new Check("struct task_struct.pid_links[1] " + I, "crash cannot select an array element"));
        c.add(new Check("struct task_struct.thread.sp " + I, "crash cannot select a member of the last member"));
        c.add(new Check("rd -a linux_banner", "crash leaves the last line without its newline"));
        c.add(new Check("struct module " + hex(s.symbols().lookup("__this_module").orElseThrow().address()),
                "crash names module init text _MODULE_INIT_START_crashlab"));
        c.add(new Check("p -1", getopt));
        c.add(new Check("p jiffies - 4294893356", getopt));
        c.add(new Check("rd -64 " + T + " -5", getopt));
        c.add(new Check("p nosuch", gdbError));
        c.add(new Check("p init_task.nosuch", gdbError));
        c.add(new Check("p (struct nosuch *)0", gdbError));
        c.add(new Check("p 1 +", gdbError));
        c.add(new Check("p *(int *)0", gdbError));
        c.add(new Check("p *init_task.stack_vm_area", gdbError));
        c.add(new Check("whatis union thread_union", "crash adds its usage text to the one-line error"));
        c.add(new Check("init_task.pid", "the program names itself in the error: coroner, not crash"));
        c.add(new Check("sym -m crashlab", "crash prints (?) for symbols of the .ko it loaded that kallsyms gives a letter"));
        c.add(new Check("tree -t rbtree -o vmap_area.rb_node -S vmap_area.va_start vmap_area_root",
                "crash's symbol search skips a module's init text: the vmap_area of crashlab's init text starts at init_module"));
        return c;
    }

    /** The null scenario's struct lab_dev: RBX of the exception frame of create_oops (crashlab.c's d). */
    private static long labDev(Session s) {
        var bt = s.backtracer().backtrace(s.current().orElseThrow());
        for (Frame f : bt.frames()) {
            if (f.regs() != null && !f.partialRegs() && s.symbols().lookup("create_oops.constprop.0").isPresent()
                    && s.symbols().nearest(f.regs().get(Registers.IP)).map(a -> a.symbol().name()).orElse("")
                    .equals("create_oops.constprop.0")) {
                return f.regs().get(Registers.BX);
            }
        }
        throw new IllegalStateException("no exception frame in create_oops");
    }

    private static String hex(long v) {
        return Long.toHexString(v);
    }
}
