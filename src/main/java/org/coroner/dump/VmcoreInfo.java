package org.coroner.dump;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The VMCOREINFO note's text as {@code KEY=VALUE} lines, with typed accessors for its key
 * families. The dump layer gives no meaning to the keys; it only knows their number formats
 * ({@code SYMBOL(x)} and {@code KERNELOFFSET} are hex, {@code OFFSET}/{@code SIZE}/{@code NUMBER}/
 * {@code LENGTH}/{@code PAGESIZE} decimal, as the kernel's {@code VMCOREINFO_*} macros print them).
 */
public final class VmcoreInfo {
    private final String text;
    private final Map<String, String> entries;

    private VmcoreInfo(String text, Map<String, String> entries) {
        this.text = text;
        this.entries = Collections.unmodifiableMap(entries);
    }

    /** Parses the note text; lines without {@code =} are ignored, a repeated key keeps its last value. */
    public static VmcoreInfo parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        return new VmcoreInfo(text, m);
    }

    /** The raw text, as in the note (NUL padding removed). */
    public String text() {
        return text;
    }

    public Map<String, String> entries() {
        return entries;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    /** {@code SYMBOL(name)}: the symbol's run-time (relocated) address. */
    public OptionalLong symbol(String name) {
        return hex("SYMBOL(" + name + ")");
    }

    /** {@code OFFSET(struct.member)}. */
    public OptionalLong offset(String structDotMember) {
        return dec("OFFSET(" + structDotMember + ")");
    }

    /** {@code SIZE(type)}. */
    public OptionalLong size(String type) {
        return dec("SIZE(" + type + ")");
    }

    /** {@code NUMBER(name)} (may be negative). */
    public OptionalLong number(String name) {
        return dec("NUMBER(" + name + ")");
    }

    /** {@code LENGTH(name)}. */
    public OptionalLong length(String name) {
        return dec("LENGTH(" + name + ")");
    }

    public Optional<String> osRelease() {
        return get("OSRELEASE");
    }

    /** {@code BUILD-ID}: the kernel's GNU build-id in hex, as {@code ElfFile.buildId()} prints it. */
    public Optional<String> buildId() {
        return get("BUILD-ID").map(String::toLowerCase);
    }

    /** {@code KERNELOFFSET}: the KASLR displacement of the kernel image. */
    public OptionalLong kernelOffset() {
        return hex("KERNELOFFSET");
    }

    public OptionalLong pageSize() {
        return dec("PAGESIZE");
    }

    /** A key's value as hex (with or without {@code 0x}); empty when absent or not a number. */
    public OptionalLong hex(String key) {
        String v = entries.get(key);
        if (v == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseUnsignedLong(v.startsWith("0x") ? v.substring(2) : v, 16));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** A key's value as a signed decimal; empty when absent or not a number. */
    public OptionalLong dec(String key) {
        String v = entries.get(key);
        if (v == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(v));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public String toString() {
        return "VmcoreInfo" + entries.keySet();
    }
}
