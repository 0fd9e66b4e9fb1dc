package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.UnaryOperator;

/** A parameter-free activation as a module ({@code nn.GELU()}, {@code nn.ReLU()}), for Sequential slots. */
public final class Activation extends Module implements Layer {
    private final String name;
    private final UnaryOperator<NDArray> f;

    private Activation(NDManager manager, String name, UnaryOperator<NDArray> f) {
        super(manager);
        this.name = name;
        this.f = f;
    }

    public static Activation gelu(NDManager manager) {
        return new Activation(manager, "GELU", Activations::gelu);
    }

    public static Activation relu(NDManager manager) {
        return new Activation(manager, "ReLU", Activations::relu);
    }

    /** {@code nn.LeakyReLU(negativeSlope)}: x for x ≥ 0, slope·x below (nnU-Net: 0.01). */
    public static Activation leakyRelu(NDManager manager, double negativeSlope) {
        return new Activation(manager, "LeakyReLU", x -> Activations.leakyRelu(x, negativeSlope));
    }

    public String name() {
        return name;
    }

    @Override
    public NDArray forward(NDArray x) {
        return f.apply(x);
    }
}
