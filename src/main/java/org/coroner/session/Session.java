package org.coroner.session;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.coroner.arch.KernelAddressSpace;
import org.coroner.arch.arm64.Arm64AddressSpace;
import org.coroner.arch.arm64.unwind.Arm64Registers;
import org.coroner.arch.x86_64.X86_64AddressSpace;
import org.coroner.arch.x86_64.unwind.Registers;
import org.coroner.dump.CpuState;
import org.coroner.dump.Dump;
import org.coroner.dump.DumpFile;
import org.coroner.dump.VmcoreInfo;
import org.coroner.elf.ElfFile;
import org.coroner.io.BadInputException;
import org.coroner.kernel.Kernel;
import org.coroner.kernel.Tasks;
import org.coroner.kernel.stack.Backtracer;
import org.coroner.kernel.stack.CpuRegisters;
import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;

/**
 * One opened crash: the dump, the vmlinux that matches it, the kernel model on top, and the
 * shell's current context (crash's {@code set}). Everything heavier than the dump header and the
 * ELF section table is built on first use.
 */
public final class Session implements AutoCloseable {
    private final Path vmcorePath;
    private final Path vmlinuxPath;
    private final List<Path> moduleDirs;
    private final Dump dump;
    private final VmcoreInfo info;
    private final ElfFile vmlinux;
    private final KernelAddressSpace space;
    private final Kernel kernel;
    private Tasks tasks;
    private Backtracer backtracer;
    private DebugInfo debugInfo;
    private final ModuleFiles moduleFiles;
    private org.coroner.kernel.symbols.KernelSymbols symbols;
    private org.coroner.kernel.symbols.Globals globals;
    private Tasks.Task current;
    private org.coroner.kernel.mm.MemMap memMap;
    private org.coroner.kernel.mm.Slub slub;
    private org.coroner.kernel.mm.VmapAreas vmapAreas;
    private List<Path> sourceDirs = List.of();

    private Session(Path vmlinuxPath, Path vmcorePath, List<Path> moduleDirs, boolean force) {
        this.vmcorePath = vmcorePath;
        this.vmlinuxPath = vmlinuxPath;
        this.moduleDirs = List.copyOf(moduleDirs);
        this.moduleFiles = new ModuleFiles(moduleDirs);
        if (!Files.isRegularFile(vmcorePath)) {
            throw new BadInputException(vmcorePath, "no such file");
        }
        if (!Files.isRegularFile(vmlinuxPath)) {
            throw new BadInputException(vmlinuxPath, "no such file");
        }
        this.dump = DumpFile.open(vmcorePath);
        this.info = dump.vmcoreInfo().orElseThrow(
                () -> new BadInputException(vmcorePath, "has no VMCOREINFO: cannot tell which kernel it is"));
        this.vmlinux = ElfFile.open(vmlinuxPath);
        if (vmlinux.machine() != ElfFile.EM_X86_64 && vmlinux.machine() != ElfFile.EM_AARCH64) {
            throw new BadInputException(vmlinuxPath, "is a " + vmlinux.machineName()
                    + " kernel; vmcores of x86_64 and arm64 kernels are supported");
        }
        if (!dump.machine().equals(vmlinux.machineName())) {
            throw new BadInputException(vmlinuxPath, "is an " + vmlinux.machineName() + " kernel but "
                    + vmcorePath.getFileName() + " is a dump of an " + dump.machine() + " machine");
        }
        if (!force) {
            checkMatch();
        }
        this.space = isArm64() ? arm64Space() : X86_64AddressSpace.kernel(dump.memory(), info, dump.maxPfn() * dump.pageSize());
        VirtualMemory mem = (vaddr, dst, off, len) -> {
            try {
                space.read(vaddr, dst, off, len);
            } catch (org.coroner.dump.NotInDumpException e) {
                throw new FaultException(vaddr, e.getMessage(), FaultException.Kind.NOT_IN_DUMP);
            } catch (org.coroner.arch.x86_64.PageTableFault e) {
                throw new FaultException(vaddr, e.getMessage(), e.getMessage().contains(": cannot read ")
                        || outsideRam(vaddr) ? FaultException.Kind.NOT_IN_DUMP : FaultException.Kind.UNMAPPED);
            } catch (org.coroner.dump.FaultException e) {
                throw new FaultException(vaddr, e.getMessage());
            }
        };
        this.kernel = new Kernel(vmlinux, info.entries(), mem);
    }

