package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/** {@code torch.nn.ConvTranspose2d} without padding; weight stored (in, out, k, k) as PyTorch does. */
public class ConvTranspose2d extends Module implements Layer {
    public final int inChannels;
    public final int outChannels;
    public final int kernel;
    public final int stride;
    public final Parameter weight;
    public final Parameter bias;

    public ConvTranspose2d(NDManager manager, int inChannels, int outChannels, int kernel, int stride, boolean bias) {
        super(manager);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.weight = parameter("weight", inChannels, outChannels, kernel, kernel);
        this.bias = bias ? parameter("bias", outChannels) : null;
    }

    @Override
    public NDArray forward(NDArray x) {
        return ai.djl.nn.convolutional.Conv2dTranspose.conv2dTranspose(x, weight.array(),
                bias == null ? null : bias.array(), new Shape(stride, stride), new Shape(0, 0), new Shape(0, 0),
                new Shape(1, 1), 1).singletonOrThrow();
    }

    /** PyTorch computes fan_in from weight.size(1)·k·k for transposed convolutions. */
    @Override
    protected void resetParameters(Random rng) {
        double bound = 1.0 / Math.sqrt((double) outChannels * kernel * kernel);
        uniform(weight, bound, rng);
        if (bias != null) {
            uniform(bias, bound, rng);
        }
    }
}
