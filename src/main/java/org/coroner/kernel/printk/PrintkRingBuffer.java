package org.coroner.kernel.printk;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;

/**
 * Reads the lockless printk ring buffer (Linux 5.10+) the way the kernel's own readers do:
 * descriptors from the tail id to the head id, each finalized or committed record's text taken
 * from the data ring by its logical positions. Layout offsets come from VMCOREINFO, which the
 * kernel exports for exactly this purpose, so no debug info is needed.
 */
public final class PrintkRingBuffer {
    private static final int DESC_STATE_COMMITTED = 1;
    private static final int DESC_STATE_FINALIZED = 2;
    private static final long DESC_ID_MASK = ~(3L << 62);
    private static final long FAILED_OR_NO_LPOS_BIT = 1;

    private final VirtualMemory mem;
    private final ToLongFunction<String> info;

    /**
     * @param info VMCOREINFO lookup: {@code SYMBOL(prb)}, {@code OFFSET(printk_info.seq)}, ... to their
     *             values; throws when a key is missing
     */
    public PrintkRingBuffer(VirtualMemory mem, ToLongFunction<String> info) {
        this.mem = mem;
        this.info = info;
    }

    /** Every readable record, oldest first. Records whose descriptor or text cannot be read are skipped. */
    public List<PrintkRecord> records() {
        long prb = mem.u64(info.applyAsLong("SYMBOL(prb)"));
        long descRing = prb + off("printk_ringbuffer.desc_ring");
        long textRing = prb + off("printk_ringbuffer.text_data_ring");
        int countBits = (int) mem.u32(descRing + off("prb_desc_ring.count_bits"));
        long descs = mem.u64(descRing + off("prb_desc_ring.descs"));
        long infos = mem.u64(descRing + off("prb_desc_ring.infos"));
        long headId = mem.u64(descRing + off("prb_desc_ring.head_id") + off("atomic_long_t.counter"));
        long tailId = mem.u64(descRing + off("prb_desc_ring.tail_id") + off("atomic_long_t.counter"));
        int sizeBits = (int) mem.u32(textRing + off("prb_data_ring.size_bits"));
        long data = mem.u64(textRing + off("prb_data_ring.data"));

        long descSize = info.applyAsLong("SIZE(prb_desc)");
        long infoSize = info.applyAsLong("SIZE(printk_info)");
        long descMask = (1L << countBits) - 1;
        long dataSize = 1L << sizeBits;
        long stateOff = off("prb_desc.state_var") + off("atomic_long_t.counter");
        long lposOff = off("prb_desc.text_blk_lpos");
        long beginOff = off("prb_data_blk_lpos.begin");
        long nextOff = off("prb_data_blk_lpos.next");

        List<PrintkRecord> out = new ArrayList<>();
        for (long id = tailId; ; id = (id + 1) & DESC_ID_MASK) {
            long desc = descs + (id & descMask) * descSize;
            try {
                long state = mem.u64(desc + stateOff);
                int st = (int) (state >>> 62);
                if ((state & DESC_ID_MASK) == id && (st == DESC_STATE_COMMITTED || st == DESC_STATE_FINALIZED)) {
                    long begin = mem.u64(desc + lposOff + beginOff);
                    long next = mem.u64(desc + lposOff + nextOff);
                    long inf = infos + (id & descMask) * infoSize;
                    out.add(record(inf, text(data, dataSize, sizeBits, begin, next, inf)));
                }
            } catch (FaultException e) {
                // an unreadable descriptor: the record is lost, the rest of the log is still read
            }
            if (id == headId) {
                break;
            }
        }
        return out;
    }

    private String text(long data, long dataSize, int sizeBits, long begin, long next, long inf) {
        if ((begin & FAILED_OR_NO_LPOS_BIT) != 0 || (next & FAILED_OR_NO_LPOS_BIT) != 0) {
            return "";
        }
        long start;
        long len;
        if ((begin >>> sizeBits) == (next >>> sizeBits)) {
            start = begin & (dataSize - 1);
            len = next - begin;
        } else {
            // the block wrapped: it was written from the start of the data ring
            start = 0;
            len = next & (dataSize - 1);
        }
        len -= 8; // the block begins with the descriptor id
        int textLen = mem.u16(inf + off("printk_info.text_len"));
        if (len < 0) {
            return "";
        }
        int n = (int) Math.min(textLen, len);
        return new String(mem.read(data + start + 8, n), StandardCharsets.UTF_8);
    }

    private PrintkRecord record(long inf, String text) {
        long seq = mem.u64(inf + off("printk_info.seq"));
        long ts = mem.u64(inf + off("printk_info.ts_nsec"));
        // facility (u8) follows text_len (u16); flags:5 and level:3 share the next byte
        long textLenOff = off("printk_info.text_len");
        int facility = mem.u8(inf + textLenOff + 2);
        int fl = mem.u8(inf + textLenOff + 3);
        long caller = mem.u32(inf + off("printk_info.caller_id"));
        return new PrintkRecord(seq, ts, facility, fl >>> 5, fl & 0x1f, caller, text);
    }

    private long off(String member) {
        return info.applyAsLong("OFFSET(" + member + ")");
    }
}
