package org.coroner.oops.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.coroner.elf.ElfFile;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Decodes the report in every fixture log and checks it against what the log says. */
@Tag("fixtures")
class OopsDecoderFixtureTest {

    static DecodedOops x86Null() {
        return OopsDecoder.decode(ReportLines.cut(Fixtures.vmcoreDir("null").resolve("console.log"),
                "BUG: kernel NULL pointer dereference", "Kernel panic - not syncing"));
    }

    @Test
    void x86NullIdentityAndTaint() {
        DecodedOops d = x86Null();
        assertThat(d.arch()).isEqualTo(Arch.X86_64);
        assertThat(d.cpu()).isEqualTo(1);
        assertThat(d.pid()).isEqualTo(90);
        assertThat(d.comm()).isEqualTo("insmod");
        assertThat(d.uid()).isNull();
        assertThat(d.release()).isEqualTo("6.1.0-56-amd64");
        assertThat(d.build()).isEqualTo("#1  Debian 6.1.192-2");
        assertThat(d.hardware()).startsWith("QEMU Standard PC (i440FX + PIIX, 1996)");
        assertThat(d.fault()).isEqualTo("BUG: kernel NULL pointer dereference, address: 0000000000000008");
        assertThat(d.taint().tainted()).isTrue();
        assertThat(d.taint().proprietary()).isFalse();
        assertThat(d.taint().letters()).isEqualTo("OE");
        assertThat(d.taint().flags()).extracting(TaintFlag::name).containsExactly("OOT_MODULE", "UNSIGNED_MODULE");
        assertThat(d.taint().flags()).extracting(TaintFlag::bit).containsExactly(12, 13);
        assertThat(d.taint().flags().get(0).meaning()).contains("out-of-tree");
        assertThat(d.taint().flags().get(1).meaning()).contains("unsigned");
        assertThat(d.oops()).isEqualTo(new OopsHeader("Oops", "0000", 1, List.of("PREEMPT", "SMP", "NOPTI")));
        assertThat(d.panic()).isEqualTo("Fatal exception");
        assertThat(d.endTrace()).isEqualTo("0000000000000000");
        assertThat(d.pageTableWalk()).isEqualTo("PGD 2747067 P4D 2747067 PUD 2748067 PMD 0");
    }

    @Test
    void x86NullFault() {
        DecodedOops d = x86Null();
        assertThat(d.address()).isEqualTo(0x8L);
        assertThat(d.addressSource()).isEqualTo("BUG line");
        assertThat(d.cr2()).isEqualTo(0x8L);
        assertThat(d.addressMeaning().summary()).isEqualTo("NULL pointer + 0x8");
        AddressMeaning.Finding nul = d.addressMeaning().findings().getFirst();
        assertThat(nul.kind()).isEqualTo(AddressMeaning.Kind.NULL_POINTER);
        assertThat(nul.offset()).isEqualTo(8L);
        PageFaultErrorCode pf = d.errorCode();
        assertThat(pf.value()).isZero();
        assertThat(pf.source()).isEqualTo("#PF");
        assertThat(pf.present()).isFalse();
        assertThat(pf.write()).isFalse();
        assertThat(pf.user()).isFalse();
        assertThat(pf.instructionFetch()).isFalse();
        assertThat(pf.access()).isEqualTo("supervisor read access in kernel mode");
        assertThat(pf.cause()).isEqualTo("not-present page");
        assertThat(pf.consistent()).isTrue();
        assertThat(d.esr()).isNull();
    }

