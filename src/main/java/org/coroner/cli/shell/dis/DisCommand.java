package org.coroner.cli.shell.dis;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.disasm.Arch;
import org.coroner.disasm.Disassembler;
import org.coroner.disasm.Instruction;
import org.coroner.kernel.stack.KernelModules;
import org.coroner.kernel.stack.LoadedModule;
import org.coroner.kernel.stack.SourceLines;
import org.coroner.kernel.stack.Symbolizer;
import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;

/**
 * crash's {@code dis}: the code of a function or from an address, read from the dump's memory (the
 * code as it ran: alternatives and static calls patched, module relocations applied), in crash's
 * layout {@code 0xADDR <sym+dec>:\tinsn} with objdump's instruction text.
 */
public final class DisCommand implements ShellCommand {
    private static final int MAX_FUNCTION = 1 << 20;

    private final VirtualMemory mem;
    private final Symbolizer symbols;
    private final NameResolver names;
    private final SourceLines lines;
    private final List<Path> sourceDirs;
    private Arch arch = Arch.X86_64;

    /** Turns a symbol name into its run-time address (vmlinux, then modules). */
    @FunctionalInterface
    public interface NameResolver {
        Optional<Long> address(String name);
    }

    /**
     * {@code lines} answers {@code -l} and {@code -s} (null when no debug information is wired in);
     * {@code sourceDirs} are searched for source files ({@code --source}).
     */
    /** The dumped kernel's instruction set (x86_64 unless told). */
    public DisCommand withArch(Arch a) {
        this.arch = a;
        return this;
    }

    public DisCommand(VirtualMemory mem, Symbolizer symbols, NameResolver names, SourceLines lines, List<Path> sourceDirs) {
        this.mem = mem;
        this.symbols = symbols;
        this.names = names;
        this.lines = lines;
        this.sourceDirs = List.copyOf(sourceDirs);
    }

    /** Names from vmlinux symbols and the loaded modules' kallsyms. */
    public static NameResolver resolver(org.coroner.kernel.Kernel k, KernelModules modules) {
        return name -> {
            Optional<Long> a = k.symbol(name);
            if (a.isPresent()) {
                return a;
            }
            for (LoadedModule m : modules.all()) {
                Optional<Long> b = m.symbols().address(name);
                if (b.isPresent()) {
                    return b;
                }
            }
            return Optional.empty();
        };
    }

    @Override
    public String name() {
        return "dis";
    }

    @Override
    public String summary() {
        return "disassemble a function or the code at an address";
    }

