package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.NDManager;
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
        x = patch_embed.forward(x);
        if (pos_embed != null) {
            x = x.add(pos_embed.array());
        }
        for (Block blk : blocks.items()) {
            x = forwardScoped(blk, x);
        }
        return neck.forward(x.transpose(0, 3, 1, 2));
    }

    /**
     * One block in its own NDScope: its intermediates are released when it ends, as PyTorch's reference counting
     * releases them, instead of piling up until the caller's scope closes (at 1024² each global block makes ~2 GB
     * of attention maps; twelve blocks held together exceeded 14 GB). The autograd graph keeps its own references
     * to whatever backward needs.
     */
    private static NDArray forwardScoped(Block blk, NDArray x) {
        NDArray y;
        try (NDScope scope = new NDScope()) {
            y = blk.forward(x);
            NDScope.unregister(y);
        }
        NDScope.register(y);
        return y;
    }
}
