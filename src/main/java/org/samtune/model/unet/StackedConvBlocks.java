package org.samtune.model.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.Sequential;

/** nnU-Net's {@code StackedConvBlocks}: {@code n} {@link ConvNormAct} in a row ({@code convs.0}, {@code convs.1}, ...). */
public final class StackedConvBlocks extends Module implements Layer {
    private final Sequential convs;

    public StackedConvBlocks(NDManager manager, int n, int in, int out, int kernel, int firstStride) {
        super(manager);
        convs = module("convs", new Sequential(manager));
        for (int i = 0; i < n; i++) {
            convs.add(new ConvNormAct(manager, i == 0 ? in : out, out, kernel, i == 0 ? firstStride : 1));
        }
    }

    @Override
    public NDArray forward(NDArray x) {
        return convs.forward(x);
    }
}
