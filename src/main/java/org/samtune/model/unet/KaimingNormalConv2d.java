package org.samtune.model.unet;

import ai.djl.ndarray.NDManager;
import java.util.Random;
import org.samtune.model.nn.Conv2d;

/**
 * A {@link Conv2d} initialised from N(0, std²) with a zero bias, the way the baselines' own code initialises its
 * convolutions instead of PyTorch's layer default: ResNet ({@code std = √(2 / (k²·out))}, He fan-out) and
 * nnU-Net's {@code InitWeights_He(1e-2)} ({@code kaiming_normal_(a=0.01)}: {@code std = √(2 / (1 + a²)) / √(k²·in)}).
 */
final class KaimingNormalConv2d extends Conv2d {
    private final double std;

    KaimingNormalConv2d(NDManager manager, int in, int out, int kernel, int stride, int padding, boolean bias,
                        double std) {
        super(manager, in, out, kernel, stride, padding, bias);
        this.std = std;
    }

    /** ResNet's (and torchvision's) {@code kaiming_normal_(mode='fan_out', nonlinearity='relu')}. */
    static KaimingNormalConv2d resnet(NDManager manager, int in, int out, int kernel, int stride, int padding) {
        return new KaimingNormalConv2d(manager, in, out, kernel, stride, padding, false,
                Math.sqrt(2.0 / (kernel * kernel * out)));
    }

    /** nnU-Net's {@code kaiming_normal_(weight, a=negativeSlope)} (fan-in) with the bias set to 0. */
    static KaimingNormalConv2d nnUNet(NDManager manager, int in, int out, int kernel, int stride, int padding,
                                      double negativeSlope) {
        return new KaimingNormalConv2d(manager, in, out, kernel, stride, padding, true,
                heStd(negativeSlope, (long) in * kernel * kernel));
    }

    static double heStd(double negativeSlope, long fanIn) {
        return Math.sqrt(2.0 / (1 + negativeSlope * negativeSlope)) / Math.sqrt(fanIn);
    }

    @Override
    protected void resetParameters(Random rng) {
        normal(weight, std, rng);
        if (bias != null) {
            fill(bias, 0f);
        }
    }
}
