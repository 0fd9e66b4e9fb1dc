package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Conv2d;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.LayerNorm2d;
import org.samtune.model.nn.Module;

/**
 * MobileSAM's {@code neck} (an {@code nn.Sequential}, hence keys {@code neck.0} .. {@code neck.3}): 1×1 conv
 * (no bias) → LayerNorm2d(eps 1e-6) → 3×3 conv (no bias) → LayerNorm2d, on NCHW maps.
 */
public class TinyViTNeck extends Module implements Layer {
    private final Conv2d conv0;
    private final LayerNorm2d norm1;
    private final Conv2d conv2;
    private final LayerNorm2d norm3;

    public TinyViTNeck(NDManager manager, int inChans, int outChans) {
        super(manager);
        conv0 = module("0", new Conv2d(manager, inChans, outChans, 1, 1, 0, false));
        norm1 = module("1", new LayerNorm2d(manager, outChans, 1e-6f));
        conv2 = module("2", new Conv2d(manager, outChans, outChans, 3, 1, 1, false));
        norm3 = module("3", new LayerNorm2d(manager, outChans, 1e-6f));
    }

    @Override
    public NDArray forward(NDArray x) {
        x = norm1.forward(conv0.forward(x));
        return norm3.forward(conv2.forward(x));
    }
}
