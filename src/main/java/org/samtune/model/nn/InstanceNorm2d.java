package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * {@code torch.nn.InstanceNorm2d(channels, eps, affine=True)} with {@code track_running_stats=False} (nnU-Net's
 * setting): every image and channel is normalised by its own mean and biased variance over H×W, in training and
 * in evaluation alike, then scaled by {@code weight} and shifted by {@code bias} (initialised 1 and 0).
 */
public final class InstanceNorm2d extends Module implements Layer {
    public final int channels;
    public final double eps;
    public final Parameter weight;
    public final Parameter bias;

    public InstanceNorm2d(NDManager manager, int channels, double eps) {
        super(manager);
        this.channels = channels;
        this.eps = eps;
        this.weight = parameter("weight", channels);
        this.bias = parameter("bias", channels);
        fill(weight, 1f);
    }

    @Override
    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        NDArray flat = x.reshape(shape.get(0), shape.get(1), -1);
        NDArray mean = flat.mean(new int[] {2}, true);
        NDArray centred = flat.sub(mean);
        NDArray var = centred.square().mean(new int[] {2}, true);
        // eps as a libtorch-owned scalar: DJL would free a Java-made one while autograd still refers to it
        NDArray epsScalar = x.getManager().full(new Shape(), (float) eps, x.getDataType());
        NDArray normalised = centred.div(var.add(epsScalar).sqrt()).reshape(shape);
        return normalised.mul(weight.array().reshape(1, channels, 1, 1)).add(bias.array().reshape(1, channels, 1, 1));
    }

    @Override
    protected void resetParameters(Random rng) {
        fill(weight, 1f);
        fill(bias, 0f);
    }
}
