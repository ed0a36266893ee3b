package org.coroner.oops.decode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the lines of one crash report (line prefixes such as timestamps already removed) into a
 * {@link DecodedOops}. One pass over the lines; each line is offered to the matchers of the block
 * it can belong to. A line nothing recognises is skipped, a malformed one decodes as far as it
 * goes: the decoder never throws on its input.
 */
public final class OopsDecoder {

    // --- identity and state lines
    private static final Pattern CPU_LINE = Pattern.compile(
            "^CPU: (\\d+) (?:UID: (\\d+) )?PID: (\\d+) Comm: (.+?) (Not tainted|Tainted: ([A-Z ]*?))(?:\\s+(\\d\\S*)(?:\\s+(#.*))?)?$");
    private static final Pattern CPU_LINE_LOOSE = Pattern.compile("^CPU: (\\d+) (?:UID: (\\d+) )?PID: (\\d+) Comm: (\\S+)");
    private static final Pattern OLD_PID_LINE = Pattern.compile(
            "^Pid: (\\d+), comm:\\s*(\\S+)(?:\\s+(Not tainted|Tainted: ([A-Z ]*?))\\s*(?:\\((\\S+)(?:\\s+(#[^)]*))?\\))?\\s*(.*))?$");
    private static final Pattern TAINT_LINE = Pattern.compile("^(Not tainted|Tainted: ([A-Z ]*?))(?:\\s+(\\d\\S*)(?:\\s+(#.*))?)?$");
    private static final Pattern TAINT_VERBOSE = Pattern.compile("^Tainted: (\\[[A-Z]\\]=\\w+(?:, \\[[A-Z]\\]=\\w+)*)$");
    private static final Pattern CPU_ALONE = Pattern.compile("^CPU:\\s+(\\d+)$");
    private static final Pattern PROCESS_LINE = Pattern.compile("^Process (\\S+) \\(pid: (\\d+)");
    private static final Pattern HUNG_TASK = Pattern.compile("^INFO: task (.+):(\\d+) blocked for more than");
    private static final Pattern TASK_LINE = Pattern.compile("^task:(\\S+)\\s+state:\\S+.*?\\bpid:\\s*(\\d+)");
    private static final Pattern WARNING_LINE = Pattern.compile("^WARNING: CPU: (\\d+) PID: (\\d+) at ");
    private static final Pattern SOFT_LOCKUP = Pattern.compile("soft lockup - CPU#(\\d+) stuck for \\d+s! \\[(.+):(\\d+)\\]");
    private static final Pattern HARDWARE = Pattern.compile("^Hardware name: (.*)$");

    // --- what went wrong
    private static final Pattern DIE_LINE = Pattern.compile("^(.*?):\\s*([0-9a-fA-F]{4}|[0-9a-fA-F]{8}|[0-9a-fA-F]{16})\\s+\\[#(\\d+)\\]\\s*(.*)$");
    private static final Pattern PF_ACCESS = Pattern.compile("^#PF: ((?:user|supervisor) .+ in (user|kernel) mode)$");
    private static final Pattern PF_CODE = Pattern.compile("^#PF: error_code\\((0x[0-9a-fA-F]+)\\)(?: - (.*))?$");
    private static final List<Pattern> ADDRESS_LINES = List.of(
            Pattern.compile("BUG: kernel NULL pointer dereference, address: ([0-9a-fA-F]+)"),
            Pattern.compile("BUG: unable to handle page fault for address: ([0-9a-fA-F]+)"),
            Pattern.compile("BUG: unable to handle kernel (?:NULL pointer dereference|paging request) at (?:virtual address )?([0-9a-fA-F]+|\\(null\\))"),
            Pattern.compile("Unable to handle kernel .*? at virtual address ([0-9a-fA-F]+)"),
            Pattern.compile("[Nn]ull pointer deref(?:erence)? at virtu?al add?d?ress ([0-9a-fA-F]+)"));
    private static final Pattern GPF_HINT = Pattern.compile("general protection fault, (?:probably for non-canonical|maybe for) address (0x[0-9a-fA-F]+)");
    private static final Pattern KASAN_ACCESS = Pattern.compile("^(?:Read|Write) of size \\d+ at addr ([0-9a-fA-F]+)|^BUG: KASAN: .* at addr ([0-9a-fA-F]+)");
    private static final Pattern FAR = Pattern.compile("\\bFAR\\s*[=:]\\s*(?:0x)?([0-9a-fA-F]{8,16})\\b");
    private static final Pattern FAULT_LINE = Pattern.compile(
            "^(?:BUG: |Unable to handle kernel |general protection fault|kernel BUG at |PANIC: |Kernel panic - not syncing|"
                    + "INFO: |WARNING: |divide error|invalid opcode|stack segment|double fault|Internal error|"
                    + "UBSAN: |KASAN: |kernel tried to execute|unchecked MSR|.*?soft lockup - |Watchdog detected hard LOCKUP|"
                    + "[Nn]ull pointer deref|list_(?:add|del) corruption)");
    private static final Pattern PANIC = Pattern.compile("^Kernel panic - not syncing: ?(.*?)\\s*$");
    private static final Pattern END_TRACE = Pattern.compile("^---\\[ end trace ([0-9a-fA-F]+) ?\\]---");

