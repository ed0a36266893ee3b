package org.coroner.dump;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

import org.coroner.elf.ElfFile;
import org.coroner.io.BadInputException;
import org.coroner.io.MappedFile;

/**
 * Opens a dump file, recognizing its format by content (never by name): an ELF core, a
 * kdump-compressed file ("KDUMP   "), or a flattened makedumpfile stream ("makedumpfile").
 * Opening maps the file and reads headers only.
 */
public final class DumpFile {
    private DumpFile() {
    }

    public static Dump open(Path path) {
        MappedFile mf = MappedFile.open(path);
        try {
            MemorySegment seg = mf.segment();
            if (startsWith(seg, new byte[] {0x7f, 'E', 'L', 'F'})) {
                return new ElfDump(ElfFile.open(mf));
            }
            if (startsWith(seg, KdumpCompressedDump.SIGNATURE.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
                return new KdumpCompressedDump(path, mf, DumpBytes.of(seg), false);
            }
            if (FlattenedIndex.looksFlattened(seg)) {
                FlattenedIndex index = FlattenedIndex.build(path, seg);
                return new KdumpCompressedDump(path, mf, index, true);
            }
            throw new BadInputException(path, "not a memory dump: neither an ELF core, a kdump-compressed file nor a flattened makedumpfile stream ("
                    + (seg.byteSize() == 0 ? "empty file" : "starts with " + hexHead(seg)) + ")");
        } catch (BadInputException e) {
            mf.close();
            throw e;
        } catch (RuntimeException e) {
            mf.close();
            throw new BadInputException(path, "malformed dump (" + e + ")");
        }
    }

    private static boolean startsWith(MemorySegment seg, byte[] magic) {
        if (seg.byteSize() < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (seg.get(ValueLayout.JAVA_BYTE, i) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static String hexHead(MemorySegment seg) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, seg.byteSize()); i++) {
            sb.append(String.format("%02x", seg.get(ValueLayout.JAVA_BYTE, i)));
        }
        return sb.toString();
    }
}
