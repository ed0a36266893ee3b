package org.coroner.io;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Entries of a table (ELF symbols, BTF types) by the NUL-terminated name each has in a string
 * table, found without making a String per entry: the index hashes the names' bytes in place, and
 * a lookup compares bytes. Building it for vmlinux's 150,000 symbols takes a few milliseconds;
 * a map of Strings took a large part of the shell's start-up. Entries with one name are kept in
 * entry order.
 */
public final class NameIndex {
    private final byte[] strings;
    private final int[] nameOff;
    /** Per slot: the first entry + 1 whose name hashes there, 0 for none. */
    private final int[] head;
    /** Per entry: the next entry + 1 in its slot's chain (entry order), 0 at the end. */
    private final int[] next;
    private final int[] hash;
    private final int mask;

    /**
     * Indexes {@code entries} (entry {@code i} named at {@code nameOff[i]} of {@code strings});
     * entries with {@code include[i] == false} are left out.
     */
    public NameIndex(byte[] strings, int[] nameOff, boolean[] include) {
        this.strings = strings;
        this.nameOff = nameOff;
        int n = nameOff.length;
        int size = Integer.highestOneBit(Math.max(16, n * 2 - 1)) << 1;
        this.mask = size - 1;
        this.head = new int[size];
        this.next = new int[n];
        this.hash = new int[n];
        int[] tail = new int[size];
        for (int i = 0; i < n; i++) {
            if (!include[i]) {
                continue;
            }
            int h = hashAt(strings, nameOff[i]);
            hash[i] = h;
            int s = h & mask;
            if (head[s] == 0) {
                head[s] = i + 1;
            } else {
                next[tail[s] - 1] = i + 1;
            }
            tail[s] = i + 1;
        }
    }

    /** Every entry named {@code name}, in entry order (empty when none). */
    public int[] all(String name) {
        byte[] q = name.getBytes(StandardCharsets.UTF_8);
        int h = hash(q);
        int[] out = new int[0];
        for (int e = head[h & mask]; e != 0; e = next[e - 1]) {
            int i = e - 1;
            if (hash[i] == h && equalsAt(nameOff[i], q)) {
                out = Arrays.copyOf(out, out.length + 1);
                out[out.length - 1] = i;
            }
        }
        return out;
    }

    /** The first entry named {@code name}, or -1. */
    public int first(String name) {
        byte[] q = name.getBytes(StandardCharsets.UTF_8);
        int h = hash(q);
        for (int e = head[h & mask]; e != 0; e = next[e - 1]) {
            int i = e - 1;
            if (hash[i] == h && equalsAt(nameOff[i], q)) {
                return i;
            }
        }
        return -1;
    }

    private boolean equalsAt(int off, byte[] q) {
        if (off < 0 || off + q.length >= strings.length) {
            return off >= 0 && off + q.length == strings.length && Arrays.equals(strings, off, strings.length, q, 0,
                    q.length);
        }
        return strings[off + q.length] == 0 && Arrays.equals(strings, off, off + q.length, q, 0, q.length);
    }

    private static int hashAt(byte[] s, int off) {
        int h = 0x811c9dc5;
        for (int i = off; i >= 0 && i < s.length && s[i] != 0; i++) {
            h = (h ^ (s[i] & 0xff)) * 0x01000193;
        }
        return h;
    }

    private static int hash(byte[] q) {
        int h = 0x811c9dc5;
        for (byte b : q) {
            h = (h ^ (b & 0xff)) * 0x01000193;
        }
        return h;
    }

    /** The NUL-terminated string at {@code off} of {@code s} (to its end if unterminated), as UTF-8. */
    public static String cstring(byte[] s, int off) {
        int end = off;
        while (end < s.length && s[end] != 0) {
            end++;
        }
        return new String(s, off, end - off, StandardCharsets.UTF_8);
    }
}