    // --- arm64 abort details
    private static final Pattern ESR_LINE = Pattern.compile("^ESR = 0x([0-9a-fA-F]+)");
    private static final Pattern ESR_IN_DIE = Pattern.compile("^Internal error: [^:]*?(?:: )?([0-9a-fA-F]{8,16}) \\[#\\d+\\]");
    private static final Pattern ABORT_FIELD = Pattern.compile("\\b(EC|IL|SET|FnV|EA|S1PTW|FSC|DFSC|IFSC|ISV|ISS|ISS2|CM|WnR|TnD|TagAccess) = (0x[0-9a-fA-F]+|\\d+)");
    private static final Pattern PGTABLE_INFO = Pattern.compile("^(?:user|swapper) pgtable: (\\d+)k pages, (\\d+)-bit VAs");
    private static final Pattern PAGE_WALK = Pattern.compile("^(?:PGD [0-9a-f]+ |\\*pde = |\\*pdpt = |\\[[0-9a-f]{8,16}\\] (?:pgd|\\*pgd)=)");

    // --- registers
    private static final Pattern X86_IP = Pattern.compile("^(RIP|EIP):\\s*(?:([0-9a-fA-F]{4}):)?(.*)$");
    private static final Pattern EIP_IS_AT = Pattern.compile("^EIP is at (.*)$");
    private static final Pattern OLD_IP = Pattern.compile("^IP:\\s*(.*)$");
    private static final Pattern ARM_PC = Pattern.compile("^(pc|lr)\\s*:\\s*(.*)$");
    private static final Pattern PSTATE = Pattern.compile("^pstate:\\s*([0-9a-fA-F]+)\\s*(?:\\((.*)\\))?");
    private static final Pattern REG_TOKEN = Pattern.compile(
            "([A-Za-z][A-Za-z0-9_]*)\\s*:\\s*(?:([0-9a-fA-F]{4}):(?=[0-9a-fA-F]))?([0-9a-fA-F]+)(?:\\(([0-9a-fA-F]{4})\\))?");
    private static final Set<String> X86_REG_LEADERS = Set.of(
            "RSP", "RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "R08", "R09", "R10", "R11", "R12", "R13", "R14", "R15",
            "FS", "GS", "CS", "DS", "ES", "SS", "CR0", "CR2", "CR3", "CR4", "DR0", "DR1", "DR2", "DR3", "DR6", "DR7", "PKRU",
            "EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "EBP", "ESP", "EFLAGS", "ORIG_RAX");
    private static final Pattern ARM_REG_LEADER = Pattern.compile("^(x\\d{1,2}|sp)\\s*:\\s*[0-9a-fA-F]");
    private static final Pattern CODE = Pattern.compile("^Code:\\s*(.*)$");

    // --- trace, modules, offset
    private static final Pattern CALL_TRACE = Pattern.compile("^Call [Tt]race:\\s*(.*)$");
    private static final Pattern SECTION = Pattern.compile("^<(/?)(#?[A-Za-z][A-Za-z0-9_]*)>\\s*(.*)$");
    private static final Pattern FRAME = Pattern.compile(
            "^(\\?\\s+)?(?:\\[<([0-9a-fA-F]+)>\\]\\s*)?(\\?\\s+)?" + Location.SYMBOL.pattern()
                    + "(?:\\s+((?:[\\w.+-]+/)*[\\w.+-]+\\.[A-Za-z]+):(\\d+)(?::\\d+)?)?(\\s+\\[inline\\])?(?:\\s.*)?$");
    private static final Pattern FRAME_SOURCE_ONLY = Pattern.compile(
            "^(\\?\\s+)?([A-Za-z_.$][\\w.$]*)\\s+((?:[\\w.+-]+/)*[\\w.+-]+\\.[A-Za-z]+):(\\d+)(?::\\d+)?(\\s+\\[inline\\])?$");
    private static final Pattern FRAME_BARE = Pattern.compile("^(\\?\\s+)?(?:\\[<([0-9a-fA-F]+)>\\]|0x([0-9a-fA-F]+))(?:\\s+(\\?\\s+)?0x[0-9a-fA-F]+)?$");
    private static final Pattern MODULES = Pattern.compile("^Modules linked in:\\s*(.*)$");
    private static final Pattern MODULE_TOKEN = Pattern.compile("([\\w-]+)(?:\\(([A-Z+\\-]+)\\))?");
    private static final Pattern LAST_UNLOADED = Pattern.compile("\\[last unloaded: ([\\w-]+)(?:\\([A-Z+\\-]*\\))?\\]");
    private static final Pattern KERNEL_OFFSET = Pattern.compile(
            "^Kernel Offset: (?:(disabled)|0x([0-9a-fA-F]+) from 0x([0-9a-fA-F]+)(?: \\(relocation range: 0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+)\\))?)");
    private static final Pattern CR2_ALONE = Pattern.compile("^CR2: ([0-9a-fA-F]+)$");

    private final List<String> lines;

    private Arch arch;
    private Integer cpu, pid, uid;
    private String comm, release, build, hardware, fault;
    private OopsHeader oops;
    private Taint taint;
    private Long address;
    private String addressSource;
    private String pfAccess, pfCause;
    private Long pfCode;
    private Long esrValue;
    private final Map<String, String> printedAbort = new LinkedHashMap<>();
    private Integer vaBits, pageShift;
    private Location oldIp;
    private RegisterSet registers, userRegisters;
    private CodeBytes code, userCode;
    private Regs cur;
    private List<Frame> frames = List.of();
    private List<Frame> collecting;
    private boolean inTrace, traceDone;
    private String section;
    private List<LinkedModule> modules;
    private String lastUnloaded;
    private KernelOffset kernelOffset;
    private Long relocationEnd;
    private Long cr2;
    private String pageTableWalk, endTrace, panic;

    private OopsDecoder(List<String> lines) {
        this.lines = lines == null ? List.of() : lines;
    }

    /** Decodes one report. Never throws; what the lines do not say stays null. */
    public static DecodedOops decode(List<String> lines) {
        return new OopsDecoder(lines).run();
    }

    private DecodedOops run() {
        arch = ArchDetector.detect(lines);
        for (String raw : lines) {
            if (raw == null) {
                continue;
            }
            String t = clean(raw);
            if (t.isEmpty()) {
                continue;
            }
            try {
                line(t);
            } catch (RuntimeException e) {
                // a line that breaks a matcher's assumptions is skipped: the rest of the report still decodes
            }
        }
        finishRegs();
        endTrace();
        return build();
    }

    /** Strips control characters and surrounding blanks; tabs count as blanks. */
    private static String clean(String raw) {
        StringBuilder b = null;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x20 && c != '\t') {
                if (b == null) {
                    b = new StringBuilder(raw.length());
                    b.append(raw, 0, i);
                }
                continue;
            }
            if (b != null) {
                b.append(c);
            }
        }
        return (b == null ? raw : b.toString()).strip();
    }

    private void line(String t) {
        if (inTrace && traceLine(t)) {
            return;
        }
        Matcher m;
        if ((m = CALL_TRACE.matcher(t)).matches()) {
            startTrace();
            if (!m.group(1).isEmpty()) {
                traceLine(m.group(1));
            }
            return;
        }
        if (registerLine(t)) {
            return;
        }
        if ((m = CODE.matcher(t)).matches()) {
            CodeBytes c = CodeBytes.parse(m.group(1));
            if (cur != null && cur.code == null) {
                cur.code = c;
            } else if (cur == null && code == null) {
                code = c;
            }
            return;
        }
        if (fault == null && FAULT_LINE.matcher(t).lookingAt()) {
            fault = t;
        }
        identity(t);
        faultFacts(t);
        trailer(t);
    }

    // ------------------------------------------------------------------ identity

    private void identity(String t) {
        Matcher m;
        if ((m = CPU_LINE.matcher(t)).matches()) {
            boolean sameTask = pid == null || pid == Integer.parseInt(m.group(3));
            if (cpu == null && sameTask) {
                cpu = Integer.parseInt(m.group(1));
            }
            if (uid == null && m.group(2) != null && sameTask) {
                uid = Integer.parseInt(m.group(2));
            }
            setTask(m.group(4).strip(), m.group(3));
            setTaint(m.group(5), m.group(6));
            setRelease(m.group(7), m.group(8));
        } else if ((m = CPU_LINE_LOOSE.matcher(t)).lookingAt()) {
            if (cpu == null) {
                cpu = Integer.parseInt(m.group(1));
            }
            setTask(m.group(4), m.group(3));
        } else if ((m = OLD_PID_LINE.matcher(t)).matches()) {
            setTask(m.group(2), m.group(1));
            if (m.group(3) != null) {
                setTaint(m.group(3), m.group(4));
            }
            setRelease(m.group(5), m.group(6));
            if (hardware == null && m.group(7) != null && !m.group(7).isBlank()) {
                hardware = m.group(7).strip();
            }
        } else if ((m = TAINT_LINE.matcher(t)).matches()) {
            setTaint(m.group(1), m.group(2));
            setRelease(m.group(3), m.group(4));
        } else if ((m = TAINT_VERBOSE.matcher(t)).matches()) {
            if (taint == null) {
                taint = Taint.parse(m.group(1));
            }
        } else if ((m = CPU_ALONE.matcher(t)).matches()) {
            if (cpu == null) {
                cpu = Integer.parseInt(m.group(1));
            }
        } else if ((m = PROCESS_LINE.matcher(t)).lookingAt()) {
            setTask(m.group(1), m.group(2));
        } else if ((m = HUNG_TASK.matcher(t)).lookingAt()) {
            setTask(m.group(1), m.group(2));
        } else if ((m = TASK_LINE.matcher(t)).lookingAt()) {
            setTask(m.group(1), m.group(2));
        } else if ((m = WARNING_LINE.matcher(t)).lookingAt()) {
            if (cpu == null) {
                cpu = Integer.parseInt(m.group(1));
            }
            if (pid == null) {
                pid = Integer.parseInt(m.group(2));
            }
        } else if ((m = HARDWARE.matcher(t)).matches()) {
            if (hardware == null) {
                hardware = m.group(1).strip();
            }
        } else if ((m = SOFT_LOCKUP.matcher(t)).find()) {
            if (cpu == null) {
                cpu = Integer.parseInt(m.group(1));
            }
            setTask(m.group(2), m.group(3));
        }
    }

    private void setTask(String name, String pidText) {
        if (pid == null && pidText != null) {
            pid = Integer.parseInt(pidText);
            if (comm == null) {
                comm = name;
            }
        } else if (comm == null && pid != null && pidText != null && pid == Integer.parseInt(pidText)) {
            comm = name;
        }
    }

    private void setTaint(String whole, String letters) {
        if (taint != null || whole == null) {
            return;
        }
        taint = whole.startsWith("Not") ? Taint.NOT_TAINTED : Taint.parse(letters == null ? "" : letters);
    }

    private void setRelease(String rel, String bld) {
        if (release == null && rel != null) {
            release = rel;
            build = bld == null ? null : bld.strip();
        }
    }

    // ------------------------------------------------------------------ fault facts

    private void faultFacts(String t) {
        Matcher m;
        if (address == null) {
            for (Pattern p : ADDRESS_LINES) {
                if ((m = p.matcher(t)).find()) {
                    String a = m.group(1);
                    address = a.startsWith("(") ? Long.valueOf(0) : Hex.parse(a);
                    addressSource = t.startsWith("Unable to handle") ? "arm64 abort" : "BUG line";
                    break;
                }
            }
        }
        if (address == null && (m = GPF_HINT.matcher(t)).find()) {
            address = Hex.parse(m.group(1));
            addressSource = "GPF hint";
        }
        if (address == null && (m = KASAN_ACCESS.matcher(t)).lookingAt()) {
            address = Hex.parse(m.group(1) != null ? m.group(1) : m.group(2));
            addressSource = "KASAN";
        }
        if ((m = PF_ACCESS.matcher(t)).matches()) {
            if (pfAccess == null) {
                pfAccess = m.group(1);
            }
            return;
        }
        if ((m = PF_CODE.matcher(t)).matches()) {
            if (pfCode == null) {
                pfCode = Hex.parse(m.group(1));
                pfCause = m.group(2);
            }
            return;
        }
        if (oops == null && (m = DIE_LINE.matcher(t)).matches() && !t.startsWith("CPU:")) {
            List<String> flags = m.group(4).isBlank() ? List.of() : List.of(m.group(4).strip().split("\\s+"));
            oops = new OopsHeader(m.group(1).strip(), m.group(2), Integer.valueOf(m.group(3)), flags);
        }
        if (esrValue == null && (m = ESR_LINE.matcher(t)).lookingAt()) {
            esrValue = Hex.parse(m.group(1));
        }
        if (esrValue == null && arch == Arch.ARM64 && (m = ESR_IN_DIE.matcher(t)).lookingAt()) {
            esrValue = Hex.parse(m.group(1));
        }
        if (arch == Arch.ARM64 || esrValue != null) {
            m = ABORT_FIELD.matcher(t);
            while (m.find()) {
                printedAbort.putIfAbsent(m.group(1), m.group(2));
            }
        }
        if (vaBits == null && (m = PGTABLE_INFO.matcher(t)).lookingAt()) {
            int kb = Integer.parseInt(m.group(1));
            pageShift = Integer.numberOfTrailingZeros(kb * 1024);
            vaBits = Integer.parseInt(m.group(2));
        }
        if (pageTableWalk == null && PAGE_WALK.matcher(t).lookingAt()) {
            pageTableWalk = t;
        }
        if (address == null && (m = FAR.matcher(t)).find()) {
            address = Hex.parse(m.group(1));
            addressSource = "FAR";
        }
    }

    // ------------------------------------------------------------------ trailer lines

    private void trailer(String t) {
        Matcher m;
        if ((m = MODULES.matcher(t)).matches()) {
            if (modules == null) {
                String list = m.group(1);
                Matcher lu = LAST_UNLOADED.matcher(list);
                if (lu.find()) {
                    lastUnloaded = lu.group(1);
                    list = list.substring(0, lu.start());
                }
                List<LinkedModule> mods = new ArrayList<>();
                for (String tok : list.strip().split("\\s+")) {
                    Matcher mt = MODULE_TOKEN.matcher(tok);
                    if (!tok.isEmpty() && mt.matches()) {
                        mods.add(LinkedModule.of(mt.group(1), mt.group(2)));
                    }
                }
                modules = List.copyOf(mods);
            }
        } else if ((m = KERNEL_OFFSET.matcher(t)).lookingAt()) {
            if (kernelOffset == null) {
                kernelOffset = m.group(1) != null ? new KernelOffset(null, null, true)
                        : new KernelOffset(Hex.parse(m.group(2)), Hex.parse(m.group(3)), false);
                if (m.group(5) != null) {
                    relocationEnd = Hex.parse(m.group(5));
                }
            }
        } else if ((m = END_TRACE.matcher(t)).lookingAt()) {
            if (endTrace == null) {
                endTrace = m.group(1);
            }
        } else if ((m = PANIC.matcher(t)).matches()) {
            if (panic == null) {
                panic = m.group(1);
            }
        }
    }

    // ------------------------------------------------------------------ registers

    /** Register dump lines; true when the line was one. */
    private boolean registerLine(String t) {
        Matcher m;
        if ((m = CR2_ALONE.matcher(t)).matches()) {
            // the lone "CR2:" line printed after the modules: same value as in the dump, not a new dump
            if (cr2 == null) {
                cr2 = Hex.parse(m.group(1));
            }
            return true;
        }
        if ((m = X86_IP.matcher(t)).matches()) {
            newRegs();
            String rest = m.group(3);
            if (m.group(2) != null) {
                cur.values.put("CS", Hex.parse(m.group(2)));
            }
            cur.ip = Location.parse(rest);
            Matcher tok = REG_TOKEN.matcher(rest);
            while (tok.find()) {
                String name = tok.group(1);
                if (name.equals("EFLAGS")) {
                    cur.values.put(name, Hex.parse(tok.group(3)));
                } else if (name.equals("CPU") && cpu == null) {
                    cpu = Integer.valueOf(tok.group(3));
                }
            }
            return true;
        }
        if ((m = EIP_IS_AT.matcher(t)).matches()) {
            if (cur != null) {
                Location at = Location.parse(m.group(1));
                cur.ip = cur.ip == null ? at : cur.ip.withFunction(at);
            }
            return true;
        }
        if ((m = OLD_IP.matcher(t)).matches()) {
            if (oldIp == null) {
                oldIp = Location.parse(m.group(1));
            }
            return true;
        }
        if ((m = PSTATE.matcher(t)).lookingAt()) {
            if (cur == null || cur.values.containsKey("pstate") || cur.ip != null) {
                newRegs();
            }
            cur.values.put("pstate", Hex.parse(m.group(1)));
            cur.flagsText = m.group(2);
            return true;
        }
        if ((m = ARM_PC.matcher(t)).matches()) {
            boolean pc = m.group(1).equals("pc");
            if (cur == null || (pc && cur.ip != null) || (!pc && cur.lr != null)) {
                newRegs();
            }
            Location loc = Location.parse(m.group(2));
            if (pc) {
                cur.ip = loc;
            } else {
                cur.lr = loc;
            }
            return true;
        }
        String lead = leader(t);
        boolean x86 = lead != null && X86_REG_LEADERS.contains(lead.toUpperCase(Locale.ROOT))
                && (lead.equals(lead.toUpperCase(Locale.ROOT)) || lead.equals(lead.toLowerCase(Locale.ROOT)));
        boolean arm = !x86 && ARM_REG_LEADER.matcher(t).lookingAt();
        if (!x86 && !arm) {
            return false;
        }
        Matcher tok = REG_TOKEN.matcher(t);
        boolean any = false;
        while (tok.find()) {
            String name = tok.group(1);
            if (x86 && name.equals(name.toLowerCase(Locale.ROOT))) {
                name = name.toUpperCase(Locale.ROOT);
            }
            Long v = Hex.parse(tok.group(3));
            if (v == null) {
                continue;
            }
            if (cur == null || splits(cur, name, v)) {
                newRegs();
            }
            if (tok.group(2) != null) {
                // "RSP: 0018:ffff..." carries the stack segment, as RIP carries CS
                String seg = name.equals("RSP") || name.equals("ESP") ? "SS" : name + "_SEG";
                cur.values.putIfAbsent(seg, Hex.parse(tok.group(2)));
            }
            cur.values.put(name, v);
            if (tok.group(4) != null) {
                cur.values.put(name + "_SEL", Hex.parse(tok.group(4)));
            }
            any = true;
        }
        return any;
    }

    /**
     * A register seen twice means a new dump began without an IP line. "CS" is both in the RIP
     * line's segment and on its own line, so an equal value is no evidence.
     */
    private static boolean splits(Regs r, String name, long v) {
        Long old = r.values.get(name);
        return old != null && (old != v || name.equals("RAX") || name.equals("EAX") || name.equals("x0"));
    }

    private static String leader(String t) {
        int colon = t.indexOf(':');
        if (colon <= 0 || colon > 9) {
            return null;
        }
        return t.substring(0, colon).strip();
    }

    private void newRegs() {
        finishRegs();
        cur = new Regs();
    }

    private void finishRegs() {
        if (cur == null) {
            return;
        }
        Regs r = cur;
        cur = null;
        if (r.values.isEmpty() && r.ip == null && r.lr == null) {
            if (r.code != null && code == null) {
                code = r.code;
            }
            return;
        }
        boolean user = r.isUser(arch);
        RegisterSet set = new RegisterSet(user, r.ip, r.lr, java.util.Collections.unmodifiableMap(r.values), r.flagsText);
        if (user) {
            if (userRegisters == null) {
                userRegisters = set;
                userCode = r.code;
            }
        } else if (registers == null) {
            registers = set;
            if (r.code != null) {
                code = r.code;
            }
        }
    }

    /** A register dump being read. */
    private static final class Regs {
        Location ip, lr;
        final Map<String, Long> values = new LinkedHashMap<>();
        String flagsText;
        CodeBytes code;

        boolean isUser(Arch arch) {
            Long cs = values.get("CS");
            if (cs != null && (arch == Arch.X86_64 || arch == Arch.I386 || arch == null)) {
                return (cs & 3) == 3;
            }
            Long ss = values.get("SS");
            if (ss != null && (values.containsKey("RSP") || values.containsKey("ESP"))) {
                // i386 prints no CS; a user-mode pt_regs has the user stack segment (RPL 3) in SS
                return (ss & 3) == 3;
            }
            Long pstate = values.get("pstate");
            if (pstate != null) {
                // M[4] set: AArch32 (a compat task at EL0); M[3:0] == 0: EL0t
                return (pstate & 0x10) != 0 || (pstate & 0xf) == 0;
            }
            return false;
        }
    }

    // ------------------------------------------------------------------ call trace

    private void startTrace() {
        endTrace();
        inTrace = true;
        section = null;
        if (!traceDone) {
            collecting = new ArrayList<>();
        }
    }

    private void endTrace() {
        if (collecting != null && !collecting.isEmpty() && !traceDone) {
            frames = List.copyOf(collecting);
            traceDone = true;
        }
        collecting = null;
        inTrace = false;
    }

    /** A line inside a Call Trace: true when it belonged to the trace. */
    private boolean traceLine(String t) {
        Matcher m = SECTION.matcher(t);
        if (m.matches()) {
            String name = m.group(2);
            if (!m.group(1).isEmpty() || name.equals("EOI") || name.equals("EOE")) {
                section = null;
            } else {
                section = name;
            }
            String rest = m.group(3);
            if (!rest.isEmpty()) {
                Frame f = frame(rest);
                if (f != null && collecting != null) {
                    collecting.add(f);
                }
            }
            return true;
        }
        Frame f = frame(t);
        if (f != null) {
            if (collecting != null) {
                collecting.add(f);
            }
            return true;
        }
        if (CALL_TRACE.matcher(t).matches()) {
            return false;
        }
        // register dumps and Code: lines sit inside traces (pt_regs of an interrupted or user context)
        if (X86_IP.matcher(t).matches() || CODE.matcher(t).matches() || PSTATE.matcher(t).lookingAt()
                || ARM_PC.matcher(t).matches() || CR2_ALONE.matcher(t).matches()) {
            return false;
        }
        String lead = leader(t);
        if (lead != null && X86_REG_LEADERS.contains(lead.toUpperCase(Locale.ROOT))) {
            return false;
        }
        if (ARM_REG_LEADER.matcher(t).lookingAt()) {
            return false;
        }
        if (collecting != null && collecting.isEmpty()) {
            // "Call Trace:" with nothing after it (an unwinder that gave up): keep looking for frames in a later trace
            collecting = null;
            inTrace = false;
            return false;
        }
        endTrace();
        return false;
    }

    private Frame frame(String t) {
        Matcher m = FRAME.matcher(t);
        if (m.matches()) {
            boolean unreliable = m.group(1) != null || m.group(3) != null;
            return new Frame(m.group(4), Hex.parse(m.group(5)), Hex.parse(m.group(6)), m.group(7), m.group(8), !unreliable,
                    section, Hex.parse(m.group(2)), m.group(9), m.group(10) == null ? null : Integer.valueOf(m.group(10)),
                    m.group(11) != null ? Boolean.TRUE : null);
        }
        if ((m = FRAME_SOURCE_ONLY.matcher(t)).matches()) {
            return new Frame(m.group(2), null, null, null, null, m.group(1) == null, section, null, m.group(3),
                    Integer.valueOf(m.group(4)), m.group(5) != null ? Boolean.TRUE : null);
        }
        if ((m = FRAME_BARE.matcher(t)).matches()) {
            String hex = m.group(2) != null ? m.group(2) : m.group(3);
            return new Frame(null, null, null, null, null, m.group(1) == null && m.group(4) == null, section,
                    Hex.parse(hex), null, null, null);
        }
        return null;
    }

    // ------------------------------------------------------------------ assembly

    private DecodedOops build() {
        PageFaultErrorCode errorCode = null;
        if (pfCode != null) {
            boolean userMode = pfAccess != null && pfAccess.endsWith("in user mode");
            errorCode = PageFaultErrorCode.decode(pfCode, "#PF", userMode, pfAccess, pfCause);
        } else if (oops != null && (arch == Arch.X86_64 || arch == Arch.I386) && oops.reason().endsWith("Oops")
                && oops.code().length() == 4) {
            errorCode = PageFaultErrorCode.decode(oops.codeValue(), "Oops", false, null, null);
        }
        Esr esr = null;
        if (esrValue != null) {
            esr = Esr.decode(esrValue);
            if (!printedAbort.isEmpty()) {
                esr = esr.withMismatches(crossCheck(esr, printedAbort));
            }
        }
        Long cr2Value = cr2;
        if (registers != null && registers.get("CR2") != null) {
            cr2Value = registers.get("CR2");
        }
        if (address == null && errorCode != null && cr2Value != null) {
            // CR2 holds the faulting address only for a page fault; after a #GP it is stale
            address = cr2Value;
            addressSource = "CR2";
        }
        Integer levels = null;
        if (registers != null && registers.get("CR4") != null && arch == Arch.X86_64) {
            levels = (registers.get("CR4") & 0x1000) != 0 ? 5 : 4;
        }
        AddressSpace space = new AddressSpace(arch, levels, vaBits, pageShift, kernelOffset, relocationEnd, release);
        AddressMeaning meaning = null;
        if (address != null && arch != null) {
            Map<String, Long> regs = new HashMap<>();
            if (registers != null) {
                regs.putAll(registers.values());
            }
            meaning = AddressClassifier.classify(address, space, regs);
        }
        Location rip = registers != null && registers.ip() != null ? registers.ip() : oldIp;
        Location lr = registers != null ? registers.lr() : null;
        return new DecodedOops(arch, cpu, pid, uid, comm, release, build, hardware, fault, oops, taint, address,
                addressSource, meaning, errorCode, esr, rip, lr, registers, userRegisters, frames, modules,
                lastUnloaded, kernelOffset, code, userCode, cr2Value, pageTableWalk, endTrace, panic, space);
    }

    /** Compares the abort-info lines the kernel printed with what the ESR value says. */
    private static List<String> crossCheck(Esr esr, Map<String, String> printed) {
        Map<String, Long> expect = new LinkedHashMap<>();
        expect.put("EC", (long) esr.ec());
        expect.put("IL", (long) esr.il());
        expect.put("ISS", esr.iss());
        if (esr.iss2() != null) {
            expect.put("ISS2", esr.iss2());
        }
        Esr.Abort a = esr.abort();
        if (a != null) {
            expect.put("SET", (long) a.set());
            expect.put("FnV", a.fnv() ? 1L : 0L);
            expect.put("EA", a.ea() ? 1L : 0L);
            expect.put("S1PTW", a.s1ptw() ? 1L : 0L);
            expect.put("FSC", (long) a.fsc());
            expect.put(a.data() ? "DFSC" : "IFSC", (long) a.fsc());
            if (a.data()) {
                expect.put("ISV", Boolean.TRUE.equals(a.isv()) ? 1L : 0L);
                expect.put("CM", Boolean.TRUE.equals(a.cm()) ? 1L : 0L);
                expect.put("WnR", Boolean.TRUE.equals(a.wnr()) ? 1L : 0L);
            }
        }
        List<String> out = new ArrayList<>();
        for (var e : printed.entrySet()) {
            Long want = expect.get(e.getKey());
            if (want == null) {
                continue;
            }
            String p = e.getValue();
            Long got = p.startsWith("0x") ? Hex.parse(p) : Long.valueOf(p);
            if (!want.equals(got)) {
                out.add(e.getKey() + " printed " + p + ", ESR says " + (p.startsWith("0x") ? Hex.format(want) : want));
            }
        }
        return List.copyOf(out);
    }
}
