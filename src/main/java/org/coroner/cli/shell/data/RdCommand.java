package org.coroner.cli.shell.data;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;

import org.coroner.cli.shell.CommandException;
import org.coroner.expr.EvalException;
import org.coroner.expr.Operand;
import org.coroner.kernel.mm.SlabLookup;
import org.coroner.kernel.symbols.KernelSymbols;
import org.coroner.memory.FaultException;
import org.coroner.cli.shell.ShellCommand;

/** crash's {@code rd}: memory as words, decimal, symbols or text, from a kernel, user or physical address. */
public final class RdCommand implements ShellCommand {
    static final long KERNEL_START = 0xffff_8000_0000_0000L;

    private final DataContext ctx;
    private SlabLookup slabs;

    public RdCommand(DataContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return "rd";
    }

    @Override
    public String summary() {
        return "read memory: words, decimal, symbols or ASCII at an address or symbol";
    }

    @Override
    public String help() {
        return """
                rd [-dDsSupxaR] [-8|-16|-32|-64] [-o OFFSET] [-e END] [-r FILE] ADDRESS|SYMBOL|(EXPRESSION) [COUNT]
                  Displays COUNT entries (default 1) of memory at a kernel virtual address, as crash does:
                  the address, the entries, and the bytes as ASCII.
                  -8 -16 -32 -64   entry size in bits (default 64)
                  -d / -D          signed / unsigned decimal entries (no ASCII column)
                  -s               64- and 32-bit entries that point into a symbol shown as symbol+offset
                  -S               as -s, and slab objects shown as [cache name]
                  -x               no ASCII column
                  -a               printable text, 60 characters a line; without COUNT up to the first
                                   character that is not printable
                  -p               ADDRESS is physical
                  -u               ADDRESS is a user virtual address of the current task
                  -o OFFSET        start OFFSET bytes after ADDRESS
                  -e END           display up to END instead of COUNT entries
                  -R               display COUNT entries ending at ADDRESS, in reverse
                  -r FILE          copy COUNT bytes raw into FILE
                  An address that is not a kernel address is read as a user address of the current task.
                  Example: rd -64 ffff8ae6c256e400 4, rd -s linux_banner 8, rd -a linux_banner""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        int size = 8;
        MemoryDisplay.Radix radix = MemoryDisplay.Radix.HEX;
        boolean symbolic = false;
        boolean slab = false;
        boolean ascii = false;
        boolean noAscii = false;
        boolean reverse = false;
        String space = "KVADDR";
        long offset = 0;
        Long end = null;
        String rawFile = null;
        List<String> pos = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("-") || a.length() == 1 || !pos.isEmpty() && isNumber(a)) {
                pos.add(a);
                continue;
            }
            switch (a) {
                case "-8" -> size = 1;
                case "-16" -> size = 2;
                case "-32" -> size = 4;
                case "-64" -> size = 8;
                case "-d" -> radix = MemoryDisplay.Radix.DECIMAL;
                case "-D" -> radix = MemoryDisplay.Radix.UNSIGNED;
                case "-s" -> symbolic = true;
                case "-S" -> {
                    symbolic = true;
                    slab = true;
                }
                case "-a" -> ascii = true;
                case "-x" -> noAscii = true;
                case "-R" -> reverse = true;
                case "-p" -> space = "PHYSADDR";
                case "-u" -> space = "UVADDR";
                case "-o" -> offset = number(Args.value(args, ++i, a));
                case "-e" -> end = hex(Args.value(args, ++i, a));
                case "-r" -> rawFile = Args.value(args, ++i, a);
                case "-m", "-f", "-N" -> throw new CommandException("option " + a + " is not supported for this dump");
                default -> throw new CommandException("invalid option: " + a);
            }
        }
        if (pos.isEmpty()) {
            throw new CommandException("usage: rd [-dDsSupxaR] [-8|-16|-32|-64] [-o OFFSET] [-e END] ADDRESS|SYMBOL [COUNT]");
        }
        if (symbolic && (size != 8 || radix != MemoryDisplay.Radix.HEX)) {
            throw new CommandException("-s/-S are only allowed with the 64-bit hexadecimal display");
        }
        Optional<Long> start = address(pos.get(0), out);
        if (start.isEmpty()) {
            return;
        }
        long addr = start.get() + offset;
        long count = -1;
        if (pos.size() > 1) {
            count = number(pos.get(1));
        }
        if (!space.equals("PHYSADDR") && space.equals("KVADDR") && Long.compareUnsigned(addr, KERNEL_START) < 0) {
            space = "UVADDR";
        }
        int unit = ascii || rawFile != null ? 1 : size;
        if (count == -1) {
            if (end != null) {
                if (Long.compareUnsigned(end, addr) <= 0) {
                    throw new CommandException(String.format("invalid ending address: %x", end));
                }
                count = Math.max(1, (end - addr) / unit);
            } else if (rawFile != null) {
                throw new CommandException("-r option requires either a count argument or the -e option");
            } else {
                count = ascii ? -1 : 1;
            }
        } else if (end != null) {
            out.println("WARNING: ending address ignored when count is specified");
        }
        if (reverse && count > 1) {
            addr -= (count - 1) * unit;
        }
        MemoryDisplay display = new MemoryDisplay(reader(space), space);
        if (rawFile != null) {
            raw(display, addr, count, Path.of(rawFile), space, out);
            return;
        }
        if (ascii) {
            display.ascii(addr, count, out);
            return;
        }
        LongFunction<Optional<String>> syms = null;
        if (symbolic) {
            boolean withSlab = slab;
            syms = v -> {
                Optional<String> s = ctx.symbols().nearest(v).map(KernelSymbols.At::text);
                if (s.isEmpty() && withSlab) {
                    s = slabs().cacheOf(v).map(c -> "[" + c + "]");
                }
                return s;
            };
        }
        display.words(addr, count, size, radix, !noAscii, syms, out);
    }

    private SlabLookup slabs() {
        if (slabs == null) {
            slabs = new SlabLookup(ctx.session().kernel());
        }
        return slabs;
    }

    private void raw(MemoryDisplay display, long addr, long count, Path file, String space, PrintWriter out) {
        MemoryDisplay.Reader r = reader(space);
        try (OutputStream os = Files.newOutputStream(file)) {
            byte[] buf = new byte[4096];
            for (long done = 0; done < count; ) {
                int n = (int) Math.min(buf.length, count - done);
                try {
                    r.read(addr + done, buf, 0, n);
                } catch (FaultException e) {
                    throw new CommandException(DataContext.readError(e, "raw dump to file"));
                }
                os.write(buf, 0, n);
                done += n;
            }
        } catch (IOException e) {
            throw new CommandException("cannot open output file: " + file);
        }
        out.printf("%d bytes copied from 0x%x to %s%n", count, addr, file);
    }

    private MemoryDisplay.Reader reader(String space) {
        return MemoryDisplay.reader(ctx.session(), space);
    }

    /** crash's address argument: {@code (expression)}, a hex number, or a symbol; else its "symbol not found". */
    private Optional<Long> address(String a, PrintWriter out) {
        if (a.startsWith("(")) {
            try {
                Operand v = ctx.evaluate(a);
                return Optional.of(v.scalar(ctx.memory()));
            } catch (EvalException e) {
                throw new CommandException(e.getMessage());
            } catch (FaultException e) {
                throw new CommandException(DataContext.readError(e, "gdb_readmem_callback"));
            }
        }
        if (isHex(a)) {
            return Optional.of(hex(a));
        }
        Optional<KernelSymbols.Symbol> s = ctx.symbols().lookup(a);
        if (s.isPresent()) {
            return Optional.of(s.get().address());
        }
        notFound(ctx, a, out);
        return Optional.empty();
    }

    /** crash's answer to an unknown symbol: the names that contain it. */
    static void notFound(DataContext ctx, String name, PrintWriter out) {
        out.println("symbol not found: " + name);
        out.println("possible alternatives:");
        List<KernelSymbols.Symbol> alt = ctx.symbols().containing(name);
        if (alt.isEmpty()) {
            out.println("  (none found)");
        }
        for (KernelSymbols.Symbol s : alt) {
            out.printf("  %x (%c) %s%n", s.address(), s.type(), s.name());
        }
    }


    static boolean isHex(String s) {
        String t = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        return !t.isEmpty() && t.length() <= 16 && t.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    static long hex(String s) {
        String t = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        if (!isHex(s)) {
            throw new CommandException("invalid address: " + s);
        }
        return Long.parseUnsignedLong(t, 16);
    }

    private static boolean isNumber(String s) {
        return s.matches("-?(0[xX][0-9a-fA-F]+|\\d+)");
    }

    /** A count or offset: decimal, or hex with 0x. */
    static long number(String s) {
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                return Long.parseUnsignedLong(s.substring(2), 16);
            }
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new CommandException("invalid number: " + s);
        }
    }
}
