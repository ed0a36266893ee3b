package org.coroner.dump;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small LRU of decompressed pages keyed by page frame number. Decompression happens outside
 * the lock; two threads missing on the same page may both decompress it (harmless, rare).
 */
final class PageCache {
    private final Map<Long, byte[]> map;

    PageCache(int capacity) {
        this.map = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized byte[] get(long pfn) {
        return map.get(pfn);
    }

    synchronized void put(long pfn, byte[] page) {
        map.put(pfn, page);
    }
}
