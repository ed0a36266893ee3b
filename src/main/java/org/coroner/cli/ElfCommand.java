package org.coroner.cli;

import java.io.PrintWriter;
import java.nio.file.Path;

import org.coroner.elf.ElfFile;

/** {@code coroner elf FILE}: what Coroner sees in an ELF file (a quick check of a vmlinux or module). */
final class ElfCommand implements Subcommand {
    static final Cli.Spec SPEC = new Cli.Spec("elf", "Print an ELF file's machine, type, build-id, section and symbol counts.")
            .parameters("FILE", 1, 1, "vmlinux, a kernel module (.ko) or an ELF vmcore");

    @Override
    public Cli.Spec spec() {
        return SPEC;
    }

    @Override
    public int run(Cli.Args args, PrintWriter out, PrintWriter err) {
        Path file = Path.of(args.parameters.get(0));
        try (ElfFile elf = ElfFile.open(file)) {
            out.printf("file:     %s%n", file);
            out.printf("machine:  %s (%s, %s-endian)%n", elf.machineName(), elf.is64() ? "ELF64" : "ELF32",
                    elf.order() == java.nio.ByteOrder.LITTLE_ENDIAN ? "little" : "big");
            out.printf("type:     %s%n", switch (elf.type()) {
                case ElfFile.ET_REL -> "relocatable";
                case ElfFile.ET_EXEC -> "executable";
                case ElfFile.ET_DYN -> "shared object";
                case ElfFile.ET_CORE -> "core";
                default -> "type " + elf.type();
            });
            out.printf("build-id: %s%n", elf.buildId().orElse("(none)"));
            out.printf("sections: %d, segments: %d, symbols: %d%n", elf.sections().size(), elf.segments().size(),
                    elf.symbols().count());
            return Main.OK;
        }
    }
}
