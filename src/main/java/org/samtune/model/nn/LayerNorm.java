package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/** {@code torch.nn.LayerNorm} over the last dimension. SAM's encoder uses eps 1e-6, its decoder 1e-5. */
public class LayerNorm extends Module implements Layer {
    public final int dim;
    public final float eps;
    public final Parameter weight;
    public final Parameter bias;

    public LayerNorm(NDManager manager, int dim, float eps) {
        super(manager);
        this.dim = dim;
        this.eps = eps;
        this.weight = parameter("weight", dim);
        this.bias = parameter("bias", dim);
        fill(weight, 1f);
    }

    @Override
    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(dim), weight.array(), bias.array(), eps)
                .singletonOrThrow();
    }

    @Override
    protected void resetParameters(Random rng) {
        fill(weight, 1f);
        fill(bias, 0f);
    }
}
