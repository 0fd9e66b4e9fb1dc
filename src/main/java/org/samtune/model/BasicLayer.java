package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.ModuleList;

/**
 * One transformer stage of TinyViT ({@code layers.1..3}): TinyViT blocks at a fixed resolution on
 * (B, H·W, dim) tokens, then an optional PatchMerging.
 */
public class BasicLayer extends Module implements Layer {
    public final int dim;
    public final int height;
    public final int width;
    public final ModuleList<TinyViTBlock> blocks;
    /** Null for the last stage. */
    public final PatchMerging downsample;

    public BasicLayer(NDManager manager, int dim, int height, int width, int depth, int numHeads, int windowSize,
                      double mlpRatio, int localConvSize, Integer outDim) {
        super(manager);
        this.dim = dim;
        this.height = height;
        this.width = width;
        blocks = module("blocks", new ModuleList<>(manager));
        for (int i = 0; i < depth; i++) {
            blocks.add(new TinyViTBlock(manager, dim, height, width, numHeads, windowSize, mlpRatio, localConvSize));
        }
        downsample = outDim == null ? null
                : module("downsample", new PatchMerging(manager, height, width, dim, outDim));
    }

    @Override
    public NDArray forward(NDArray x) {
        for (TinyViTBlock blk : blocks.items()) {
            x = blk.forward(x);
        }
        return downsample == null ? x : downsample.forward(x);
    }
}
