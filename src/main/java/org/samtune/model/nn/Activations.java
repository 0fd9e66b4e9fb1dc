package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;

/** The activations SAM uses, with PyTorch's exact definitions. */
public final class Activations {
    private Activations() {}

    /** GELU, exact erf form (PyTorch's default, not the tanh approximation). */
    public static NDArray gelu(NDArray x) {
        return ai.djl.nn.Activation.gelu(x);
    }

    public static NDArray relu(NDArray x) {
        return ai.djl.nn.Activation.relu(x);
    }

    /** {@code F.leaky_relu(x, negativeSlope)} (libtorch's kernel). */
    public static NDArray leakyRelu(NDArray x, double negativeSlope) {
        return ai.djl.nn.Activation.leakyRelu(x, (float) negativeSlope);
    }
}
