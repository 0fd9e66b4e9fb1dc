package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.SamtuneException;
import org.samtune.model.nn.Conv2d;
import org.samtune.model.nn.LayerNorm2d;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.ModuleList;
import org.samtune.model.nn.Parameter;
import org.samtune.model.nn.Sequential;

/**
 * SAM's ViTDet-style image encoder: patch embedding + absolute position embedding, windowed and global
 * transformer blocks, and a convolutional neck down to {@code out_chans} channels.
 */
public final class ImageEncoderViT extends Module implements ImageEncoder {
    public final SamConfig.ViT config;
    public final Parameter pos_embed;
    public final PatchEmbed patch_embed;
    public final ModuleList<Block> blocks;
    public final Sequential neck;

    public ImageEncoderViT(NDManager manager, SamConfig.ViT c) {
        super(manager);
        this.config = c;
        int grid = c.gridSize();
        // absolute position embedding for the pretraining image size, zero-initialised as in the reference
        pos_embed = c.useAbsPos() ? parameter("pos_embed", 1, grid, grid, c.embedDim()) : null;
        patch_embed = module("patch_embed", new PatchEmbed(manager, c.patchSize(), c.inChans(), c.embedDim()));
        blocks = module("blocks", new ModuleList<>(manager));
        for (int i = 0; i < c.depth(); i++) {
            blocks.add(new Block(manager, c.embedDim(), c.numHeads(), c.mlpRatio(), c.qkvBias(), c.useRelPos(),
                    c.isGlobal(i) ? 0 : c.windowSize(), grid, c.blockOrder()));
        }
        neck = module("neck", new Sequential(manager)
                .add(new Conv2d(manager, c.embedDim(), c.outChans(), 1, 1, 0, false))
                .add(new LayerNorm2d(manager, c.outChans()))
                .add(new Conv2d(manager, c.outChans(), c.outChans(), 3, 1, 1, false))
                .add(new LayerNorm2d(manager, c.outChans())));
    }

    @Override
    public int imgSize() {
        return config.imgSize();
    }

    @Override
    public int outChans() {
        return config.outChans();
    }

    /** (B, 3, S, S) → (B, out_chans, S/16, S/16). */
    @Override
    public NDArray forward(NDArray x) {
        return forward(x, java.util.function.UnaryOperator.identity());
    }

    @Override
    public NDArray forward(NDArray x, java.util.function.UnaryOperator<NDArray> afterPatchEmbed) {
        long[] s = x.getShape().getShape();
        if (s.length != 4 || s[1] != config.inChans() || s[2] != config.imgSize() || s[3] != config.imgSize()) {
            throw new SamtuneException("image encoder: expected a preprocessed batch (B, " + config.inChans() + ", "
                    + config.imgSize() + ", " + config.imgSize() + "), got " + x.getShape()
                    + " (resize the longest side to " + config.imgSize() + " and pad)");
        }
        x = afterPatchEmbed.apply(patch_embed.forward(x));
        if (pos_embed != null) {
            x = x.add(pos_embed.array());
        }
        for (Block blk : blocks.items()) {
            x = blk.forward(x);
        }
        return neck.forward(x.transpose(0, 3, 1, 2));
    }
}
