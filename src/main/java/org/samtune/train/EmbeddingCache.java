package org.samtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.Supplier;

/**
 * Image embeddings of a frozen encoder, kept so that epochs after the first run only the prompt encoder and the
 * decoder. Two kinds: {@link MemoryEmbeddingCache} (per run, in RAM) and {@link DiskEmbeddingCache} (a folder shared
 * by runs and seeds, bounded, verified on read).
 */
public interface EmbeddingCache extends AutoCloseable {

    /**
     * The embedding (1, C, h, w) of one prepared training image.
     *
     * @param manager where a returned array that is not held by the cache is created (the step's scope)
     * @param index   the slice's position in the training set (what identifies it within one run)
     * @param image   the prepared model input (3·S·S floats, after resizing and normalisation), what identifies it
     *                across runs
     * @param compute computes the embedding when the cache has none
     */
    NDArray embedding(NDManager manager, int index, float[] image, Supplier<NDArray> compute);

    /** One line for the run log: what the cache holds and did. */
    String describe();

    @Override
    void close();
}
