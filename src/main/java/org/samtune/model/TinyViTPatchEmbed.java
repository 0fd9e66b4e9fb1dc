package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Activations;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.ModuleList;

/**
 * TinyViT's {@code PatchEmbed}: two stride-2 3×3 Conv2d_BN with a GELU between ({@code seq.0}, GELU,
 * {@code seq.2}), (B, 3, S, S) → (B, embedDim, S/4, S/4).
 */
public class TinyViTPatchEmbed extends Module implements Layer {
    public final ModuleList<Conv2dBN> seq;

    public TinyViTPatchEmbed(NDManager manager, int inChans, int embedDim) {
        super(manager);
        seq = module("seq", new ModuleList<>(manager));
        seq.add(new Conv2dBN(manager, inChans, embedDim / 2, 3, 2, 1, 1));
        seq.skip(); // seq.1 is the GELU
        seq.add(new Conv2dBN(manager, embedDim / 2, embedDim, 3, 2, 1, 1));
    }

    @Override
    public NDArray forward(NDArray x) {
        x = seq.get(0).forward(x);
        x = Activations.gelu(x);
        return seq.get(2).forward(x);
    }
}
