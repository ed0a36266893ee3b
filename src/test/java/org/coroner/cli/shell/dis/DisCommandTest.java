package org.coroner.cli.shell.dis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.coroner.cli.shell.Shell;
import org.coroner.cli.shell.ShellCommands;
import org.coroner.session.Session;
import org.coroner.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code dis} on the null dump: crash's layout, and objdump's text for the very bytes in the dump. */
@Tag("fixtures")
class DisCommandTest {
    private static Session session;

    @BeforeAll
    static void open() {
        session = Session.open(Fixtures.vmlinux(), Fixtures.vmcoreDir("null").resolve("vmcore"), List.of(), false);
    }

    @AfterAll
    static void close() throws Exception {
        session.close();
    }

    static String[] run(String line) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Shell shell = new Shell(new PrintWriter(out), new PrintWriter(err));
        ShellCommands.registerAll(shell, session);
        shell.execute(line);
        return new String[] {out.toString(), err.toString()};
    }

    private static final Pattern LINE = Pattern.compile("0x([0-9a-f]+) <([^>]+)>:\\t(.*)");

    @Test
    void moduleFunctionInCrashLayoutEqualsObjdumpOnTheSameBytes() throws Exception {
        List<String> lines = run("dis create_oops.constprop.0")[0].lines().toList();
        // the faulting instruction of the Oops (RIP create_oops.constprop.0+0x23), as crash prints it
        assertThat(lines).contains("0xffffffffc04ad1e9 <create_oops.constprop.0+35>:\taddq   $0x1234,0x8(%rax)",
                "0xffffffffc04ad1e5 <create_oops.constprop.0+31>:\tmov    0x28(%rbx),%rax",
                "0xffffffffc04ad1e0 <create_oops.constprop.0+26>:\tcall   0xffffffff88807e3d <_printk>",
                "0xffffffffc04ad1c6 <create_oops.constprop.0>:\tnopl   0x0(%rax,%rax,1) [FTRACE NOP]");
        // up to the next symbol: crashlab.ko's symbol table gives the function's extent
        assertThat(lines.get(lines.size() - 1)).startsWith("0xffffffffc04ad1fb <create_oops.constprop.0+53>:");

        // objdump on the same bytes, read from the dump with rd-like reads
        long start = 0xffffffffc04ad1c6L;
        long end = 0xffffffffc04ad1fcL;
        byte[] code = new byte[(int) (end - start)];
        session.kernel().memory().read(start, code, 0, code.length);
        Path bin = Files.createTempFile("dis", ".bin");
        Files.write(bin, code);
        String objdump = Fixtures.run("objdump", "-D", "-b", "binary", "-mi386:x86-64",
                "--adjust-vma=0x" + Long.toHexString(start), bin.toString());
        Files.delete(bin);
        List<String> expected = new ArrayList<>();
        for (String l : objdump.lines().toList()) {
            String[] f = l.split("\t");
            if (f.length >= 3 && f[0].trim().endsWith(":")) {
                expected.add(Long.parseUnsignedLong(f[0].trim().replace(":", ""), 16) + " " + normalize(f[2]));
            }
        }
        List<String> ours = new ArrayList<>();
        for (String l : lines) {
            Matcher m = LINE.matcher(l);
            assertThat(m.matches()).as(l).isTrue();
            ours.add(Long.parseUnsignedLong(m.group(1), 16) + " " + normalize(m.group(3)));
        }
        assertThat(ours).hasSize(16).isEqualTo(expected);
    }

    /** Targets are spelled by symbol in ours and bare in objdump's binary mode; compare the instruction. */
    private static String normalize(String insn) {
        String s = insn.replace(" [FTRACE NOP]", "").replaceAll(" <[^>]+>", "").replaceAll("\\s+#.*", "");
        s = s.replaceAll("(call|jmp|j[a-z]+)\\s+0x([0-9a-f]+)", "$1 $2");
        return s.trim().replaceAll("\\s+", " ");
    }

    @Test
    void reverseCountAndErrors() {
        List<String> r = run("dis -r ffffffffc04ad1e9")[0].lines().toList();
        assertThat(r).hasSize(9);
        assertThat(r.get(8)).isEqualTo("0xffffffffc04ad1e9 <create_oops.constprop.0+35>:\taddq   $0x1234,0x8(%rax)");
        List<String> five = run("dis do_one_initcall 5")[0].lines().toList();
        assertThat(five).hasSize(5);
        assertThat(five.get(1)).isEqualTo("0x" + Long.toHexString(session.kernel().requireSymbol("do_one_initcall") + 5)
                + " <do_one_initcall+5>:\tpush   %r13");
        assertThat(run("dis nosuch_symbol")[1]).isEqualTo("dis: invalid symbol: nosuch_symbol\n");
        assertThat(run("dis 0000000000001000")[1]).startsWith("dis: seek error: kernel virtual address: 1000");
    }
}
