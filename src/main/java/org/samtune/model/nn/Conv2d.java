package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/** {@code torch.nn.Conv2d} on NCHW input; weight (out, in/groups, k, k). */
public class Conv2d extends Module implements Layer {
    public final int inChannels;
    public final int outChannels;
    public final int kernel;
    public final int stride;
    public final int padding;
    public final int groups;
    public final Parameter weight;
    public final Parameter bias;

    public Conv2d(NDManager manager, int inChannels, int outChannels, int kernel, int stride, int padding,
                  int groups, boolean bias) {
        super(manager);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.groups = groups;
        this.weight = parameter("weight", outChannels, inChannels / groups, kernel, kernel);
        this.bias = bias ? parameter("bias", outChannels) : null;
    }

    public Conv2d(NDManager manager, int inChannels, int outChannels, int kernel, int stride, int padding, boolean bias) {
        this(manager, inChannels, outChannels, kernel, stride, padding, 1, bias);
    }

    @Override
    public NDArray forward(NDArray x) {
        if (Compute.precision() == Precision.BF16) {
            return TorchScriptOps.required().conv2dBf16(x, weight.array(), bias == null ? null : bias.array(),
                    stride, padding, groups);
        }
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight.array(), bias == null ? null : bias.array(),
                new Shape(stride, stride), new Shape(padding, padding), new Shape(1, 1), groups).singletonOrThrow();
    }

    @Override
    protected void resetParameters(Random rng) {
        double bound = 1.0 / Math.sqrt((double) inChannels / groups * kernel * kernel);
        uniform(weight, bound, rng);
        if (bias != null) {
            uniform(bias, bound, rng);
        }
    }
}
