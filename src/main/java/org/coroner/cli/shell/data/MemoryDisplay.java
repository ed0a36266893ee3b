package org.coroner.cli.shell.data;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.function.LongFunction;

import org.coroner.cli.shell.CommandException;
import org.coroner.dump.NotInDumpException;
import org.coroner.memory.FaultException;

/**
 * Memory in crash's {@code rd} layout: the address right-aligned in 16 columns, then 2, 4, 8 or 16
 * entries a line of 8, 4, 2 or 1 bytes (hex, signed or unsigned decimal, or symbols), then the
 * bytes as ASCII at a fixed column; or {@code -a}: printable text, 60 characters a line.
 */
public final class MemoryDisplay {
    /** How entries are shown. */
    public enum Radix { HEX, DECIMAL, UNSIGNED }

    /** Reads {@code len} bytes at an address of the display's kind, or throws the read's fault. */
    public interface Reader {
        void read(long address, byte[] dst, int off, int len);
    }

    private final Reader reader;
    private final String addressType;

    /**
     * @param addressType crash's name of the address space in errors: {@code KVADDR}, {@code UVADDR}, {@code PHYSADDR}
     */
    public MemoryDisplay(Reader reader, String addressType) {
        this.reader = reader;
        this.addressType = addressType;
    }

    /**
     * @param size     bytes per entry: 1, 2, 4 or 8
     * @param ascii    the ASCII column (hex display only)
     * @param symbols  with {@code -s}/{@code -S}, what a 64- or 32-bit entry names, else null
     */
    public void words(long address, long count, int size, Radix radix, boolean ascii, LongFunction<Optional<String>> symbols,
                      PrintWriter out) {
        if (count <= 0) {
            throw new CommandException("invalid count request: " + count);
        }
        int perLine = 16 / size;
        int asciiStart = switch (size) {
            case 1 -> 51 + 16;
            case 2 -> 43 + 16;
            case 4 -> 39 + 16;
            default -> 37 + 16;
        };
        boolean showAscii = ascii && radix == Radix.HEX && symbols == null;
        String type = (size * 8) + "-bit " + addressType;
        StringBuilder line = new StringBuilder();
        StringBuilder chars = new StringBuilder();
        byte[] b = new byte[size];
        long a = address;
        for (long i = 0; i < count; i++, a += size) {
            try {
                reader.read(a, b, 0, size);
            } catch (FaultException e) {
                if (line.length() > 0) {
                    out.println(line);
                }
                out.flush();
                throw new CommandException(DataContext.readError(e, type));
            }
            if (i % perLine == 0) {
                if (i > 0) {
                    if (showAscii) {
                        line.append("  ").append(chars);
                    }
                    out.println(line);
                    line.setLength(0);
                }
                line.append(String.format("%16x:  ", a));
                chars.setLength(0);
            }
            long v = 0;
            for (int k = 0; k < size; k++) {
                v |= (long) (b[k] & 0xff) << (8 * k);
            }
            Optional<String> sym = symbols != null && size >= 4 ? symbols.apply(v) : Optional.empty();
            if (sym.isPresent()) {
                line.append(String.format(size == 8 ? "%-16s " : "%-8s ", sym.get()));
            } else {
                line.append(entry(v, size, radix));
            }
            for (int k = 0; k < size; k++) {
                int c = b[k] & 0xff;
                chars.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
            }
        }
        if (showAscii && chars.length() > 0) {
            int pad = asciiStart - line.length();
            line.append(" ".repeat(Math.max(0, pad))).append("  ").append(chars);
        }
        out.println(line);
    }

    private static String entry(long v, int size, Radix radix) {
        return switch (radix) {
            case HEX -> String.format("%0" + (size * 2) + "x ", v);
            case DECIMAL -> switch (size) {
                case 8 -> String.format("%15d ", v);
                case 4 -> String.format("%12d ", (int) v);
                case 2 -> String.format("%5d ", (short) v);
                default -> String.format("%3d ", (byte) v);
            };
            case UNSIGNED -> switch (size) {
                case 8 -> String.format("%20s ", Long.toUnsignedString(v));
                case 4 -> String.format("%12d ", v & 0xffffffffL);
                case 2 -> String.format("%5d ", v & 0xffff);
                default -> String.format("%3d ", v & 0xff);
            };
        };
    }

    /**
     * {@code rd -a}: printable characters from {@code address}, 60 a line, each line with its
     * address; without a count it stops at the first character that is not printable.
     */
    public void ascii(long address, long count, PrintWriter out) {
        StringBuilder line = new StringBuilder();
        int a = 0;
        boolean any = false;
        byte[] b = new byte[1];
        long limit = count < 0 ? Long.MAX_VALUE : count;
        for (long i = 0; i < limit; i++) {
            try {
                reader.read(address + i, b, 0, 1);
            } catch (FaultException e) {
                if (line.length() > 0) {
                    out.println(line);
                }
                out.flush();
                throw new CommandException(DataContext.readError(e, "ascii"));
            }
            int c = b[0] & 0xff;
            if (c >= 0x20 && c < 0x7f) {
                if (a % 60 == 0) {
                    if (any) {
                        out.println(line);
                        line.setLength(0);
                    }
                    line.append(String.format("%16x:  ", address + i));
                }
                line.append((char) c);
                any = true;
                a++;
            } else {
                if (count < 0) {
                    break;
                }
                a = 0;
            }
        }
        if (line.length() > 0) {
            out.println(line);
        }
    }

    /**
     * A reader of crash's address space {@code space} on the session: {@code PHYSADDR} the dump's
     * physical memory, {@code UVADDR} the current task's user memory through its page tables, else
     * kernel virtual memory.
     */
    public static Reader reader(org.coroner.session.Session session, String space) {
        return switch (space) {
            case "PHYSADDR" -> (a, dst, off, len) -> {
                try {
                    session.dump().memory().read(a, dst, off, len);
                } catch (NotInDumpException e) {
                    throw new FaultException(a, e.getMessage(), FaultException.Kind.NOT_IN_DUMP);
                } catch (org.coroner.dump.FaultException e) {
                    throw new FaultException(a, e.getMessage());
                }
            };
            case "UVADDR" -> {
                org.coroner.arch.KernelAddressSpace user = userSpace(session);
                yield (a, dst, off, len) -> {
                    if (user == null || Long.compareUnsigned(a, RdCommand.KERNEL_START) >= 0) {
                        throw new FaultException(a, "not a user address of the current task", FaultException.Kind.UNMAPPED);
                    }
                    try {
                        user.read(a, dst, off, len);
                    } catch (org.coroner.dump.FaultException e) {
                        throw new FaultException(a, e.getMessage(), e instanceof NotInDumpException
                                ? FaultException.Kind.NOT_IN_DUMP : FaultException.Kind.UNMAPPED);
                    }
                };
            }
            default -> (a, dst, off, len) -> session.kernel().memory().read(a, dst, off, len);
        };
    }

    /** The current task's page tables ({@code mm->pgd}, x86_64 or arm64), or null for a kernel thread. */
    private static org.coroner.arch.KernelAddressSpace userSpace(org.coroner.session.Session session) {
        try {
            return session.current().flatMap(t -> session.userAddressSpace(t)).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
