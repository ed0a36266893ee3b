package org.coroner.dump;

import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import io.airlift.compress.lzo.LzoDecompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdDecompressor;

/**
 * How one page of a kdump-compressed file is stored: the {@code DUMP_DH_COMPRESSED_*} bits of
 * its page descriptor's flags (makedumpfile's diskdump_mod.h). zlib pages are zlib streams
 * ({@code compress2}), lzo pages raw LZO1X blocks, snappy pages raw snappy blocks, zstd pages
 * zstd frames. Decoders are per thread, so any thread may call them.
 */
enum PageCompression {
    NONE(0, "none"),
    ZLIB(0x1, "zlib"),
    LZO(0x2, "lzo"),
    SNAPPY(0x4, "snappy"),
    ZSTD(0x20, "zstd");

    /** Header status / page flag: the dump was cut short (makedumpfile ran out of space). */
    static final int INCOMPLETE = 0x8;
    static final int ANY = 0x1 | 0x2 | 0x4 | 0x20;

    // Decoders keep work tables (zstd's are large): one per thread, reused page after page.
    private static final ThreadLocal<LzoDecompressor> LZO_DECODER = ThreadLocal.withInitial(LzoDecompressor::new);
    private static final ThreadLocal<SnappyDecompressor> SNAPPY_DECODER = ThreadLocal.withInitial(SnappyDecompressor::new);
    private static final ThreadLocal<ZstdDecompressor> ZSTD_DECODER = ThreadLocal.withInitial(ZstdDecompressor::new);
    private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(Inflater::new);

    final int flag;
    final String label;

    PageCompression(int flag, String label) {
        this.flag = flag;
        this.label = label;
    }

    /** The compression a page descriptor's flags name; {@code null} when the bits are contradictory. */
    static PageCompression ofFlags(int flags) {
        int c = flags & ANY;
        return switch (c) {
            case 0 -> NONE;
            case 0x1 -> ZLIB;
            case 0x2 -> LZO;
            case 0x4 -> SNAPPY;
            case 0x20 -> ZSTD;
            default -> null;
        };
    }

    /**
     * Decompresses {@code in[0..inLen)} into {@code out}; returns the number of bytes produced.
     * Throws {@link IllegalArgumentException} with a short reason when the data is corrupt.
     */
    int decompress(byte[] in, int inLen, byte[] out) {
        try {
            return switch (this) {
                case NONE -> {
                    System.arraycopy(in, 0, out, 0, Math.min(inLen, out.length));
                    yield inLen;
                }
                case ZLIB -> inflate(in, inLen, out);
                case LZO -> LZO_DECODER.get().decompress(in, 0, inLen, out, 0, out.length);
                case SNAPPY -> SNAPPY_DECODER.get().decompress(in, 0, inLen, out, 0, out.length);
                case ZSTD -> ZSTD_DECODER.get().decompress(in, 0, inLen, out, 0, out.length);
            };
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith("corrupt")) {
                throw iae;
            }
            throw new IllegalArgumentException(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
    }

    private static int inflate(byte[] in, int inLen, byte[] out) {
        Inflater inf = INFLATER.get();
        inf.reset();
        try {
            inf.setInput(in, 0, inLen);
            int n = 0;
            while (n < out.length && !inf.finished()) {
                int k = inf.inflate(out, n, out.length - n);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    throw new IllegalArgumentException("corrupt zlib stream: ends early");
                }
                n += k;
            }
            return n;
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("corrupt zlib stream: " + e.getMessage());
        }
    }
}