    /**
     * A linear-map address whose page the dump does not hold (beyond RAM): crash calls reading it a
     * seek error, not an invalid address, since the linear map covers all physical memory.
     */
    private boolean outsideRam(long vaddr) {
        long base = linearMapBase();
        if (base == 0) {
            return false;
        }
        long phys = vaddr - base;
        if (Long.compareUnsigned(phys, linearMapSize) >= 0) {
            return false; // not in the linear map: it ends where vmalloc space begins
        }
        try {
            return !dump.memory().contains(phys);
        } catch (RuntimeException e) {
            return true;
        }
    }

    private volatile long linearMapBase = -1;
    private volatile long linearMapSize = 1L << 46;

    /** {@code page_offset_base}, the start of the linear map (0 when it cannot be read). */
    private long linearMapBase() {
        long b = linearMapBase;
        if (b == -1) {
            linearMapBase = 0; // a fault while reading these must not come back here
            try {
                b = kernel.memory().u64(kernel.requireSymbol("page_offset_base"));
                long vmalloc = kernel.memory().u64(kernel.requireSymbol("vmalloc_base"));
                if (Long.compareUnsigned(vmalloc, b) > 0) {
                    linearMapSize = Math.min(linearMapSize, vmalloc - b);
                }
            } catch (RuntimeException e) {
                b = b == -1 ? 0 : b;
            }
            linearMapBase = b;
        }
        return b;
    }

    /** The kernel image ({@code _text} to {@code _end}) is translated arithmetically, the rest walked. */
    private Arm64AddressSpace arm64Space() {
        long text = vmlinux.symbols().byName("_text").orElseThrow(
                () -> new BadInputException(vmlinuxPath, "has no _text symbol")).value();
        long end = vmlinux.symbols().byName("_end").map(org.coroner.elf.SymbolTable.Symbol::value).orElse(text + (128L << 20));
        return Arm64AddressSpace.kernel(dump.memory(), info, text, end - text);
    }

    /** The dump is of an arm64 kernel (else x86_64). */
    public boolean isArm64() {
        return vmlinux.machine() == ElfFile.EM_AARCH64;
    }

    /** Opens {@code vmcore} with {@code vmlinux}; refuses a vmlinux that does not match unless {@code force}. */
    public static Session open(Path vmlinux, Path vmcore, List<Path> moduleDirs, boolean force) {
        return new Session(vmlinux, vmcore, moduleDirs, force);
    }

    private void checkMatch() {
        Optional<String> dumpId = info.buildId();
        Optional<String> elfId = vmlinux.buildId();
        if (dumpId.isPresent() && elfId.isPresent()) {
            String d = dumpId.get().toLowerCase();
            String e = elfId.get().toLowerCase();
            // VMCOREINFO's BUILD-ID may be truncated to 20 bytes; compare the common prefix
            int n = Math.min(d.length(), e.length());
            if (n == 0 || !d.substring(0, n).equals(e.substring(0, n))) {
                throw new BadInputException(vmlinuxPath, "does not match " + vmcorePath.getFileName()
                        + ": build-id " + e + " but the dump's kernel has " + d + " (use --force to open anyway)");
            }
            return;
        }
        String release = info.osRelease().orElse(null);
        if (release != null && !vmlinuxHasRelease(release)) {
            throw new BadInputException(vmlinuxPath, "does not match " + vmcorePath.getFileName()
                    + ": the dump's kernel is " + release + " and this vmlinux's linux_banner does not name it"
                    + " (use --force to open anyway)");
        }
    }

