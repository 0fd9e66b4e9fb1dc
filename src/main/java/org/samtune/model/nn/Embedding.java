package org.samtune.model.nn;

import ai.djl.ndarray.NDManager;
import java.util.Random;

/** {@code torch.nn.Embedding}; SAM only reads its weight table directly (tokens, point embeddings). */
public class Embedding extends Module {
    public final int num;
    public final int dim;
    public final Parameter weight;

    public Embedding(NDManager manager, int num, int dim) {
        super(manager);
        this.num = num;
        this.dim = dim;
        this.weight = parameter("weight", num, dim);
    }

    /** PyTorch's default: N(0, 1). */
    @Override
    protected void resetParameters(Random rng) {
        normal(weight, 1.0, rng);
    }
}
