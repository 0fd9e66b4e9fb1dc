package org.samtune.model;

import org.samtune.model.nn.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Module;

/**
 * TinyViT's transformer block on (B, H·W, dim) tokens at a fixed resolution: window attention (zero-padding
 * bottom/right to whole windows), residual, depthwise 3×3 {@code local_conv}, then {@code x + mlp(x)}.
 *
 * <p>The padding is applied BEFORE the attention's LayerNorm, so padded positions become {@code attn.norm.bias}
 * and take part as keys and values; their outputs are cropped away.
 *
 * <p>finetune-SAM's adapter variant (spec §4.5) adds, when {@link #attachAdapters} was called:
 * {@code x = res + Space_Adapter(attn(x))} and {@code x = x + mlp(x) + 0.5·MLP_Adapter(x)} after the local conv
 * (the MLP adapter sees x un-normalised; the Mlp applies its own LayerNorm).
 */
public class TinyViTBlock extends Module implements Layer {
    /** finetune-SAM's {@code self.scale} for the parallel MLP adapter. */
    public static final float MLP_ADAPTER_SCALE = 0.5f;

    public final int dim;
    public final int height;
    public final int width;
    public final int numHeads;
    public final int windowSize;
    public final TinyViTAttention attn;
    public final TinyViTMlp mlp;
    public final Conv2dBN local_conv;
    private Layer spaceAdapter;
    private Layer mlpAdapter;

    public TinyViTBlock(NDManager manager, int dim, int height, int width, int numHeads, int windowSize,
                        double mlpRatio, int localConvSize) {
        super(manager);
        if (dim % numHeads != 0) {
            throw new IllegalArgumentException("dim " + dim + " is not divisible by num_heads " + numHeads);
        }
        this.dim = dim;
        this.height = height;
        this.width = width;
        this.numHeads = numHeads;
        this.windowSize = windowSize;
        attn = module("attn", new TinyViTAttention(manager, dim, numHeads, windowSize));
        mlp = module("mlp", new TinyViTMlp(manager, dim, (int) (dim * mlpRatio)));
        local_conv = module("local_conv",
                new Conv2dBN(manager, dim, dim, localConvSize, 1, localConvSize / 2, dim));
    }

    /**
     * Adds finetune-SAM's encoder adapters: {@code space} (residual, after attention) and {@code mlp} (no skip,
     * scaled by 0.5, parallel to the MLP), registered as {@code Space_Adapter} and {@code MLP_Adapter}.
     */
    public <A extends Module & Layer> void attachAdapters(A space, A mlpParallel) {
        if (spaceAdapter != null) {
            throw new IllegalStateException("adapters already attached to this TinyViTBlock");
        }
        // finetune-SAM registers MLP_Adapter first, then Space_Adapter (state-dict order).
        module("MLP_Adapter", mlpParallel);
        module("Space_Adapter", space);
        this.mlpAdapter = mlpParallel;
        this.spaceAdapter = space;
    }

    public boolean hasAdapters() {
        return spaceAdapter != null;
    }

    @Override
    public NDArray forward(NDArray x) {
        return scoped(() -> block(x));
    }

    private NDArray block(NDArray x) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        if (l != (long) height * width) {
            throw new IllegalArgumentException("TinyViTBlock expects " + height + "x" + width + " = "
                    + (long) height * width + " tokens, got " + l);
        }
        // Residuals are added in place on freshly computed arrays (a Linear's or an adapter's output, which backward
        // does not need), and maps are closed once used, so the allocator reuses their memory (see MBConv).
        NDArray a = windowAttention(x, b);
        if (spaceAdapter != null) {
            a = spaceAdapter.forward(a);
        }
        a = a.addi(x);

        // The depthwise local conv reads the tokens as a channels-last view (B, C, H, W) with (H, W, C) strides
        // rather than a transposed copy, and its channels-last output is viewed back as contiguous tokens for the
        // MLP's LayerNorm: two copies fewer than MobileSAM's transpose/reshape/view, same values.
        NDArray conv = local_conv.forward(a.reshape(b, height, width, dim).transpose(0, 3, 1, 2));
        a.close();
        x = conv.transpose(0, 2, 3, 1).reshape(b, l, dim);

        NDArray y = mlp.forward(x).addi(x);
        if (mlpAdapter != null) {
            y = y.add(Scalars.mul(mlpAdapter.forward(x), MLP_ADAPTER_SCALE));
        }
        return y;
    }

    /** Attention inside non-overlapping windows, all windows of the batch in one call. */
    private NDArray windowAttention(NDArray x, long b) {
        int ws = windowSize;
        if (height == ws && width == ws) {
            return attn.forward(x);
        }
        int padB = (ws - height % ws) % ws;
        int padR = (ws - width % ws) % ws;
        int ph = height + padB;
        int pw = width + padR;
        int nh = ph / ws;
        int nw = pw / ws;
        x = x.reshape(b, height, width, dim);
        if (padB > 0 || padR > 0) {
            // F.pad(x, (0, 0, 0, pad_r, 0, pad_b)): pairs from the last dimension backwards.
            x = x.pad(new Shape(0, 0, 0, padR, 0, padB), 0);
        }
        NDArray windows = x.reshape(b, nh, ws, nw, ws, dim).transpose(0, 1, 3, 2, 4, 5)
                .reshape(b * nh * nw, (long) ws * ws, dim);
        x.close();
        NDArray out = attn.forward(windows);
        windows.close();
        x = out.reshape(b, nh, nw, ws, ws, dim).transpose(0, 1, 3, 2, 4, 5).reshape(b, ph, pw, dim);
        out.close();
        if (padB > 0 || padR > 0) {
            NDArray padded = x;
            x = x.get(":, :" + height + ", :" + width).reshape(b, (long) height * width, dim);
            padded.close();
            return x;
        }
        return x.reshape(b, (long) height * width, dim);
    }
}