    @Test
    void x86NullRegisters() {
        DecodedOops d = x86Null();
        assertThat(d.rip()).isEqualTo(new Location("create_oops.constprop.0", 0x23L, 0x36L, "crashlab", null, null));
        RegisterSet k = d.registers();
        assertThat(k.user()).isFalse();
        assertThat(k.get("CS")).isEqualTo(0x10L);
        assertThat(k.get("SS")).isEqualTo(0x18L);
        assertThat(k.get("RSP")).isEqualTo(0xffffcfdd404fbbe0L);
        assertThat(k.get("EFLAGS")).isEqualTo(0x246L);
        assertThat(k.get("RAX")).isZero();
        assertThat(k.get("RBX")).isEqualTo(0xffff8ae6c256e400L);
        assertThat(k.get("R11")).isEqualTo(0xffffffff898d4448L);
        assertThat(k.get("GS")).isEqualTo(0xffff8ae6df500000L);
        assertThat(k.get("CR2")).isEqualTo(0x8L);
        assertThat(k.get("CR3")).isEqualTo(0x15e02000L);
        assertThat(k.get("CR4")).isEqualTo(0x6e0L);
        assertThat(k.values()).hasSize(30);
        RegisterSet u = d.userRegisters();
        assertThat(u.user()).isTrue();
        assertThat(u.ip().address()).isEqualTo(0x47fbe9L);
        assertThat(u.ip().function()).isNull();
        assertThat(u.get("CS")).isEqualTo(0x33L);
        assertThat(u.get("SS")).isEqualTo(0x2bL);
        assertThat(u.get("ORIG_RAX")).isEqualTo(0x139L);
        assertThat(u.get("RAX")).isEqualTo(0xffffffffffffffdaL);
        // CR4.LA57 clear: the dump ran with 4-level paging, as the fixture README says
        assertThat(d.addressSpace().x86PagingLevels()).isEqualTo(4);
    }

    @Test
    void x86NullFrames() {
        DecodedOops d = x86Null();
        assertThat(d.frames()).hasSize(13);
        assertThat(d.frames()).allMatch(f -> "TASK".equals(f.section()));
        Frame bare = d.frames().getFirst();
        assertThat(bare.reliable()).isFalse();
        assertThat(bare.function()).isNull();
        assertThat(bare.address()).isEqualTo(0xffffffffc04b2000L);
        assertThat(d.reliableFrames()).extracting(Frame::function).containsExactly(
                "do_one_initcall", "do_init_module", "__do_sys_finit_module", "do_syscall_64", "entry_SYSCALL_64_after_hwframe");
        assertThat(d.reliableFrames().getFirst()).isEqualTo(
                new Frame("do_one_initcall", 0x59L, 0x220L, null, null, true, "TASK", null, null, null, null));
        // the stale return addresses crash's bt shows are the '?' frames of the kernel's own trace
        assertThat(d.frames()).filteredOn(f -> !f.reliable() && f.function() != null).extracting(Frame::function)
                .containsExactly("do_filp_open", "kmem_cache_free", "do_sys_openat2", "exit_to_user_mode_prepare",
                        "syscall_exit_to_user_mode", "do_syscall_64", "exit_to_user_mode_prepare");
        assertThat(d.modules()).extracting(LinkedModule::name).containsExactly("crashlab", "qemu_fw_cfg");
        LinkedModule lab = d.modules().getFirst();
        assertThat(lab.flags()).isEqualTo("OE+");
        assertThat(lab.loading()).isTrue();
        assertThat(lab.taints()).extracting(TaintFlag::letter).containsExactly('O', 'E');
    }

    @Test
    void x86NullCodeMatchesTheModule() {
        DecodedOops d = x86Null();
        CodeBytes c = d.code();
        assertThat(c.unitSize()).isEqualTo(1);
        assertThat(c.units()).hasSize(64);
        assertThat(c.markedByte()).isEqualTo(42);
        assertThat(c.truncated()).isFalse();
        byte[] bytes = c.bytes();
        assertThat(bytes[42]).isEqualTo((byte) 0x48);
        // the unrelocated bytes around the marker are those of crashlab.ko at create_oops.constprop.0+0x23
        try (ElfFile ko = ElfFile.open(Fixtures.crashlabKo())) {
            var sym = ko.symbols().byName("create_oops.constprop.0").orElseThrow();
            assertThat(sym.size()).isEqualTo(d.rip().size());
            byte[] fromKo = ko.data(ko.section(sym.shndx())).bytes(sym.value() + d.rip().offset() - 4, 4 + 14);
            byte[] fromLog = java.util.Arrays.copyOfRange(bytes, 42 - 4, 42 + 14);
            assertThat(HexFormat.of().formatHex(fromLog)).isEqualTo(HexFormat.of().formatHex(fromKo));
        }
        assertThat(d.userCode().markedByte()).isEqualTo(42);
        assertThat(d.userCode().bytes()[42]).isEqualTo((byte) 0x48);
    }

