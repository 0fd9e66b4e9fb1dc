package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Random;

/** {@code torch.nn.Linear}: y = x·Wᵀ + b over the last dimension; weight (out, in). */
public class Linear extends Module implements Layer {
    public final int inFeatures;
    public final int outFeatures;
    public final Parameter weight;
    public final Parameter bias;

    public Linear(NDManager manager, int inFeatures, int outFeatures, boolean bias) {
        super(manager);
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = parameter("weight", outFeatures, inFeatures);
        this.bias = bias ? parameter("bias", outFeatures) : null;
    }

    public Linear(NDManager manager, int inFeatures, int outFeatures) {
        this(manager, inFeatures, outFeatures, true);
    }

    @Override
    public NDArray forward(NDArray x) {
        if (Compute.precision() == Precision.BF16) {
            return TorchScriptOps.required().linearBf16(x, weight.array(), bias == null ? null : bias.array());
        }
        return bias == null
                ? ai.djl.nn.core.Linear.linear(x, weight.array()).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x, weight.array(), bias.array()).singletonOrThrow();
    }

    /** PyTorch's reset_parameters: kaiming_uniform(a=√5) = U(±1/√fan_in), bias U(±1/√fan_in). */
    @Override
    protected void resetParameters(Random rng) {
        double bound = 1.0 / Math.sqrt(inFeatures);
        uniform(weight, bound, rng);
        if (bias != null) {
            uniform(bias, bound, rng);
        }
    }
}
