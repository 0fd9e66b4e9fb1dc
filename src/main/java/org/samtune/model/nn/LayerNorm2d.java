package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Random;

/**
 * SAM's {@code LayerNorm2d}: normalises NCHW input over the channel dimension at each pixel, written as SAM writes
 * it (mean, biased variance, divide by sqrt(var + eps), per-channel affine).
 */
public class LayerNorm2d extends Module implements Layer {
    public final int channels;
    public final float eps;
    public final Parameter weight;
    public final Parameter bias;

    public LayerNorm2d(NDManager manager, int channels, float eps) {
        super(manager);
        this.channels = channels;
        this.eps = eps;
        this.weight = parameter("weight", channels);
        this.bias = parameter("bias", channels);
        fill(weight, 1f);
    }

    public LayerNorm2d(NDManager manager, int channels) {
        this(manager, channels, 1e-6f);
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray u = x.mean(new int[] {1}, true);
        NDArray centred = x.sub(u);
        NDArray s = centred.square().mean(new int[] {1}, true);
        NDArray normed = centred.div(s.add(eps).sqrt());
        return normed.mul(weight.array().reshape(1, channels, 1, 1)).add(bias.array().reshape(1, channels, 1, 1));
    }

    @Override
    protected void resetParameters(Random rng) {
        fill(weight, 1f);
        fill(bias, 0f);
    }
}
