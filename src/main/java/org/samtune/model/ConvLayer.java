package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.ModuleList;

/**
 * TinyViT's convolutional stage ({@code layers.0}): MBConv blocks on the (B, dim, H, W) map, then an optional
 * PatchMerging to tokens.
 */
public class ConvLayer extends Module implements Layer {
    public final int dim;
    public final ModuleList<MBConv> blocks;
    /** Null for a last stage (never the case in MobileSAM). */
    public final PatchMerging downsample;

    public ConvLayer(NDManager manager, int dim, int height, int width, int depth, double expandRatio,
                     Integer outDim) {
        super(manager);
        this.dim = dim;
        blocks = module("blocks", new ModuleList<>(manager));
        for (int i = 0; i < depth; i++) {
            blocks.add(new MBConv(manager, dim, dim, expandRatio));
        }
        downsample = outDim == null ? null
                : module("downsample", new PatchMerging(manager, height, width, dim, outDim));
    }

    @Override
    public NDArray forward(NDArray x) {
        for (MBConv blk : blocks.items()) {
            x = blk.forward(x);
        }
        return downsample == null ? x : downsample.forward(x);
    }
}
