package org.coroner.cli.shell.proc;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.coroner.cli.shell.CommandException;
import org.coroner.cli.shell.ShellCommand;
import org.coroner.elf.ElfFile;
import org.coroner.io.BadInputException;
import org.coroner.kernel.Kernel;
import org.coroner.kernel.stack.KernelModules;
import org.coroner.kernel.stack.LoadedModule;
import org.coroner.session.ModuleFiles;
import org.coroner.session.Session;

/**
 * crash's {@code mod}: the loaded modules (struct module, name, base, size, object file), loading
 * a module's {@code .ko} for its debug information ({@code -s}, {@code -S}) into the session's
 * module files (bt -l, dis -l and the rest use it from then on), dropping it ({@code -d},
 * {@code -D}), and the modules' taint flags ({@code -t}).
 */
public final class ModCommand implements ShellCommand {
    private final Session s;

    public ModCommand(Session s) {
        this.s = s;
    }

    @Override
    public String name() {
        return "mod";
    }

    @Override
    public String summary() {
        return "loaded modules; load or drop their .ko debug information; their taints";
    }

    @Override
    public String help() {
        return """
                mod [-s MODULE [OBJFILE] | -S [DIR] | -d MODULE | -D | -t]
                  Lists the loaded modules: MODULE (the struct module), NAME, BASE and SIZE of its
                  core layout, and the object file its debug information comes from, or
                  "(not loaded)" ([CONFIG_KALLSYMS]: the dump has its symbols). Files found in
                  --modules directories count as loaded.
                  -s MODULE [OBJFILE]  use OBJFILE (or the MODULE.ko found in the --modules
                                       directories or /lib/modules/RELEASE) for MODULE; the file
                                       must match the loaded module (its functions at the
                                       addresses the dump has for them)
                  -S [DIR]             the same for every module, searching DIR
                  -d MODULE            stop using MODULE's object file     -D  the same for all
                  -t                   the taint flags of each tainted module""";
    }

    @Override
    public void run(List<String> args, PrintWriter out) {
        List<LoadedModule> mods = modules();
        if (args.isEmpty()) {
            if (mods.isEmpty()) {
                out.println("no modules installed");
                return;
            }
            list(mods, mods, out);
            return;
        }
        switch (args.get(0)) {
            case "-s" -> {
                if (args.size() < 2 || args.size() > 3) {
                    throw new CommandException("usage: mod -s MODULE [OBJFILE]");
                }
                LoadedModule m = module(args.get(1));
                Path ko;
                if (args.size() == 3) {
                    ko = Path.of(args.get(2));
                    if (!Files.isRegularFile(ko)) {
                        ko = ModuleFiles.search(m.name(), searchDirs(List.of())).orElseThrow(() ->
                                new CommandException(m.name() + ": cannot find or load object file: " + args.get(2)));
                    }
                } else {
                    ko = ModuleFiles.search(m.name(), searchDirs(List.of())).orElseThrow(() ->
                            new CommandException("cannot find or load object file for " + m.name() + " module"));
                }
                load(m, ko);
                list(mods, List.of(m), out);
            }
            case "-S" -> {
                List<Path> dirs = new ArrayList<>();
                if (args.size() == 2) {
                    Path d = Path.of(args.get(1));
                    if (!Files.isDirectory(d)) {
                        throw new CommandException(args.get(1) + " is not a directory");
                    }
                    dirs.add(d);
                } else if (args.size() > 2) {
                    throw new CommandException("usage: mod -S [DIR]");
                }
                List<LoadedModule> done = new ArrayList<>();
                List<String> problems = new ArrayList<>();
                for (LoadedModule m : mods) {
                    Optional<Path> ko = ModuleFiles.search(m.name(), searchDirs(dirs));
                    if (ko.isEmpty()) {
                        problems.add("cannot find or load object file for " + m.name() + " module");
                        continue;
                    }
                    try {
                        load(m, ko.get());
                        done.add(m);
                    } catch (CommandException e) {
                        problems.add(e.getMessage());
                    }
                }
                if (!done.isEmpty()) {
                    list(mods, done, out);
                }
                problems.forEach(p -> out.println("mod: " + p));
            }
            case "-d" -> {
                if (args.size() != 2) {
                    throw new CommandException("usage: mod -d MODULE");
                }
                s.moduleFiles().drop(module(args.get(1)).name());
            }
            case "-D" -> mods.forEach(m -> s.moduleFiles().drop(m.name()));
            case "-t" -> taints(mods, out);
            default -> throw new CommandException("invalid option: " + args.get(0)
                    + " (usage: mod [-s MODULE [OBJFILE] | -S [DIR] | -d MODULE | -D | -t])");
        }
    }

