package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Activations;
import org.samtune.model.nn.Linear;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.ModuleList;

/** mask_decoder.py's {@code MLP}: {@code numLayers} Linear layers with ReLU between (hypernetworks, IoU head). */
public final class MLP extends Module {
    public final ModuleList<Linear> layers;
    private final boolean sigmoidOutput;

    public MLP(NDManager manager, int inputDim, int hiddenDim, int outputDim, int numLayers, boolean sigmoidOutput) {
        super(manager);
        layers = module("layers", new ModuleList<>(manager));
        for (int i = 0; i < numLayers; i++) {
            layers.add(new Linear(manager, i == 0 ? inputDim : hiddenDim, i == numLayers - 1 ? outputDim : hiddenDim));
        }
        this.sigmoidOutput = sigmoidOutput;
    }

    public NDArray forward(NDArray x) {
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(x);
            if (i < layers.size() - 1) {
                x = Activations.relu(x);
            }
        }
        return sigmoidOutput ? ai.djl.nn.Activation.sigmoid(x) : x;
    }
}