    @Test
    void x86NullJsonUsesTheIssueFieldNames() throws Exception {
        JsonNode j = new ObjectMapper().valueToTree(x86Null());
        assertThat(j.get("cpu").asInt()).isEqualTo(1);
        assertThat(j.get("pid").asInt()).isEqualTo(90);
        assertThat(j.get("comm").asText()).isEqualTo("insmod");
        assertThat(j.get("taint").get("flags").get(0).get("letter").asText()).isEqualTo("O");
        assertThat(j.get("address").asText()).isEqualTo("0x8");
        assertThat(j.get("errorCode").get("cause").asText()).isEqualTo("not-present page");
        assertThat(j.get("rip").get("function").asText()).isEqualTo("create_oops.constprop.0");
        assertThat(j.get("rip").get("offset").asText()).isEqualTo("0x23");
        assertThat(j.get("frames").get(1).get("function").asText()).isEqualTo("do_one_initcall");
        assertThat(j.get("frames").get(1).get("reliable").asBoolean()).isTrue();
        assertThat(j.get("code").get("markedByte").asInt()).isEqualTo(42);
        assertThat(j.has("addressSpace")).isFalse();
    }

    @Test
    void x86ListDel() {
        DecodedOops d = OopsDecoder.decode(ReportLines.cut(Fixtures.consoleLog("listdel.log"),
                "general protection fault", "Kernel panic - not syncing"));
        assertThat(d.arch()).isEqualTo(Arch.X86_64);
        assertThat(d.cpu()).isZero();
        assertThat(d.pid()).isEqualTo(90);
        assertThat(d.comm()).isEqualTo("insmod");
        assertThat(d.oops().reason()).isEqualTo("general protection fault, probably for non-canonical address 0xdead0000000000e8");
        assertThat(d.oops().code()).isEqualTo("0000");
        assertThat(d.address()).isEqualTo(0xdead0000000000e8L);
        assertThat(d.addressSource()).isEqualTo("GPF hint");
        // a #GP is not a page fault: no error code to decode, and CR2 (0x59936e) is stale
        assertThat(d.errorCode()).isNull();
        assertThat(d.cr2()).isEqualTo(0x59936eL);
        AddressMeaning m = d.addressMeaning();
        AddressMeaning.Finding first = m.findings().getFirst();
        assertThat(first.name()).isEqualTo("LIST_POISON2");
        assertThat(first.offset()).isEqualTo(-0x3aL);
        assertThat(first.registers()).containsExactly("RAX");
        assertThat(m.findings()).anyMatch(f -> f.name().equals("LIST_POISON1") && f.offset() == -0x18);
        assertThat(m.has(AddressMeaning.Kind.NON_CANONICAL)).isTrue();
        assertThat(m.summary()).startsWith("LIST_POISON2 -0x3a (RAX = LIST_POISON2)").contains("non-canonical");
        assertThat(d.registers().get("RAX")).isEqualTo(0xdead000000000122L);
        assertThat(d.rip()).isEqualTo(new Location("lab_list_use_after_del", 0xd5L, 0xecL, "crashlab", null, null));
        assertThat(d.code().bytes()[d.code().markedByte()]).isEqualTo((byte) 0x8b);
        assertThat(d.frames()).hasSize(8);
        assertThat(d.reliableFrames()).extracting(Frame::function).containsExactly(
                "do_one_initcall", "do_init_module", "__do_sys_finit_module", "do_syscall_64", "entry_SYSCALL_64_after_hwframe");
        assertThat(d.userRegisters().ip().address()).isEqualTo(0x47fbe9L);
    }