    @Override
    public String help() {
        return """
                dis [-l] [-s] [-r] [-x] SYMBOL|ADDRESS [COUNT]
                  Disassembles the code read from the dump (as it ran), in objdump's AT&T syntax, with
                  call and jump targets named. A symbol alone disassembles the whole function (up to the
                  next symbol); with COUNT, that many instructions from the address.
                  -l   interleave the file:line of the source each instruction comes from
                  -s   interleave the source text itself (files found with coroner shell --source DIR)
                  -r   from the start of the function up to and including ADDRESS
                  -x   symbol offsets in hex (<func+0x23>) instead of decimal
                Example: dis -l create_oops.constprop.0""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        boolean withLines = false;
        boolean withSource = false;
        boolean reverse = false;
        boolean hexOffsets = false;
        List<String> rest = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("-") && a.length() > 1 && rest.isEmpty() && !isNumber(a)) {
                for (char c : a.substring(1).toCharArray()) {
                    switch (c) {
                        case 'l' -> withLines = true;
                        case 's' -> withSource = true;
                        case 'r' -> reverse = true;
                        case 'x' -> hexOffsets = true;
                        default -> throw new CommandException("invalid option: -" + c);
                    }
                }
            } else {
                rest.add(a);
            }
        }
        if (rest.isEmpty() || rest.size() > 2) {
            throw new CommandException("usage: dis [-l] [-s] [-r] [-x] SYMBOL|ADDRESS [COUNT]");
        }
        if ((withLines || withSource) && lines == null) {
            throw new CommandException("no debug line information available (vmlinux without DWARF?)");
        }
        String target = rest.get(0);
        boolean bySymbol = !looksLikeAddress(target);
        long start = resolve(target);
        int count = rest.size() == 2 ? parseCount(rest.get(1)) : -1;

        Symbolizer.Name fn = symbols.lookup(start).orElse(null);
        long from = start;
        long to;
        if (reverse) {
            if (fn == null) {
                throw new CommandException("no function contains " + Long.toHexString(start));
            }
            from = fn.symbolAddress();
            to = start + 1; // the instruction at ADDRESS included
            count = -1;
        } else if (count < 0) {
            if (bySymbol && fn != null && fn.offset() == 0) {
                to = functionEnd(fn);
            } else {
                count = 1; // crash: an address alone is one instruction
                to = start + 16 * 16;
            }
        } else {
            to = start + (long) count * 16;
        }
        List<Instruction> insns = decode(from, to, count);
        if (insns.isEmpty()) {
            throw new CommandException("cannot disassemble at " + Long.toHexString(from));
        }
        print(insns, out, withLines, withSource, hexOffsets);
    }

    private long functionEnd(Symbolizer.Name fn) {
        // up to the next symbol, as crash does (alignment padding included); probe in 16-byte steps
        long a = fn.symbolAddress() + 1;
        long limit = fn.symbolAddress() + MAX_FUNCTION;
        while (a < limit) {
            Optional<Symbolizer.Name> n = symbols.lookup(a);
            if (n.isEmpty() || n.get().symbolAddress() != fn.symbolAddress()) {
                // step back to the exact boundary
                long lo = a - 16 < fn.symbolAddress() ? fn.symbolAddress() : a - 16;
                for (long b = lo + 1; b <= a; b++) {
                    Optional<Symbolizer.Name> m = symbols.lookup(b);
                    if (m.isEmpty() || m.get().symbolAddress() != fn.symbolAddress()) {
                        return b;
                    }
                }
                return a;
            }
            a += 16;
        }
        return limit;
    }

    private List<Instruction> decode(long from, long to, int count) {
        int len = (int) Math.min(to - from + 16, MAX_FUNCTION);
        byte[] code = read(from, len);
        List<Instruction> all = Disassembler.of(arch).disassemble(code, from, count > 0 ? count : 0);
        List<Instruction> out = new ArrayList<>();
        for (Instruction i : all) {
            if (count < 0 && Long.compareUnsigned(i.address(), to) >= 0) {
                break;
            }
            out.add(i);
        }
        return out;
    }

    /** Reads as much of [from, from+len) as the dump has, stopping at the first unreadable page. */
    private byte[] read(long from, int len) {
        byte[] buf = new byte[len];
        int done = 0;
        while (done < len) {
            long a = from + done;
            int chunk = (int) Math.min(len - done, 4096 - (a & 4095));
            try {
                mem.read(a, buf, done, chunk);
            } catch (FaultException e) {
                if (done == 0) {
                    throw new CommandException("seek error: kernel virtual address: " + Long.toHexString(a)
                            + "  type: \"dis\"");
                }
                return java.util.Arrays.copyOf(buf, done);
            }
            done += chunk;
        }
        return buf;
    }

    private void print(List<Instruction> insns, PrintWriter out, boolean withLines, boolean withSource, boolean hex) {
        SourceLines.Location last = null;
        Map<String, List<String>> files = new HashMap<>();
        boolean first = true;
        for (Instruction in : insns) {
            if (withLines || withSource) {
                Optional<SourceLines.Location> loc = lines.at(in.address());
                if (loc.isPresent() && !Objects.equals(loc.get(), last)) {
                    last = loc.get();
                    if (withSource) {
                        printSource(loc.get(), files, out, first);
                    } else {
                        out.println(loc.get().file() + ": " + loc.get().line());
                    }
                }
            }
            first = false;
            out.println("0x" + Long.toHexString(in.address()) + " <" + name(in.address(), hex) + ">:\t" + text(in, hex));
        }
    }

    private void printSource(SourceLines.Location loc, Map<String, List<String>> files, PrintWriter out, boolean first) {
        List<String> text = files.computeIfAbsent(loc.file(), this::loadSource);
        if (text == null || loc.line() < 1 || loc.line() > text.size()) {
            out.println(loc.file() + ": " + loc.line() + (first ? "  (source not found; coroner shell --source DIR)" : ""));
            return;
        }
        out.printf("%s: %d%n", loc.file(), loc.line());
        out.printf("  %5d  %s%n", loc.line(), text.get(loc.line() - 1));
    }

    private List<String> loadSource(String file) {
        Path p = Path.of(file);
        List<Path> candidates = new ArrayList<>();
        if (p.isAbsolute()) {
            candidates.add(p);
        }
        for (Path dir : sourceDirs) {
            // try the path and each suffix of it under DIR: /usr/src/linux/kernel/x.c → DIR/kernel/x.c
            for (int i = 0; i < p.getNameCount(); i++) {
                candidates.add(dir.resolve(p.subpath(i, p.getNameCount())));
            }
        }
        for (Path c : candidates) {
            if (Files.isRegularFile(c)) {
                try {
                    return Files.readAllLines(c, StandardCharsets.ISO_8859_1);
                } catch (IOException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private String name(long address, boolean hex) {
        return symbols.lookup(address)
                .map(n -> n.offset() == 0 ? n.symbol() : n.symbol() + "+" + (hex ? "0x" + Long.toHexString(n.offset()) : Long.toString(n.offset())))
                .orElse("??");
    }

    /** objdump's instruction text with gdb's spelling of targets, as crash prints them. */
    String text(Instruction in, boolean hex) {
        StringBuilder b = new StringBuilder(in.mnemonic());
        while (b.length() < 6) {
            b.append(' ');
        }
        b.append(' ');
        String ops = in.operands();
        b.append(ops);
        if (in.kind() == Instruction.Kind.BRANCH) {
            b.append(" <").append(name(in.target(), hex)).append('>');
        } else if (in.kind() == Instruction.Kind.MEMORY) {
            b.append("        # 0x").append(Long.toHexString(in.target()));
            symbols.lookup(in.target()).ifPresent(n -> b.append(" <").append(name(in.target(), hex)).append('>'));
        }
        if (!in.comment().isEmpty()) {
            b.append("  // ").append(in.comment());
        }
        if (isFtraceNop(in)) {
            b.append(" [FTRACE NOP]");
        }
        return b.toString();
    }

    private boolean isFtraceNop(Instruction in) {
        byte[] x = in.bytes();
        return x.length == 5 && (x[0] & 0xff) == 0x0f && (x[1] & 0xff) == 0x1f && (x[2] & 0xff) == 0x44
                && x[3] == 0 && x[4] == 0 && symbols.lookup(in.address()).map(n -> n.offset() == 0).orElse(false);
    }

    private long resolve(String target) {
        if (looksLikeAddress(target)) {
            return Long.parseUnsignedLong(target.startsWith("0x") ? target.substring(2) : target, 16);
        }
        String name = target;
        long off = 0;
        int plus = target.lastIndexOf('+');
        if (plus > 0) {
            name = target.substring(0, plus);
            off = parseNumber(target.substring(plus + 1));
        }
        String n = name;
        return names.address(name).orElseThrow(() -> new CommandException("invalid symbol: " + n)) + off;
    }

    private static boolean looksLikeAddress(String s) {
        String h = s.startsWith("0x") ? s.substring(2) : s;
        return h.length() >= 8 && h.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    private static boolean isNumber(String s) {
        return s.length() > 1 && s.substring(1).chars().allMatch(Character::isDigit);
    }

    private static long parseNumber(String s) {
        try {
            return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new CommandException("invalid offset: " + s);
        }
    }

    private static int parseCount(String s) {
        try {
            int n = Integer.parseInt(s);
            if (n <= 0) {
                throw new CommandException("invalid count: " + s);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new CommandException("invalid count: " + s);
        }
    }
}
