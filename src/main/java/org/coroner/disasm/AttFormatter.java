package org.coroner.disasm;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.coroner.disasm.CapstoneDisassembler.Raw;
import org.coroner.disasm.CapstoneDisassembler.X86Detail;
import org.coroner.disasm.CapstoneDisassembler.X86Operand;

/**
 * Rewrites Capstone 4's AT&T text into binutils 2.40's. Capstone gets the instruction right but
 * prints it its own way ({@code movq 8(%rdi), %rax}, {@code callq 0x25}, {@code $-0x1000},
 * {@code nopw %cs:(%rax, %rax)}); objdump prints {@code mov 0x8(%rdi),%rax}, {@code call 25},
 * {@code $0xfffffffffffff000}, {@code cs nopw 0x0(%rax,%rax,1)}. The memory operand encoded by
 * ModRM/SIB is rebuilt from the bytes (Capstone drops zero displacements and unit scales),
 * immediates are printed at their operand size, and prefixes objdump shows as words (unused segment
 * overrides, {@code data16}, {@code notrack}, {@code bnd}, {@code rex}) are derived from the bytes.
 */
final class AttFormatter implements Formatter {
    private static final Pattern GPR = Pattern.compile(
            "%(?:r(?:[0-9]|1[0-5])[dwb]?|r[abcd]x|e[abcd]x|[abcd]x|[abcd][lh]|[re]?(?:si|di|sp|bp)|(?:si|di|sp|bp)l|r[0-9]+)");
    private static final Pattern NUMBER = Pattern.compile("-?(?:0x[0-9a-f]+|[0-9]+)");
    /** Mnemonics (without size suffix) that objdump prints bare when a register operand gives the size. */
    private static final Set<String> SIZED = Set.of("mov", "add", "sub", "and", "or", "xor", "cmp", "test", "adc",
            "sbb", "inc", "dec", "neg", "not", "lea", "shl", "shr", "sar", "sal", "rol", "ror", "rcl", "rcr", "imul",
            "mul", "div", "idiv", "xchg", "cmpxchg", "xadd", "bt", "bts", "btr", "btc", "bsf", "bsr", "lzcnt", "tzcnt",
            "popcnt", "shld", "shrd", "bswap", "movbe", "stos", "lods", "scas", "in", "out", "lar", "lsl", "adcx",
            "adox", "andn", "crc32", "movnti", "cmovo", "cmovno", "cmovb", "cmovae", "cmove", "cmovne", "cmovbe",
            "cmova", "cmovs", "cmovns", "rdrand", "rdseed", "rdpid", "shlx", "shrx", "sarx", "rorx", "bextr", "bzhi", "pdep",
            "pext", "mulx", "blsi", "blsr", "blsmsk", "rdfsbase", "rdgsbase", "wrfsbase", "wrgsbase", "cmovp", "cmovnp", "cmovl", "cmovge", "cmovle", "cmovg");
    private static final Set<String> STRING_OPS = Set.of("movs", "cmps", "stos", "lods", "scas", "ins", "outs");
    private static final String[] REG64 = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10",
        "r11", "r12", "r13", "r14", "r15"};
    private static final String[] REG32 = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d",
        "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};

    private final boolean is64;

    AttFormatter(Arch arch) {
        this.is64 = arch == Arch.X86_64;
    }

    @Override
    public Instruction format(Raw r) {
        try {
            return formatObjdumpStyle(r);
        } catch (RuntimeException e) {
            // an operand form we do not know: Capstone's own text is still the right instruction
            return new Instruction(r.address(), r.bytes(), r.mnemonic(), r.operands().replace(", ", ","));
        }
    }

    private Instruction formatObjdumpStyle(Raw r) {
        String full = java.util.HexFormat.of().formatHex(r.bytes());
        if (SPECIAL_FULL.containsKey(full)) {
            return new Instruction(r.address(), r.bytes(), SPECIAL_FULL.get(full), "");
        }
        if (SPECIAL.containsKey(full)) {
            String name = SPECIAL.get(full);
            String ops = switch (name) {
                case "monitorx" -> (is64 ? "%rax" : "%eax") + ",%ecx,%edx";
                case "mwaitx" -> "%eax,%ecx,%ebx";
                default -> "";
            };
            return new Instruction(r.address(), r.bytes(), name, ops);
        }
        String waitpkg = waitpkg(r.bytes());
        if (waitpkg != null) {
            return new Instruction(r.address(), r.bytes(), waitpkg.substring(0, waitpkg.indexOf(' ')),
                    waitpkg.substring(waitpkg.indexOf(' ') + 1));
        }
        if (r.x86() == null) {
            return new Instruction(r.address(), r.bytes(), r.mnemonic(), r.operands()); // (bad), .byte, rex.W
        }
        byte[] b = r.bytes();
        X86Detail d = r.x86();
        Prefixes px = Prefixes.scan(b, is64);

        // Capstone puts lock/rep/... before the mnemonic; we rebuild those words from the bytes.
        String[] words = r.mnemonic().split(" ");
        String mn = words[words.length - 1];
        List<String> ops = splitOperands(r.operands());

        boolean branch = isBranch(mn);
        boolean hasModrmMem = d.modrmOffset() > 0 && d.modrmOffset() < b.length && (b[d.modrmOffset()] & 0xc0) != 0xc0
                && !ops.isEmpty();
        long target = 0;
        Instruction.Kind kind = Instruction.Kind.NONE;
        String segWord = null; // an unused segment override objdump prints as a word
        boolean memSeen = false;
        List<String> out = new ArrayList<>(ops.size());
        int immIndex = 0;
        for (String op : ops) {
            boolean star = op.startsWith("*");
            String o = star ? op.substring(1) : op;
            String res;
            if (o.startsWith("$") && o.contains(":$")) {
                // far pointer "$sel:$off": objdump prints two immediates
                String[] p = o.split(":");
                res = "$" + immediate(p[0].substring(1), 2) + ",$" + immediate(p[1].substring(1), 0);
            } else if (o.startsWith("$")) {
                res = "$" + immediate(o.substring(1), immSize(d, immIndex++));
            } else if (branch && NUMBER.matcher(o).matches()) {
                target = parse(o);
                if (!is64) {
                    target &= 0xffffffffL;
                }
                kind = Instruction.Kind.BRANCH;
                res = "0x" + Long.toHexString(target);
            } else if (isRegister(o)) {
                res = o;
            } else if (hasModrmMem && !memSeen && modrmMemory(b, d.modrmOffset(), d.dispOffset(), px).text != null) {
                memSeen = true;
                Mem m = modrmMemory(b, d.modrmOffset(), d.dispOffset(), px);
                res = m.text;
                if (m.ripRelative) {
                    kind = Instruction.Kind.MEMORY;
                    target = r.address() + b.length + m.disp;
                }
                if (m.segWord != null) {
                    segWord = m.segWord;
                }
            } else {
                res = otherMemory(o, mn, px);
            }
            out.add(star ? "*" + res : res);
        }

        int opc = px.count() < b.length ? b[px.count()] & 0xff : -1;
        int opc2 = px.count() + 1 < b.length ? b[px.count() + 1] & 0xff : -1;
        if ((opc == 0xd0 || opc == 0xd1) && out.size() == 2 && out.get(0).equals("$0x1")) {
            out.remove(0); // shift/rotate by one: objdump prints no count
        }
        if (opc == 0x0f && opc2 == 0xb9 && px.count() + 2 < b.length) {
            // Capstone 4 calls 0f b9 "ud2b" and drops its ModRM operands; objdump: ud1 Ev,Gv
            return ud1(r, px, d);
        }
        String base = mnemonic(mn, out);
        if ((base.equals("in") || base.equals("out") || base.startsWith("ins") || base.startsWith("outs"))
                && out.contains("%dx")) {
            out.set(out.indexOf("%dx"), "(%dx)");
        }
        for (int k = 0; k < out.size(); k++) {
            if (out.get(k).startsWith("%dr")) {
                out.set(k, "%db" + out.get(k).substring(3)); // debug registers: objdump says %db7
            }
        }
        if (out.isEmpty()) {
            // objdump spells out the implicit register operands of these
            String ax = is64 ? "%rax" : "%eax";
            switch (base) {
                case "monitor", "monitorx" -> out.addAll(List.of(ax, "%ecx", "%edx"));
                case "mwait" -> out.addAll(List.of("%eax", "%ecx"));
                case "mwaitx" -> out.addAll(List.of("%eax", "%ecx", "%ebx"));
                default -> {
                }
            }
        }
        if (base.equals("nop") && out.isEmpty() && px.count() > 0 && b[b.length - 1] == (byte) 0x90 && px.has(0x66)
                && px.rex() == 0) {
            // 66 90 is "xchg %ax,%ax" to objdump (Capstone says nop)
            base = "xchg";
            out.add("%ax");
            out.add("%ax");
        }
        StringBuilder m = new StringBuilder();
        for (String w : prefixWords(px, base, b, d, hasModrmMem, segWord, out)) {
            m.append(w).append(' ');
        }
        m.append(base);
        return new Instruction(r.address(), b, m.toString(), String.join(",", out), target, kind);
    }

    /** Instructions Capstone 4 does not know or names differently, by their bytes after the prefixes. */
    private static final java.util.Map<String, String> SPECIAL = java.util.Map.ofEntries(
            java.util.Map.entry("0f01ee", "rdpkru"), java.util.Map.entry("0f01ef", "wrpkru"),
            java.util.Map.entry("0f01e8", "serialize"), java.util.Map.entry("0f01fa", "monitorx"),
            java.util.Map.entry("0f01fb", "mwaitx"), java.util.Map.entry("0f01fc", "clzero"),
            java.util.Map.entry("0f01cf", "encls"), java.util.Map.entry("0f01d7", "enclu"),
            java.util.Map.entry("0f01c0", "enclv"), java.util.Map.entry("0f01c5", "pconfig"),
            java.util.Map.entry("0f01dd", "clgi"), java.util.Map.entry("0f01dc", "stgi"),
            java.util.Map.entry("0f01e9", "xsusldtrk"), java.util.Map.entry("0f01ea", "saveprevssp"),
            java.util.Map.entry("c4e27849c0", "tilerelease"));

    /** Instructions whose meaning depends on a mandatory prefix Capstone 4 ignores (by full bytes). */
    private static final java.util.Map<String, String> SPECIAL_FULL = java.util.Map.ofEntries(
            java.util.Map.entry("f30f01d9", "vmgexit"), java.util.Map.entry("f30f01fe", "rmpadjust"),
            java.util.Map.entry("f20f01ff", "pvalidate"), java.util.Map.entry("f30f01ff", "psmash"),
            java.util.Map.entry("f20f01fe", "rmpupdate"), java.util.Map.entry("f30f01e8", "setssbsy"),
            java.util.Map.entry("f20f01e8", "xsusldtrk"), java.util.Map.entry("f20f01e9", "xresldtrk"),
            java.util.Map.entry("f30f01ea", "saveprevssp"), java.util.Map.entry("f30f01ec", "uiret"),
            java.util.Map.entry("f30f01ed", "testui"), java.util.Map.entry("f30f01ee", "clui"),
            java.util.Map.entry("f30f01ef", "stui"), java.util.Map.entry("f30f01c6", "wrmsrns"));

    /** WAITPKG (Capstone 4 predates it): 66/f2/f3 0f ae /6 with a register: tpause, umwait, umonitor. */
    private String waitpkg(byte[] b) {
        if (b.length != 4 || (b[1] & 0xff) != 0x0f || (b[2] & 0xff) != 0xae || (b[3] & 0xf8) != 0xf0) {
            return null;
        }
        int rm = b[3] & 7;
        return switch (b[0] & 0xff) {
            case 0x66 -> "tpause %" + REG32[rm];
            case 0xf2 -> "umwait %" + REG32[rm];
            case 0xf3 -> "umonitor %" + (is64 ? REG64[rm] : REG32[rm]);
            default -> null;
        };
    }

    @Override
    public int unknownLength(byte[] code, int off) {
        if (off + 4 <= code.length && waitpkg(java.util.Arrays.copyOfRange(code, off, off + 4)) != null) {
            return 4;
        }
        for (int n = 3; n <= 5; n++) {
            if (off + n <= code.length) {
                String h = java.util.HexFormat.of().formatHex(code, off, off + n);
                if (SPECIAL.containsKey(h) || SPECIAL_FULL.containsKey(h)) {
                    return n;
                }
            }
        }
        return 0;
    }

    /**
     * How objdump prints the first byte of an instruction cut short by the end of the code: a
     * prefix by its name ({@code rex.W}, {@code data16}, {@code lock}), anything else as {@code .byte 0xf6}.
     */
    String[] truncatedByte(int x) {
        if (is64 && (x & 0xf0) == 0x40) {
            StringBuilder n = new StringBuilder("rex");
            if ((x & 0xf) != 0) {
                n.append('.');
                n.append((x & 8) != 0 ? "W" : "").append((x & 4) != 0 ? "R" : "").append((x & 2) != 0 ? "X" : "")
                        .append((x & 1) != 0 ? "B" : "");
            }
            return new String[] {n.toString(), ""};
        }
        String p = switch (x) {
            case 0xf0 -> "lock";
            case 0xf2 -> "repnz";
            case 0xf3 -> "repz";
            case 0x66 -> "data16";
            case 0x67 -> is64 ? "addr32" : "addr16";
            default -> segName(x);
        };
        return p != null ? new String[] {p, ""} : new String[] {".byte", "0x" + Integer.toHexString(x)};
    }

    @Override
    public int actualLength(byte[] bytes, byte[] code, int off) {
        Prefixes px = Prefixes.scan(bytes, is64);
        int p = px.count();
        if (bytes.length == p + 2 && (bytes[p] & 0xff) == 0x0f && (bytes[p + 1] & 0xff) == 0xb9 && off + p + 2 < code.length) {
            // ud1 has a ModRM byte (and what it implies); Capstone 4's "ud2b" stops before it
            byte[] withModrm = java.util.Arrays.copyOfRange(code, off, Math.min(code.length, off + p + 8));
            return p + 2 + modrmLength(withModrm, p + 2, px);
        }
        return bytes.length;
    }

    /** Bytes taken by a ModRM byte at {@code mo} with its SIB and displacement (32/64-bit addressing). */
    private static int modrmLength(byte[] b, int mo, Prefixes px) {
        int modrm = b[mo] & 0xff;
        int mod = modrm >> 6;
        int rm = modrm & 7;
        if (mod == 3) {
            return 1;
        }
        int n = 1;
        if (rm == 4) {
            n++;
            if (mod == 0 && mo + 1 < b.length && (b[mo + 1] & 7) == 5) {
                n += 4;
            }
        } else if (rm == 5 && mod == 0) {
            n += 4;
        }
        return n + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
    }

    private Instruction ud1(Raw r, Prefixes px, X86Detail d) {
        byte[] b = r.bytes();
        int mo = px.count() + 2;
        int modrm = b[mo] & 0xff;
        boolean w = (px.rex() & 8) != 0;
        boolean o16 = px.has(0x66) && !w;
        String[] names = w ? REG64 : REG32;
        int reg = ((modrm >> 3) & 7) | ((px.rex() & 4) << 1);
        String g = "%" + (o16 ? REG16[reg] : names[reg]);
        String e;
        if ((modrm & 0xc0) == 0xc0) {
            int rm = (modrm & 7) | ((px.rex() & 1) << 3);
            e = "%" + (o16 ? REG16[rm] : names[rm]);
        } else {
            e = modrmMemory(b, mo, 0, px).text;
        }
        return new Instruction(r.address(), b, "ud1", e + "," + g);
    }

    private static final String[] REG16 = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w",
        "r11w", "r12w", "r13w", "r14w", "r15w"};

    // ---- mnemonics

    private static boolean isBranch(String mn) {
        return mn.startsWith("j") || mn.startsWith("call") || mn.startsWith("loop") || mn.equals("xbegin");
    }

    private String mnemonic(String mn, List<String> ops) {
        switch (mn) {
            case "callq", "calll", "callw":
                return "call";
            case "jmpq", "jmpl":
                return "jmp";
            case "retq", "retl":
                return "ret";
            case "movabsq", "movabsl", "movabsw", "movabsb":
                return "movabs";
            case "lldtw", "ltrw", "sldtw", "sldtl", "sldtq", "strw", "strl", "strq", "lmsww", "smsww", "smswl", "smswq",
                    "verrw", "verww":
                return mn.substring(0, mn.length() - 1);
            case "ljmpl", "ljmpq", "lcalll", "lcallq":
                return mn.substring(0, mn.length() - 1);
            case "wait":
                return "fwait";
            case "lgdtq", "lidtq", "sgdtq", "sidtq":
                return is64 ? mn.substring(0, 4) : mn;
            case "iretl", "lretl", "pushal", "popal":
                return is64 ? mn : mn.substring(0, mn.length() - 1);
            case "pushfq", "pushfl":
                return "pushf";
            case "popfq", "popfl":
                return "popf";
            case "pushq", "pushl":
                return "push";
            case "popq", "popl":
                return "pop";
            default:
                break;
        }
        char last = mn.charAt(mn.length() - 1);
        if ("bwlq".indexOf(last) >= 0) {
            String stem = mn.substring(0, mn.length() - 1);
            if (SIZED.contains(stem) && hasSizingRegister(stem, ops)) {
                return stem;
            }
        }
        return mn;
    }

    /** True when a general register operand tells the size (a shift count in %cl or a port in %dx does not). */
    private static boolean hasSizingRegister(String stem, List<String> ops) {
        for (int k = 0; k < ops.size(); k++) {
            String o = ops.get(k);
            if (stem.equals("mov") && o.matches("%[cdefgs]s")) {
                return true; // a segment register move is always 16-bit: objdump prints plain mov
            }
            if (!GPR.matcher(o).matches()) {
                continue;
            }
            boolean shiftCount = o.equals("%cl") && k == 0 && ops.size() > 1 && (stem.startsWith("sh") || stem.startsWith("sa")
                    || stem.startsWith("ro") || stem.startsWith("rc"));
            if (!shiftCount) {
                return true;
            }
        }
        return false;
    }

    // ---- prefixes

    /** Legacy and REX prefixes in byte order. */
    record Prefixes(int[] bytes, int rex, int count) {
        static Prefixes scan(byte[] b, boolean is64) {
            int n = 0;
            while (n < b.length && isLegacy(b[n] & 0xff)) {
                n++;
            }
            int rex = 0;
            int total = n;
            if (is64 && n < b.length && (b[n] & 0xf0) == 0x40) {
                rex = b[n] & 0xff;
                total++;
            }
            int[] p = new int[n];
            for (int k = 0; k < n; k++) {
                p[k] = b[k] & 0xff;
            }
            return new Prefixes(p, rex, total);
        }

        static boolean isLegacy(int x) {
            return x == 0xf0 || x == 0xf2 || x == 0xf3 || x == 0x2e || x == 0x36 || x == 0x3e || x == 0x26 || x == 0x64
                    || x == 0x65 || x == 0x66 || x == 0x67;
        }

        int segment() {
            int s = 0;
            for (int x : bytes) {
                if (x == 0x2e || x == 0x36 || x == 0x3e || x == 0x26 || x == 0x64 || x == 0x65) {
                    s = x;
                }
            }
            return s;
        }

        boolean has(int x) {
            for (int y : bytes) {
                if (y == x) {
                    return true;
                }
            }
            return false;
        }
    }

    private static String segName(int p) {
        return switch (p) {
            case 0x2e -> "cs";
            case 0x36 -> "ss";
            case 0x3e -> "ds";
            case 0x26 -> "es";
            case 0x64 -> "fs";
            case 0x65 -> "gs";
            default -> null;
        };
    }

    private List<String> prefixWords(Prefixes px, String base, byte[] b, X86Detail d, boolean hasMem, String segWord,
            List<String> ops) {
        List<String> w = new ArrayList<>();
        // a moffs or string operand that already shows the override ("%fs:0x10") uses the prefix
        boolean segInText = px.segment() != 0 && String.join(",", ops).contains("%" + segName(px.segment()) + ":");
        String stem = base.replaceAll("[bwlq]$", "");
        boolean stringOp = STRING_OPS.contains(stem) || STRING_OPS.contains(base);
        boolean indirect = (b.length > px.count() && (b[px.count()] & 0xff) == 0xff && d.modrmOffset() > 0
                && ((b[d.modrmOffset()] >> 3) & 7) >= 2 && ((b[d.modrmOffset()] >> 3) & 7) <= 5);
        int seg = px.segment();
        int n66 = 0;
        for (int x : px.bytes()) {
            if (x == 0x66) {
                n66++;
            }
        }
        int seen66 = 0;
        for (int x : px.bytes()) {
            switch (x) {
                case 0xf0 -> w.add("lock");
                case 0xf3 -> {
                    if (stringOp) {
                        w.add(stem.equals("cmps") || stem.equals("scas") ? "repz" : "rep");
                    } else if (base.equals("ret") || base.equals("jmp") || base.equals("call") || base.startsWith("j")) {
                        w.add("repz");
                    }
                }
                case 0xf2 -> {
                    if (stringOp) {
                        w.add("repnz");
                    } else if (base.equals("ret") || base.equals("jmp") || base.equals("call") || base.startsWith("j")) {
                        w.add("bnd");
                    }
                }
                case 0x66 -> {
                    seen66++;
                    if (seen66 < n66) {
                        w.add("data16");
                    }
                }
                case 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65 -> {
                    if (x != seg) {
                        w.add(segName(x)); // overridden by a later segment prefix
                    } else if (x == 0x3e && indirect && is64) {
                        w.add("notrack");
                    } else if (segWord != null && segWord.equals(segName(x))) {
                        w.add(segWord);
                    } else if (!hasMem && !stringOp && !segInText) {
                        w.add(segName(x));
                    }
                }
                default -> {
                }
            }
        }
        return w;
    }

    // ---- operands

    /** Splits Capstone's operand text at the top-level ", " separators. */
    static List<String> splitOperands(String s) {
        List<String> out = new ArrayList<>(3);
        if (s.isEmpty()) {
            return out;
        }
        int depth = 0;
        int start = 0;
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(start, k).strip());
                start = k + 1;
            }
        }
        out.add(s.substring(start).strip());
        return out;
    }

    private static boolean isRegister(String o) {
        return o.startsWith("%") && (o.indexOf(':') < 0) && (o.indexOf('(') < 0 || o.startsWith("%st("));
    }

    static long parse(String n) {
        boolean neg = n.startsWith("-");
        String v = neg ? n.substring(1) : n;
        long x = v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseUnsignedLong(v);
        return neg ? -x : x;
    }

    private static String immediate(String text, int size) {
        long v = parse(text);
        if (size > 0 && size < 8) {
            v &= (1L << (size * 8)) - 1;
        }
        return "0x" + Long.toHexString(v);
    }

    /** Operand size of the {@code nth} immediate from Capstone's detail (objdump prints it masked to that size). */
    private int immSize(X86Detail d, int nth) {
        int seen = 0;
        for (X86Operand o : d.operands()) {
            if (o.type() == X86Operand.IMM) {
                if (seen++ == nth) {
                    return o.size();
                }
            }
        }
        return is64 ? 8 : 4;
    }

    private record Mem(String text, boolean ripRelative, long disp, String segWord) {
    }

    /** The ModRM/SIB memory operand, printed from the bytes as objdump prints it. */
    private Mem modrmMemory(byte[] b, int mo, int dispOffset, Prefixes px) {
        int modrm = b[mo] & 0xff;
        int mod = modrm >> 6;
        int rm = modrm & 7;
        int rex = px.rex();
        boolean addr32 = is64 ? px.has(0x67) : !px.has(0x67);
        if (!is64 && px.has(0x67)) {
            // 16-bit addressing in 32-bit code: rare, the caller keeps Capstone's rendering
            return new Mem(null, false, 0, null);
        }
        String[] regs = is64 && !addr32 ? REG64 : REG32;
        String baseReg = null;
        String indexReg = null;
        int scale = 0;
        boolean sib = rm == 4;
        boolean rip = false;
        boolean dispPresent = mod == 1 || mod == 2;
        if (sib) {
            int s = b[mo + 1] & 0xff;
            scale = 1 << (s >> 6);
            int idx = ((s >> 3) & 7) | ((rex & 2) << 2);
            int bs = s & 7;
            if (idx != 4) {
                indexReg = regs[idx];
            } else if ((s >> 6) != 0 || (bs != 4 && !(bs == 5 && mod == 0)) || (bs == 5 && mod == 0 && !is64)) {
                indexReg = is64 && !addr32 ? "riz" : "eiz";
            }
            if (bs == 5 && mod == 0) {
                dispPresent = true;
            } else {
                baseReg = regs[bs | ((rex & 1) << 3)];
            }
        } else if (rm == 5 && mod == 0) {
            dispPresent = true;
            if (is64) {
                rip = true;
                baseReg = addr32 ? "eip" : "rip";
            }
        } else {
            baseReg = regs[rm | ((rex & 1) << 3)];
        }
        long disp = 0;
        if (dispPresent) {
            int size = mod == 1 ? 1 : 4;
            int off = dispOffset > 0 ? dispOffset : mo + 1 + (sib ? 1 : 0);
            disp = size == 1 ? b[off] : (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16
                    | (long) b[off + 3] << 24;
        }
        StringBuilder t = new StringBuilder();
        int seg = px.segment();
        String segWord = null;
        if (seg != 0) {
            if (is64 && seg != 0x64 && seg != 0x65) {
                segWord = segName(seg);
            } else {
                t.append('%').append(segName(seg)).append(':');
            }
        }
        if (dispPresent) {
            if (baseReg == null && indexReg == null) {
                long v = is64 && !addr32 ? disp : disp & 0xffffffffL;
                t.append("0x").append(Long.toHexString(v));
            } else {
                t.append(disp < 0 ? "-0x" + Long.toHexString(-disp) : "0x" + Long.toHexString(disp));
            }
        }
        if (baseReg != null || indexReg != null) {
            t.append('(');
            if (baseReg != null) {
                t.append('%').append(baseReg);
            }
            if (indexReg != null) {
                t.append(",%").append(indexReg).append(',').append(scale);
            }
            t.append(')');
        }
        return new Mem(t.toString(), rip, disp, segWord);
    }

    /** Memory operands without ModRM (string instructions, moffs, xlat): Capstone's text, objdump's numbers. */
    private String otherMemory(String o, String mn, Prefixes px) {
        String stem = mn.replaceAll("[bwlq]$", "");
        String t = o.replace(", ", ",");
        if (STRING_OPS.contains(stem) && (t.equals("(%rsi)") || t.equals("(%esi)"))) {
            return "%ds:" + t;
        }
        if (STRING_OPS.contains(stem) && (t.equals("(%rdi)") || t.equals("(%edi)"))) {
            return "%es:" + t;
        }
        java.util.regex.Matcher m = Pattern.compile("^(%[a-z]s:)?(-?(?:0x[0-9a-f]+|[0-9]+))(.*)$").matcher(t);
        if (m.matches()) {
            long v = parse(m.group(2));
            if (m.group(3).isEmpty() && !is64) {
                v &= 0xffffffffL;
            }
            String num = m.group(3).isEmpty() ? "0x" + Long.toHexString(v)
                    : (v < 0 ? "-0x" + Long.toHexString(-v) : "0x" + Long.toHexString(v));
            return (m.group(1) == null ? "" : m.group(1)) + num + m.group(3);
        }
        return t;
    }
}