    private boolean vmlinuxHasRelease(String release) {
        var sym = vmlinux.symbols().byName("linux_banner");
        if (sym.isEmpty()) {
            return true; // nothing to compare against
        }
        long addr = sym.get().value();
        for (ElfFile.Section s : vmlinux.sections()) {
            if (s.type() == ElfFile.SHT_PROGBITS && s.isAlloc() && s.contains(addr)) {
                String text = vmlinux.data(s).cstring(addr - s.addr());
                return text.contains(" " + release + " ");
            }
        }
        return true;
    }

    public Path vmcorePath() {
        return vmcorePath;
    }

    public Path vmlinuxPath() {
        return vmlinuxPath;
    }

    public List<Path> moduleDirs() {
        return moduleDirs;
    }

    /** Directories searched for source files ({@code dis -s}, {@code --source}). */
    public List<Path> sourceDirs() {
        return sourceDirs;
    }

    public void sourceDirs(List<Path> dirs) {
        sourceDirs = List.copyOf(dirs);
    }

    public Dump dump() {
        return dump;
    }

    public VmcoreInfo vmcoreInfo() {
        return info;
    }

    /** The kernel's address space: {@code X86_64AddressSpace} or {@code Arm64AddressSpace}. */
    public KernelAddressSpace addressSpace() {
        return space;
    }

    public Kernel kernel() {
        return kernel;
    }

    public synchronized Tasks tasks() {
        if (tasks == null) {
            tasks = new Tasks(kernel);
        }
        return tasks;
    }

    /** The kernel's {@code struct page} array: pfns, pages, the direct map, memory sections. */
    public synchronized org.coroner.kernel.mm.MemMap memMap() {
        if (memMap == null) {
            memMap = new org.coroner.kernel.mm.MemMap(kernel);
        }
        return memMap;
    }

    /**
     * The SLUB allocator: caches, slabs, and for any address its object and whether it is
     * allocated or free ({@link org.coroner.kernel.mm.Slub#objectAt(long)}). Throws
     * IllegalStateException for a kernel that does not use SLUB (check
     * {@link org.coroner.kernel.mm.Slub#present}).
     */
    public synchronized org.coroner.kernel.mm.Slub slub() {
        if (slub == null) {
            slub = new org.coroner.kernel.mm.Slub(kernel, memMap());
        }
        return slub;
    }

    /**
     * A task's user address space: its {@code mm->pgd} walked like a CR3 (the kernel half is
     * shared). Empty for kernel threads and exited tasks, and on arm64 ({@link #userAddressSpace} has both).
     */
    public Optional<X86_64AddressSpace> userSpace(Tasks.Task t) {
        return space instanceof X86_64AddressSpace x86 ? userPgd(t).map(pgd -> x86.withTopTable(pgd)) : Optional.empty();
    }

    /**
     * A task's user address space on either architecture: x86_64's {@link #userSpace}, arm64's
     * {@code mm->pgd} walked as TTBR0. Empty for kernel threads and exited tasks.
     */
    public Optional<KernelAddressSpace> userAddressSpace(Tasks.Task t) {
        if (space instanceof Arm64AddressSpace arm64) {
            return userPgd(t).map(arm64::user);
        }
        return userSpace(t).map(us -> us);
    }

    /** The physical address of the task's top user page table ({@code mm->pgd}); empty without an mm. */
    private Optional<Long> userPgd(Tasks.Task t) {
        long mm = t.task().member("mm").u64();
        if (mm == 0) {
            return Optional.empty();
        }
        long pgd = kernel.object("struct mm_struct", mm).member("pgd").u64();
        try {
            return Optional.of(space.toPhysical(pgd));
        } catch (org.coroner.dump.FaultException e) {
            throw new FaultException(pgd, e.getMessage());
        }
    }

