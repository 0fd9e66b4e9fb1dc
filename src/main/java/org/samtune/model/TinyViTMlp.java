package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Activations;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.LayerNorm;
import org.samtune.model.nn.Linear;
import org.samtune.model.nn.Module;

/** TinyViT's {@code Mlp}: its own pre-LayerNorm, then Linear → GELU → Linear (dropout 0 in MobileSAM). */
public class TinyViTMlp extends Module implements Layer {
    public final LayerNorm norm;
    public final Linear fc1;
    public final Linear fc2;

    public TinyViTMlp(NDManager manager, int inFeatures, int hiddenFeatures) {
        super(manager);
        norm = module("norm", new LayerNorm(manager, inFeatures, 1e-5f));
        fc1 = module("fc1", new Linear(manager, inFeatures, hiddenFeatures));
        fc2 = module("fc2", new Linear(manager, hiddenFeatures, inFeatures));
    }

    @Override
    public NDArray forward(NDArray x) {
        x = norm.forward(x);
        x = Activations.gelu(fc1.forward(x));
        return fc2.forward(x);
    }
}
