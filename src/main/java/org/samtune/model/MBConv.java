package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.samtune.model.nn.Activations;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Module;

/**
 * TinyViT's inverted-residual block of the convolutional stage, on NCHW maps: 1×1 expand, GELU, depthwise 3×3,
 * GELU, 1×1 project, then the shortcut is added BEFORE the last GELU.
 */
public class MBConv extends Module implements Layer {
    public final int inChans;
    public final int hiddenChans;
    public final Conv2dBN conv1;
    public final Conv2dBN conv2;
    public final Conv2dBN conv3;

    public MBConv(NDManager manager, int inChans, int outChans, double expandRatio) {
        super(manager);
        this.inChans = inChans;
        this.hiddenChans = (int) (inChans * expandRatio);
        conv1 = module("conv1", new Conv2dBN(manager, inChans, hiddenChans));
        conv2 = module("conv2", new Conv2dBN(manager, hiddenChans, hiddenChans, 3, 1, 1, hiddenChans));
        conv3 = module("conv3", new Conv2dBN(manager, hiddenChans, outChans, 1, 1, 0, 1, 0f));
    }

    @Override
    public NDArray forward(NDArray x) {
        // The expanded maps are 4× the input; free them at the end of the block rather than of the whole pass.
        NDArray out;
        try (NDScope scope = new NDScope()) {
            NDArray shortcut = x;
            NDArray h = Activations.gelu(conv1.forward(x));
            h = Activations.gelu(conv2.forward(h));
            h = conv3.forward(h);
            out = Activations.gelu(h.add(shortcut));
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }
}
