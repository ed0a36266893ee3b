package org.coroner.kernel.mm;

import java.util.ArrayList;
import java.util.List;

import org.coroner.kernel.Kernel;
import org.coroner.memory.FaultException;
import org.coroner.types.Value;

/**
 * A maple tree ({@code lib/maple_tree.c}, 6.1 and later: {@code mm->mm_mt} holds a process's VMAs),
 * walked in index order. The root ({@code ma_root}) is an entry, or a node pointer tagged as the
 * kernel tags them: bit 1 set for the root ({@code xa_is_node}); every node pointer carries its node
 * type in bits 3-6 and the node is 256-byte aligned. Internal nodes are {@code maple_range_64} (15
 * pivots, 16 slots) or {@code maple_arange_64} (9 pivots, 10 slots, and the gaps); leaves are
 * {@code maple_leaf_64}, laid out as {@code maple_range_64}. Slot {@code i} holds the indices from
 * the previous pivot + 1 to pivot {@code i}; a node's data ends at the first zero pivot after slot 0,
 * at its maximum, or with its last slot (whose place a node that is not full uses for metadata).
 */
public final class MapleTree {
    private static final int MAPLE_DENSE = 0;
    private static final int MAPLE_LEAF_64 = 1;
    private static final int MAPLE_RANGE_64 = 2;
    private static final int MAPLE_ARANGE_64 = 3;
    private static final int MAX_DEPTH = 16;

    /** One non-empty range of the tree: indices {@code first} to {@code last} hold {@code value}. */
    public record Entry(long first, long last, long value) {
    }

    private final Kernel k;
    private final long pivotOffset64;
    private final long slotOffset64;
    private final long pivotOffsetA64;
    private final long slotOffsetA64;

    private MapleTree(Kernel k) {
        this.k = k;
        Value r = k.object("struct maple_range_64", 0);
        this.pivotOffset64 = r.member("pivot").address();
        this.slotOffset64 = r.member("slot").address();
        Value a = k.object("struct maple_arange_64", 0);
        this.pivotOffsetA64 = a.member("pivot").address();
        this.slotOffsetA64 = a.member("slot").address();
    }

    /** Every non-empty entry of the maple tree at {@code tree} (a {@code struct maple_tree}), in index order. */
    public static List<Entry> entries(Kernel k, long tree) {
        MapleTree t = new MapleTree(k);
        long root = k.object("struct maple_tree", tree).member("ma_root").u64();
        List<Entry> out = new ArrayList<>();
        if (root == 0) {
            return out;
        }
        if (!isNode(root)) {
            out.add(new Entry(0, 0, root)); // a tree of one entry, at index 0
            return out;
        }
        t.walk(root, 0, -1L, 0, out);
        return out;
    }

    /** {@code xa_is_node}: a tagged node pointer, not an entry. */
    private static boolean isNode(long entry) {
        return (entry & 3) == 2 && Long.compareUnsigned(entry, 4096) > 0;
    }

    private void walk(long enode, long min, long max, int depth, List<Entry> out) {
        if (depth > MAX_DEPTH) {
            throw new FaultException(enode, "maple tree deeper than " + MAX_DEPTH + " levels: corrupt");
        }
        long node = enode & ~0xffL;
        int type = (int) (enode >>> 3) & 0xf;
        int slots;
        long pivots;
        long slotBase;
        switch (type) {
            case MAPLE_LEAF_64, MAPLE_RANGE_64 -> {
                slots = 16;
                pivots = node + pivotOffset64;
                slotBase = node + slotOffset64;
            }
            case MAPLE_ARANGE_64 -> {
                slots = 10;
                pivots = node + pivotOffsetA64;
                slotBase = node + slotOffsetA64;
            }
            case MAPLE_DENSE -> throw new FaultException(enode, "dense maple nodes are not read");
            default -> throw new FaultException(enode, "maple node of unknown type " + type + ": corrupt");
        }
        var mem = k.memory();
        long first = min;
        for (int i = 0; i < slots; i++) {
            long last;
            if (i == slots - 1) {
                last = max;
            } else {
                last = mem.u64(pivots + 8L * i);
                if (last == 0 && i > 0) {
                    break; // the data ended at the slot before
                }
            }
            long slot = mem.u64(slotBase + 8L * i);
            if (slot != 0) {
                if (type == MAPLE_LEAF_64) {
                    out.add(new Entry(first, last, slot));
                } else {
                    walk(slot, first, last, depth + 1, out);
                }
            }
            if (last == max) {
                break;
            }
            first = last + 1;
        }
    }
}
