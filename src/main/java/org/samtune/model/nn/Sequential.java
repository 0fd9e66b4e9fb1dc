package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code torch.nn.Sequential}: layers named "0", "1", ... applied in order. Parameter-free layers (GELU) take an
 * index too, which is why SAM's keys skip numbers ({@code mask_downscaling.3.weight} after a GELU at 2).
 */
public final class Sequential extends Module implements Layer {
    private final List<Layer> layers = new ArrayList<>();

    public Sequential(NDManager manager) {
        super(manager);
    }

    public <M extends Module & Layer> Sequential add(M layer) {
        module(Integer.toString(layers.size()), layer);
        layers.add(layer);
        return this;
    }

    public Layer get(int i) {
        return layers.get(i);
    }

    public int size() {
        return layers.size();
    }

    @Override
    public NDArray forward(NDArray x) {
        for (Layer l : layers) {
            x = l.forward(x);
        }
        return x;
    }
}