    @Test
    void x86Sysrq() {
        DecodedOops d = OopsDecoder.decode(ReportLines.cut(Fixtures.consoleLog("sysrq.log"),
                "Kernel panic - not syncing", "NMI backtrace"));
        assertThat(d.arch()).isEqualTo(Arch.X86_64);
        assertThat(d.cpu()).isEqualTo(1);
        assertThat(d.pid()).isEqualTo(1);
        assertThat(d.comm()).isEqualTo("init");
        assertThat(d.taint()).isEqualTo(Taint.NOT_TAINTED);
        assertThat(d.taint().tainted()).isFalse();
        assertThat(d.panic()).isEqualTo("sysrq triggered crash");
        assertThat(d.oops()).isNull();
        assertThat(d.address()).isNull();
        assertThat(d.errorCode()).isNull();
        assertThat(d.registers()).isNull();
        assertThat(d.rip()).isNull();
        assertThat(d.userRegisters().ip().address()).isEqualTo(0x47b7a0L);
        assertThat(d.userRegisters().get("ORIG_RAX")).isEqualTo(1L);
        assertThat(d.frames()).hasSize(25);
        assertThat(d.reliableFrames()).extracting(Frame::function).containsExactly(
                "dump_stack_lvl", "panic", "sysrq_handle_crash", "__handle_sysrq.cold", "write_sysrq_trigger",
                "proc_reg_write", "vfs_write", "ksys_write", "do_syscall_64", "entry_SYSCALL_64_after_hwframe");
        assertThat(d.frames().get(2)).isEqualTo(new Frame("_printk", 0x68L, 0x83L, null, null, false, "TASK", null, null, null, null));
    }

    @Test
    void x86HungTask() {
        DecodedOops d = OopsDecoder.decode(ReportLines.cut(Fixtures.vmcoreDir("mutex_abba").resolve("console.log"),
                "INFO: task lab_mutex_ab:92", "Kernel Offset"));
        assertThat(d.arch()).isEqualTo(Arch.X86_64);
        assertThat(d.pid()).isEqualTo(92);
        assertThat(d.comm()).isEqualTo("lab_mutex_ab");
        // the CPU line belongs to khungtaskd (pid 29), the reporter, not to the hung task
        assertThat(d.cpu()).isNull();
        assertThat(d.taint().letters()).isEqualTo("OE");
        assertThat(d.release()).isEqualTo("6.1.0-56-amd64");
        assertThat(d.build()).isEqualTo("#1 Debian 6.1.192-2");
        assertThat(d.panic()).isEqualTo("hung_task: blocked tasks");
        assertThat(d.frames()).hasSize(10);
        assertThat(d.reliableFrames()).extracting(Frame::toString).containsExactly(
                "__schedule+0x34d/0xa00", "schedule+0x5a/0xd0", "schedule_preempt_disabled+0x11/0x20",
                "__mutex_lock.constprop.0+0x39d/0x720", "mutex_ab+0x27/0x50 [crashlab]", "kthread+0xda/0x100",
                "ret_from_fork+0x22/0x30");
        assertThat(d.frames()).filteredOn(f -> !f.reliable()).extracting(Frame::toString).contains("? mutex_ba+0x50/0x50 [crashlab]");
        assertThat(d.kernelOffset()).isEqualTo(new KernelOffset(0x31200000L, 0xffffffff81000000L, false));
        assertThat(d.kernelOffset().start()).isEqualTo(0xffffffffb2200000L);
        assertThat(d.addressSpace().kernelTextEnd()).isEqualTo(0xffffffffbfffffffL);
        // with the relocation range printed, 0xffffffffb2...: is kernel text, not modules
        assertThat(AddressClassifier.classify(0xffffffffb2300000L, d.addressSpace()).region().name()).isEqualTo("kernel text mapping");
    }

    static DecodedOops arm64Null() {
        return OopsDecoder.decode(ReportLines.cut(Fixtures.consoleLog("arm64-null.log"),
                "Unable to handle kernel NULL pointer", "Kernel Offset"));
    }

