package org.coroner.oops.decode;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;

import java.io.IOException;

/**
 * Hex parsing that never throws, and the JSON form of addresses: kernel addresses are unsigned
 * 64-bit values that a JSON number (a double for most readers) cannot carry, so they are written
 * as {@code "0x..."} strings.
 */
public final class Hex {
    private Hex() {
    }

    /** Parses up to 16 hex digits (optional 0x); null when the text is not that. */
    public static Long parse(String s) {
        if (s == null) {
            return null;
        }
        String t = s.strip();
        if (t.startsWith("0x") || t.startsWith("0X")) {
            t = t.substring(2);
        }
        if (t.isEmpty() || t.length() > 16) {
            return null;
        }
        for (int i = 0; i < t.length(); i++) {
            if (Character.digit(t.charAt(i), 16) < 0) {
                return null;
            }
        }
        return Long.parseUnsignedLong(t, 16);
    }

    public static String format(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** Signed offset as the kernel writes it: {@code +0x8}, {@code -0x3a}. */
    public static String signed(long v) {
        return v < 0 ? "-0x" + Long.toHexString(-v) : "+0x" + Long.toHexString(v);
    }

    /** Writes a {@code Long} as a {@code "0x..."} string. */
    public static final class Serializer extends JsonSerializer<Long> {
        @Override
        public void serialize(Long value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(format(value));
        }
    }
}
