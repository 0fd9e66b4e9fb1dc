package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.samtune.model.nn.BatchNorm2d;
import org.samtune.model.nn.Conv2d;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Module;

/**
 * TinyViT's {@code Conv2d_BN}: a bias-free Conv2d ({@code c}) followed by BatchNorm2d ({@code bn}, eps 1e-5,
 * momentum 0.1). In training mode the BatchNorm normalises with batch statistics and updates its running
 * statistics, even when its parameters are frozen.
 *
 * <p>In eval mode the BatchNorm is a per-channel affine map of the running statistics, so it is folded into the
 * convolution: one pass over the output instead of two (TinyViT's MBConv stage writes 64 MB maps at 1024²). The
 * folded weights are computed from the current parameters on every call (a few small ops), so nothing goes stale
 * after loading or training, and gradients still reach {@code c.weight}, {@code bn.weight} and {@code bn.bias}.
 * The result equals conv then BatchNorm up to float rounding ({@code Conv2dBNFoldParityTest}).
 */
public class Conv2dBN extends Module implements Layer {
    public final Conv2d c;
    public final BatchNorm2d bn;
    /** MobileSAM initialises the BN weight of an MBConv's last conv to 0 (the block starts as identity). */
    private final float bnWeightInit;

    public Conv2dBN(NDManager manager, int in, int out, int kernel, int stride, int padding, int groups,
                    float bnWeightInit) {
        super(manager);
        this.c = module("c", new Conv2d(manager, in, out, kernel, stride, padding, groups, false));
        this.bn = module("bn", new BatchNorm2d(manager, out));
        this.bnWeightInit = bnWeightInit;
    }

    public Conv2dBN(NDManager manager, int in, int out, int kernel, int stride, int padding, int groups) {
        this(manager, in, out, kernel, stride, padding, groups, 1f);
    }

    /** A 1×1 convolution, stride 1, no padding. */
    public Conv2dBN(NDManager manager, int in, int out) {
        this(manager, in, out, 1, 1, 0, 1);
    }

    @Override
    public NDArray forward(NDArray x) {
        return isTraining() ? bn.forward(c.forward(x)) : folded(x);
    }

    /**
     * conv(x, W·s) + (β − μ·s), s = γ / √(σ² + eps): BatchNorm's eval formula moved onto the weights. libtorch's
     * eval batch_norm computes the same per-channel s and shift, in float.
     */
    private NDArray folded(NDArray x) {
        NDManager m = x.getManager();
        NDArray std = bn.runningVar().add(m.full(new Shape(), bn.eps, bn.runningVar().getDataType())).sqrt();
        NDArray s = bn.weight.array().div(std);
        NDArray w = c.weight.array().mul(s.reshape(-1, 1, 1, 1));
        NDArray b = bn.bias.array().sub(bn.runningMean().mul(s));
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, w, b, new Shape(c.stride, c.stride),
                new Shape(c.padding, c.padding), new Shape(1, 1), c.groups).singletonOrThrow();
    }

    /** MobileSAM's {@code bn_weight_init}; {@link TinyViT#initializeWeights} applies it after the layers' resets. */
    void applyBnWeightInit() {
        if (bnWeightInit != 1f) {
            float[] v = new float[bn.channels];
            java.util.Arrays.fill(v, bnWeightInit);
            bn.weight.assign(v);
        }
    }
}
