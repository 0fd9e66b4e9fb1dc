package org.samtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Embeddings of one run in RAM, by training-set position (ViT-B: 4 MiB per slice). Freed when the run ends.
 */
public final class MemoryEmbeddingCache implements EmbeddingCache {
    private final NDManager cacheManager;
    private final Map<Integer, NDArray> cache = new HashMap<>();

    /** @param parent the model's manager; the cache holds its arrays in a sub-manager of it */
    public MemoryEmbeddingCache(NDManager parent) {
        this.cacheManager = parent.newSubManager();
    }

    @Override
    public NDArray embedding(NDManager manager, int index, float[] image, Supplier<NDArray> compute) {
        NDArray cached = cache.get(index);
        if (cached == null) {
            cached = compute.get().duplicate();
            NDScope.unregister(cached);
            cached.attach(cacheManager);
            cache.put(index, cached);
        }
        return cached;
    }

    @Override
    public String describe() {
        return "embedding cache in memory: " + cache.size() + " images";
    }

    @Override
    public void close() {
        cacheManager.close();
    }
}
