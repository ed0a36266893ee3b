package org.coroner.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.coroner.elf.ElfFile;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code coroner elf FILE}: what Coroner sees in an ELF file (a quick check of a vmlinux or module). */
@Command(name = "elf", mixinStandardHelpOptions = true,
        description = "Print an ELF file's machine, type, build-id, section and symbol counts.")
final class ElfCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "vmlinux, a kernel module (.ko) or an ELF vmcore")
    Path file;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (ElfFile elf = ElfFile.open(file)) {
            var out = spec.commandLine().getOut();
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
