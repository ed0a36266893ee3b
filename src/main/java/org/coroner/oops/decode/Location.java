package org.coroner.oops.decode;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A code location as the kernel prints it with {@code %pS}/{@code %pB}: {@code func+0x23/0x36 [module]}
 * (optionally {@code [module buildid]}), or a bare address when no symbol was found, or both in the
 * old {@code [<ffffffff81234567>] func+0x1/0x2} form. Any part may be null.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Location(
        String function,
        @JsonSerialize(using = Hex.Serializer.class) Long offset,
        @JsonSerialize(using = Hex.Serializer.class) Long size,
        String module,
        String buildId,
        @JsonSerialize(using = Hex.Serializer.class) Long address) {

    // func+0xOFF/0xSIZE [mod] or [mod buildid]; function names carry dots (.constprop.0, .cold) and $ on some arches
    static final Pattern SYMBOL = Pattern.compile(
            "([A-Za-z_.$][\\w.$]*)\\+(?:0x)?([0-9a-fA-F]+)/(?:0x)?([0-9a-fA-F]+)(?:\\s+\\[([\\w-]+)(?:\\s+([0-9a-fA-F]+))?\\])?");
    static final Pattern BRACKETED = Pattern.compile("\\[<([0-9a-fA-F]+)>\\]");
    static final Pattern BARE = Pattern.compile("0x([0-9a-fA-F]{1,16})\\b|([0-9a-fA-F]{4,16})\\b");

    /** Parses the text after {@code RIP: 0010:} / {@code pc : } / {@code EIP: }; null if nothing in it looks like a location. */
    public static Location parse(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip();
        Long address = null;
        Matcher b = BRACKETED.matcher(t);
        while (b.lookingAt()) {
            address = Hex.parse(b.group(1));
            t = t.substring(b.end()).strip();
            b = BRACKETED.matcher(t);
        }
        Matcher s = SYMBOL.matcher(t);
        if (s.lookingAt()) {
            return new Location(s.group(1), Hex.parse(s.group(2)), Hex.parse(s.group(3)), s.group(4), s.group(5), address);
        }
        if (address != null) {
            return new Location(null, null, null, null, null, address);
        }
        Matcher m = BARE.matcher(t);
        if (m.lookingAt()) {
            return new Location(null, null, null, null, null, Hex.parse(m.group(1) != null ? m.group(1) : m.group(2)));
        }
        return null;
    }

    Location withFunction(Location other) {
        if (other == null) {
            return this;
        }
        return new Location(other.function, other.offset, other.size, other.module, other.buildId,
                address != null ? address : other.address);
    }

    @Override
    public String toString() {
        if (function == null) {
            return address == null ? "?" : Hex.format(address);
        }
        String s = function + "+" + Hex.format(offset) + "/" + Hex.format(size);
        return module == null ? s : s + " [" + module + "]";
    }
}