    /** Modules in address order, as crash lists them. */
    private List<LoadedModule> modules() {
        List<LoadedModule> mods = new ArrayList<>(s.backtracer().modules().all());
        mods.sort(Comparator.comparing(m -> base(m), Long::compareUnsigned));
        return mods;
    }

    private LoadedModule module(String name) {
        return modules().stream().filter(m -> m.name().equals(name) || m.name().equals(name.replace('-', '_')))
                .findFirst().orElseThrow(() -> new CommandException(name + ": not a loaded module"));
    }

    private List<Path> searchDirs(List<Path> extra) {
        List<Path> dirs = new ArrayList<>(extra);
        if (extra.isEmpty()) {
            dirs.addAll(s.moduleFiles().dirs());
            Path tree = Path.of("/lib/modules", s.kernel().release());
            if (Files.isDirectory(tree)) {
                dirs.add(tree);
            }
        }
        return dirs;
    }

    private void load(LoadedModule m, Path ko) {
        KernelModules km = s.backtracer().modules();
        try (ElfFile elf = ElfFile.open(ko)) {
            if (elf.type() != ElfFile.ET_REL) {
                throw new CommandException(ko + ": not a kernel module (ELF type " + elf.type() + ")");
            }
            Optional<String> why = km.mismatch(m, elf);
            if (why.isPresent()) {
                throw new CommandException(ko + " does not match the loaded " + m.name() + " module: " + why.get());
            }
        } catch (BadInputException e) {
            throw new CommandException(ko + ": not an ELF format object file");
        }
        s.moduleFiles().load(m.name(), ko);
    }

    private static long base(LoadedModule m) {
        return m.ranges().isEmpty() ? 0 : m.ranges().get(0).base();
    }

    private static long size(LoadedModule m) {
        return m.ranges().isEmpty() ? 0 : m.ranges().get(0).size();
    }

    private void list(List<LoadedModule> all, List<LoadedModule> shown, PrintWriter out) {
        int nameWidth = all.stream().mapToInt(m -> m.name().length()).max().orElse(4);
        int sizeWidth = all.stream().mapToInt(m -> Long.toString(size(m)).length()).max().orElse(4);
        out.println("     MODULE       " + pad("NAME", nameWidth) + "        BASE        "
                + String.format("%" + sizeWidth + "s", "SIZE") + "  OBJECT FILE");
        for (LoadedModule m : shown) {
            Optional<Path> ko = s.moduleFiles().find(m.name());
            String file = ko.map(p -> p + " ").orElse("(not loaded)" + (m.symbols().size() > 0 ? "  [CONFIG_KALLSYMS]" : ""));
            out.printf("%016x  %s  %016x  %" + sizeWidth + "d  %s%n", m.address(), pad(m.name(), nameWidth), base(m), size(m), file);
        }
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** Each tainted module's taint letters, from {@code module->taints} and the kernel's {@code taint_flags[]}. */
    private void taints(List<LoadedModule> mods, PrintWriter out) {
        Kernel k = s.kernel();
        List<LoadedModule> tainted = new ArrayList<>();
        List<Long> masks = new ArrayList<>();
        for (LoadedModule m : mods) {
            long t = k.object("struct module", m.address()).member("taints").u64();
            if (t != 0) {
                tainted.add(m);
                masks.add(t);
            }
        }
        if (tainted.isEmpty()) {
            out.println("no tainted modules");
            return;
        }
        long flags = k.requireSymbol("taint_flags");
        var flagType = k.type("struct taint_flag");
        long count = k.vmlinux().symbols().byName("taint_flags").map(sym -> sym.size() / flagType.size()).orElse(19L);
        int width = tainted.stream().mapToInt(m -> m.name().length()).max().orElse(4);
        out.println(pad("NAME", width) + "  TAINTS");
        for (int i = 0; i < tainted.size(); i++) {
            StringBuilder letters = new StringBuilder();
            for (int bit = 0; bit < count; bit++) {
                var f = k.object("struct taint_flag", flags + bit * flagType.size());
                if (f.member("module").u64() != 0 && (masks.get(i) & (1L << bit)) != 0) {
                    letters.append((char) f.member(flagType.field("c_true").isPresent() ? "c_true" : "true").u64());
                }
            }
            out.println(pad(tainted.get(i).name(), width) + "  " + letters);
        }
    }
}
