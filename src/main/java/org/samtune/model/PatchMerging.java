package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Activations;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Module;

/**
 * TinyViT's downsampling between stages: 1×1 Conv2d_BN (dim → outDim), GELU, depthwise 3×3 Conv2d_BN, GELU,
 * 1×1 Conv2d_BN; no GELU after the last conv. Input: NCHW maps or (B, H·W, dim) tokens at the stage's
 * resolution; output tokens (B, H'·W', outDim).
 *
 * <p>MobileSAM keeps the 64×64 grid for its last merge: the depthwise conv has stride 1 when outDim is 320, 448
 * or 576 (the last widths of TinyViT-5M/11M/21M), stride 2 otherwise.
 */
public class PatchMerging extends Module implements Layer {
    public final int height;
    public final int width;
    public final int dim;
    public final int outDim;
    public final int stride;
    public final Conv2dBN conv1;
    public final Conv2dBN conv2;
    public final Conv2dBN conv3;

    public PatchMerging(NDManager manager, int height, int width, int dim, int outDim) {
        super(manager);
        this.height = height;
        this.width = width;
        this.dim = dim;
        this.outDim = outDim;
        this.stride = strideFor(outDim);
        conv1 = module("conv1", new Conv2dBN(manager, dim, outDim));
        conv2 = module("conv2", new Conv2dBN(manager, outDim, outDim, 3, stride, 1, outDim));
        conv3 = module("conv3", new Conv2dBN(manager, outDim, outDim));
    }

    /** MobileSAM's special case: {@code stride_c = 1 if out_dim in (320, 448, 576) else 2}. */
    public static int strideFor(int outDim) {
        return outDim == 320 || outDim == 448 || outDim == 576 ? 1 : 2;
    }

    @Override
    public NDArray forward(NDArray x) {
        if (x.getShape().dimension() == 3) {
            long b = x.getShape().get(0);
            x = x.reshape(b, height, width, -1).transpose(0, 3, 1, 2);
        }
        x = Activations.gelu(conv1.forward(x));
        x = Activations.gelu(conv2.forward(x));
        x = conv3.forward(x);
        long b = x.getShape().get(0);
        return x.reshape(b, outDim, -1).transpose(0, 2, 1);
    }
}
