package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.BatchNorm2d;
import org.samtune.model.nn.Conv2d;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Module;

/**
 * TinyViT's {@code Conv2d_BN}: a bias-free Conv2d ({@code c}) followed by BatchNorm2d ({@code bn}, eps 1e-5,
 * momentum 0.1). In training mode the BatchNorm normalises with batch statistics and updates its running
 * statistics, even when its parameters are frozen.
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
        return bn.forward(c.forward(x));
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