    @Test
    void arm64NullIdentityAndEsr() {
        DecodedOops d = arm64Null();
        assertThat(d.arch()).isEqualTo(Arch.ARM64);
        assertThat(d.cpu()).isZero();
        assertThat(d.pid()).isEqualTo(90);
        assertThat(d.comm()).isEqualTo("insmod");
        assertThat(d.release()).isEqualTo("6.1.0-56-arm64");
        assertThat(d.hardware()).isEqualTo("linux,dummy-virt (DT)");
        assertThat(d.taint().letters()).isEqualTo("OE");
        assertThat(d.oops()).isEqualTo(new OopsHeader("Internal error: Oops", "0000000096000006", 1, List.of("SMP")));
        assertThat(d.address()).isEqualTo(0x8L);
        assertThat(d.addressSource()).isEqualTo("arm64 abort");
        assertThat(d.addressMeaning().summary()).isEqualTo("NULL pointer + 0x8");
        assertThat(d.errorCode()).isNull();
        Esr e = d.esr();
        assertThat(e.value()).isEqualTo(0x96000006L);
        assertThat(e.ec()).isEqualTo(0x25);
        assertThat(e.ecName()).isEqualTo("DABT (current EL)");
        assertThat(e.il()).isEqualTo(32);
        assertThat(e.iss()).isEqualTo(6L);
        Esr.Abort a = e.abort();
        assertThat(a.data()).isTrue();
        assertThat(a.fsc()).isEqualTo(6);
        assertThat(a.fscName()).isEqualTo("level 2 translation fault");
        assertThat(a.level()).isEqualTo(2);
        assertThat(a.wnr()).isFalse();
        assertThat(a.cm()).isFalse();
        assertThat(a.isv()).isFalse();
        assertThat(a.s1ptw()).isFalse();
        assertThat(a.ea()).isFalse();
        assertThat(a.fnv()).isFalse();
        assertThat(a.set()).isZero();
        assertThat(a.access()).isEqualTo("read");
        // every "Mem abort info"/"Data abort info" value the kernel printed agrees with the ESR
        assertThat(e.mismatches()).isEmpty();
        assertThat(d.pageTableWalk()).startsWith("[0000000000000008] pgd=0800000042736003");
        assertThat(d.panic()).isEqualTo("Oops: Fatal exception");
        assertThat(d.endTrace()).isEqualTo("0000000000000000");
    }

    @Test
    void arm64NullRegistersFramesCode() {
        DecodedOops d = arm64Null();
        assertThat(d.rip()).isEqualTo(new Location("create_oops.constprop.0", 0x44L, 0x60L, "crashlab", null, null));
        assertThat(d.lr()).isEqualTo(new Location("create_oops.constprop.0", 0x34L, 0x60L, "crashlab", null, null));
        RegisterSet r = d.registers();
        assertThat(r.user()).isFalse();
        assertThat(r.get("pstate")).isEqualTo(0x60000005L);
        assertThat(r.flagsText()).isEqualTo("nZCv daif -PAN -UAO -TCO -DIT -SSBS BTYPE=--");
        assertThat(r.get("sp")).isEqualTo(0xffff800008213a60L);
        assertThat(r.get("x29")).isEqualTo(0xffff800008213a60L);
        assertThat(r.get("x9")).isEqualTo(0xffffb88ba8d238bcL);
        assertThat(r.get("x3")).isEqualTo(0x1234L);
        assertThat(r.get("x0")).isEqualTo(0xfeedbeefL);
        assertThat(r.values()).hasSize(2 + 30);
        assertThat(d.userRegisters()).isNull();
        assertThat(d.frames()).hasSize(14).allMatch(Frame::reliable);
        assertThat(d.frames().getFirst().toString()).isEqualTo("create_oops.constprop.0+0x44/0x60 [crashlab]");
        assertThat(d.frames().getLast().toString()).isEqualTo("el0t_64_sync+0x18c/0x190");
        assertThat(d.frames()).filteredOn(f -> "crashlab".equals(f.module())).extracting(Frame::function)
                .containsExactly("create_oops.constprop.0", "lab_null", "crashlab_init");
        CodeBytes c = d.code();
        assertThat(c.unitSize()).isEqualTo(4);
        assertThat(c.units()).containsExactly("f9401662", "d2824683", "5297dde0", "72bfdda0", "f9400441");
        assertThat(c.markedUnit()).isEqualTo(4);
        assertThat(c.markedByte()).isEqualTo(16);
        assertThat(HexFormat.of().formatHex(c.bytes(), 16, 20)).isEqualTo("410440f9");
        assertThat(d.kernelOffset()).isEqualTo(new KernelOffset(0x388ba0c00000L, 0xffff800008000000L, false));
        assertThat(d.addressSpace().arm64VaBits()).isEqualTo(48);
        assertThat(d.addressSpace().arm64PageShift()).isEqualTo(12);
    }

