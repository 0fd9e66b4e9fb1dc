package org.samtune.serve;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Image embeddings of the slices prompted most recently, at most {@code capacity} of them (ViT-B: 256×64×64
 * float32 = 4 MiB each); the least recently used is closed when another is added. Used under the model's lock.
 */
final class EmbeddingCache implements AutoCloseable {
    private final int capacity;
    private final Map<String, PromptModel.Embedded> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long hits;
    private long misses;
    private volatile int count;

    EmbeddingCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("embedding cache capacity " + capacity + " < 1");
        }
        this.capacity = capacity;
    }

    /** The cached embedding for {@code key}, or a new one from {@code compute} (which may take seconds). */
    PromptModel.Embedded get(String key, Supplier<PromptModel.Embedded> compute) {
        PromptModel.Embedded e = entries.get(key);
        if (e != null) {
            hits++;
            return e;
        }
        misses++;
        e = compute.get();
        entries.put(key, e);
        while (entries.size() > capacity) {
            String eldest = entries.keySet().iterator().next();
            entries.remove(eldest).close();
        }
        count = entries.size();
        return e;
    }

    boolean contains(String key) {
        return entries.containsKey(key);
    }

    /** Entries now (read without the model's lock: a progress figure, not a decision). */
    int size() {
        return count;
    }

    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }

    @Override
    public void close() {
        entries.values().forEach(PromptModel.Embedded::close);
        entries.clear();
        count = 0;
    }
}