    /** Reads of a task's user memory, faults named as for kernel memory. */
    public Optional<VirtualMemory> userMemory(Tasks.Task t) {
        return userAddressSpace(t).map(us -> (vaddr, dst, off, len) -> {
            try {
                us.read(vaddr, dst, off, len);
            } catch (org.coroner.dump.FaultException e) {
                throw new FaultException(vaddr, e.getMessage());
            }
        });
    }

    /** The vmalloc areas ({@code vmap_area_list}). */
    public synchronized org.coroner.kernel.mm.VmapAreas vmapAreas() {
        if (vmapAreas == null) {
            vmapAreas = new org.coroner.kernel.mm.VmapAreas(kernel);
        }
        return vmapAreas;
    }

    /** Registers of each CPU at the crash, from the dump's CPU notes (x86_64). */
    public CpuRegisters cpuRegisters() {
        List<CpuState> cpus = dump.cpus();
        return cpu -> cpu >= 0 && cpu < cpus.size() ? Registers.fromNames(cpus.get(cpu).registers()) : Optional.empty();
    }

    public synchronized Backtracer backtracer() {
        if (backtracer == null) {
            List<CpuState> cpus = dump.cpus();
            backtracer = isArm64()
                    ? Backtracer.arm64(kernel, tasks(), cpu -> cpu >= 0 && cpu < cpus.size()
                            ? Arm64Registers.fromNames(cpus.get(cpu).registers()) : Optional.empty())
                    : new Backtracer(kernel, tasks(), cpuRegisters());
            backtracer.modules().moduleFiles(moduleFiles::find);
        }
        return backtracer;
    }

    public ModuleFiles moduleFiles() {
        return moduleFiles;
    }

    /** Source lines and inline chains of run-time addresses (vmlinux DWARF, module .ko files). */
    public synchronized DebugInfo debugInfo() {
        if (debugInfo == null) {
            debugInfo = new DebugInfo(kernel, backtracer().modules(), moduleFiles);
        }
        return debugInfo;
    }

    /** Every symbol of the kernel and its modules at run-time addresses (built on first use). */
    public synchronized org.coroner.kernel.symbols.KernelSymbols symbols() {
        if (symbols == null) {
            symbols = new org.coroner.kernel.symbols.KernelSymbols(kernel, backtracer().modules());
        }
        return symbols;
    }

    /**
     * Types by name and typed globals of vmlinux and modules, from BTF and DWARF (vmlinux DWARF's
     * name index is cached under {@link #cacheDir()}).
     */
    public synchronized org.coroner.kernel.symbols.Globals globals() {
        if (globals == null) {
            globals = new org.coroner.kernel.symbols.Globals(kernel, symbols(), moduleFiles::find, cacheDir());
        }
        return globals;
    }

    /** Coroner's cache directory: {@code $CORONER_CACHE}, else {@code ~/.cache/coroner}. */
    public static Path cacheDir() {
        String c = System.getenv("CORONER_CACHE");
        return c != null && !c.isEmpty() ? Path.of(c) : Path.of(System.getProperty("user.home"), ".cache", "coroner");
    }

    /** The shell's current task: set by {@code set}, the panic task (or CPU 0's task) at start. */
    public synchronized Optional<Tasks.Task> current() {
        if (current == null) {
            current = backtracer().panicTask().orElse(null);
        }
        return Optional.ofNullable(current);
    }

    public synchronized void setCurrent(Tasks.Task t) {
        current = t;
    }

    private volatile int outputRadix = 10;

    /** The shell's output radix for values printed as gdb prints them ({@code set radix}, {@code hex}, {@code dec}): 10 or 16. */
    public int outputRadix() {
        return outputRadix;
    }

    public void outputRadix(int radix) {
        if (radix != 10 && radix != 16) {
            throw new IllegalArgumentException("output radix " + radix);
        }
        outputRadix = radix;
    }

    @Override
    public void close() throws Exception {
        dump.close();
        vmlinux.close();
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
