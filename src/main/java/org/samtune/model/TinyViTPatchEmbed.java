package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Activation;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.Sequential;

/**
 * TinyViT's {@code PatchEmbed}: two stride-2 3×3 Conv2d_BN with a GELU between ({@code seq.0}, GELU,
 * {@code seq.2}), (B, 3, S, S) → (B, embedDim, S/4, S/4).
 */
public class TinyViTPatchEmbed extends Module implements Layer {
    public final Sequential seq;

    public TinyViTPatchEmbed(NDManager manager, int inChans, int embedDim) {
        super(manager);
        seq = module("seq", new Sequential(manager)
                .add(new Conv2dBN(manager, inChans, embedDim / 2, 3, 2, 1, 1))
                .add(Activation.gelu(manager))
                .add(new Conv2dBN(manager, embedDim / 2, embedDim, 3, 2, 1, 1)));
    }

    @Override
    public NDArray forward(NDArray x) {
        return seq.forward(x);
    }
}