    @Test
    void arm64NullRegisterValuesLandInTheirRegions() {
        DecodedOops d = arm64Null();
        AddressSpace s = d.addressSpace();
        RegisterSet r = d.registers();
        assertThat(AddressClassifier.classify(r.get("x21"), s).region().name()).startsWith("kernel logical memory map");
        assertThat(AddressClassifier.classify(r.get("sp"), s).region().name()).startsWith("vmalloc");
        AddressMeaning image = AddressClassifier.classify(r.get("x9"), s);
        assertThat(image.findings()).extracting(AddressMeaning.Finding::name).containsExactly("kernel image");
        AddressMeaning module = AddressClassifier.classify(r.get("x25"), s);
        assertThat(module.findings()).extracting(AddressMeaning.Finding::name).containsExactly("modules");
        assertThat(image.region().assumed()).isNull();
    }

    @Test
    void arm64ListDel() {
        DecodedOops d = OopsDecoder.decode(ReportLines.cut(Fixtures.consoleLog("arm64-listdel.log"),
                "Unable to handle kernel paging request", "Kernel Offset"));
        assertThat(d.arch()).isEqualTo(Arch.ARM64);
        assertThat(d.pid()).isEqualTo(89);
        assertThat(d.address()).isEqualTo(0xdead0000000000e8L);
        assertThat(d.esr().value()).isEqualTo(0x96000004L);
        assertThat(d.esr().abort().fscName()).isEqualTo("level 0 translation fault");
        assertThat(d.esr().abort().level()).isZero();
        assertThat(d.esr().mismatches()).isEmpty();
        AddressMeaning m = d.addressMeaning();
        assertThat(m.findings()).filteredOn(f -> f.kind() == AddressMeaning.Kind.POISON_POINTER)
                .extracting(AddressMeaning.Finding::name, AddressMeaning.Finding::offset, AddressMeaning.Finding::registers)
                .startsWith(org.assertj.core.groups.Tuple.tuple("LIST_POISON1", -0x18L, List.of("x1")),
                        org.assertj.core.groups.Tuple.tuple("LIST_POISON2", -0x3aL, List.of("x2")));
        assertThat(m.has(AddressMeaning.Kind.NON_CANONICAL)).isTrue();
        assertThat(d.registers().get("pstate")).isEqualTo(5L);
        assertThat(d.registers().flagsText()).startsWith("nzcv daif");
        assertThat(d.rip()).isEqualTo(new Location("lab_list_use_after_del", 0xfcL, 0x128L, "crashlab", null, null));
        assertThat(d.code().units().get(d.code().markedUnit())).isEqualTo("b85e8021");
        assertThat(d.frames()).hasSize(13);
    }

    @Test
    void arm64Sysrq() {
        DecodedOops d = OopsDecoder.decode(ReportLines.cut(Fixtures.consoleLog("arm64-sysrq.log"),
                "Kernel panic - not syncing", "Kernel Offset"));
        assertThat(d.arch()).isEqualTo(Arch.ARM64);
        assertThat(d.cpu()).isZero();
        assertThat(d.pid()).isEqualTo(1);
        assertThat(d.comm()).isEqualTo("init");
        assertThat(d.taint().tainted()).isFalse();
        assertThat(d.panic()).isEqualTo("sysrq triggered crash");
        assertThat(d.esr()).isNull();
        assertThat(d.registers()).isNull();
        assertThat(d.frames()).hasSize(18).allMatch(Frame::reliable);
        assertThat(d.frames().get(4).toString()).isEqualTo("panic+0x184/0x364");
        assertThat(d.kernelOffset().offset()).isEqualTo(0x270ba9e00000L);
    }
}
