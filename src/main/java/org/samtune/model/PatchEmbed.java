package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Conv2d;
import org.samtune.model.nn.Module;

/** Image to patch embedding: a strided convolution, output channels-last (B, H/p, W/p, D) as the ViT blocks want. */
public final class PatchEmbed extends Module {
    public final Conv2d proj;

    public PatchEmbed(NDManager manager, int patchSize, int inChans, int embedDim) {
        super(manager);
        proj = module("proj", new Conv2d(manager, inChans, embedDim, patchSize, patchSize, 0, true));
    }

    public NDArray forward(NDArray x) {
        x = proj.forward(x);
        // B C H W -> B H W C
        return x.transpose(0, 2, 3, 1);
    }
}
