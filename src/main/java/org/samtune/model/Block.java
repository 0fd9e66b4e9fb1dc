package org.samtune.model;

import org.samtune.model.nn.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Activation;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.LayerNorm;
import org.samtune.model.nn.Module;

/**
 * A ViT block with window attention and residual propagation (image_encoder.py {@code Block}).
 *
 * <p>Optional finetune-SAM adapters (state-dict names {@code Space_Adapter}, {@code MLP_Adapter},
 * {@code Depth_Adapter}) are attached by {@code org.samtune.peft.Adapters}: Space_Adapter (residual) on the
 * attention output, MLP_Adapter (non-residual, scaled) in parallel with the MLP. Depth_Adapter only serves
 * finetune-SAM's 3-D branch; it is carried for state-dict compatibility and never called.
 */
public final class Block extends Module {
    public final LayerNorm norm1;
    public final RelPosAttention attn;
    public final LayerNorm norm2;
    public final MLPBlock mlp;
    /** 0 for global attention. */
    public final int windowSize;
    public final BlockOrder order;

    private Layer spaceAdapter;
    private Layer mlpAdapter;
    private float mlpAdapterScale;

    public Block(NDManager manager, int dim, int numHeads, double mlpRatio, boolean qkvBias, boolean useRelPos,
                 int windowSize, int inputSize, BlockOrder order) {
        super(manager);
        norm1 = module("norm1", new LayerNorm(manager, dim, 1e-6f));
        attn = module("attn", new RelPosAttention(manager, dim, numHeads, qkvBias, useRelPos,
                windowSize == 0 ? inputSize : windowSize));
        norm2 = module("norm2", new LayerNorm(manager, dim, 1e-6f));
        mlp = module("mlp", new MLPBlock(manager, dim, (int) (dim * mlpRatio), Activation.gelu(manager)));
        this.windowSize = windowSize;
        this.order = order;
    }

    /**
     * Attaches finetune-SAM's encoder adapters. {@code depth} may be null; when given it is registered (keys
     * {@code Depth_Adapter.*}) but unused, as in finetune-SAM's 2-D path.
     */
    public <A extends Module & Layer> void attachAdapters(A space, A mlpAdapter, A depth, float mlpScale) {
        if (spaceAdapter != null) {
            throw new IllegalStateException("block already has adapters");
        }
        module("MLP_Adapter", mlpAdapter);
        module("Space_Adapter", space);
        if (depth != null) {
            module("Depth_Adapter", depth);
        }
        this.spaceAdapter = space;
        this.mlpAdapter = mlpAdapter;
        this.mlpAdapterScale = mlpScale;
    }

    public boolean hasAdapters() {
        return spaceAdapter != null;
    }

    /** (B, H, W, C) → (B, H, W, C); intermediates are released when the block returns. */
    public NDArray forward(NDArray x) {
        return scoped(() -> forwardBlock(x));
    }

    private NDArray forwardBlock(NDArray x) {
        // a staged attention needs the block's input cut too (see StagedBackward#cutThrough)
        NDArray in = x;
        x = attn.staged().map(s -> s.cutThrough(in)).orElse(x);
        NDArray shortcut = x;
        if (order == BlockOrder.OFFICIAL) {
            x = norm1.forward(x);
        }
        long h = x.getShape().get(1);
        long w = x.getShape().get(2);
        Windows.Partition p = null;
        if (windowSize > 0) {
            p = Windows.partition(x, windowSize);
            x = p.windows();
        }
        if (order == BlockOrder.FINETUNE_SAM) {
            x = norm1.forward(x);
        }
        x = attn.forward(x);
        if (spaceAdapter != null) {
            x = spaceAdapter.forward(x);
        }
        if (windowSize > 0) {
            x = Windows.unpartition(x, windowSize, p.paddedH(), p.paddedW(), h, w);
        }
        x = shortcut.add(x);
        NDArray xn = norm2.forward(x);
        if (mlpAdapter == null) {
            return x.add(mlp.forward(xn));
        }
        return x.add(mlp.forward(xn)).add(Scalars.mul(mlpAdapter.forward(xn), mlpAdapterScale));
    }
}
