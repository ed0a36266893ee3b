package org.coroner.cli.shell;

/**
 * crash's column justification ({@code mkstring}): a string padded to a width, left, right or
 * centred; when it cannot be centred exactly, the odd space goes right (centre-left) or left
 * (centre-right). Strings longer than the width are left as they are.
 */
public final class CrashFormat {
    private CrashFormat() {
    }

    public static String left(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    public static String right(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }

    /** Centred, the odd space on the right. */
    public static String center(String s, int width) {
        return center(s, width, false);
    }

    /** Centred, the odd space on the left. */
    public static String centerRight(String s, int width) {
        return center(s, width, true);
    }

    private static String center(String s, int width, boolean oddLeft) {
        int extra = width - s.length();
        if (extra <= 0) {
            return s;
        }
        int left = extra / 2 + (extra % 2 != 0 && oddLeft ? 1 : 0);
        return " ".repeat(left) + s + " ".repeat(extra - left);
    }

    /** crash's sizes: {@code 0}, {@code 64 KB}, {@code 27.2 MB}, {@code 1 GB} (a trailing .0 dropped). */
    public static String pagesToSize(long pages, long pageSize) {
        if (pages == 0) {
            return "0";
        }
        double total = (double) pages * pageSize;
        String s;
        if (total >= 1L << 30) {
            s = String.format("%.1f GB", total / (1L << 30));
        } else if (total >= 1L << 20) {
            s = String.format("%.1f MB", total / (1L << 20));
        } else {
            s = String.format("%d KB", (long) (total / 1024));
        }
        return s.replace(".0 ", " ");
    }
}
