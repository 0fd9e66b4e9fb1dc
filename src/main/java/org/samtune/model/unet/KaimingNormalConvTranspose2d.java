package org.samtune.model.unet;

import ai.djl.ndarray.NDManager;
import java.util.Random;
import org.samtune.model.nn.ConvTranspose2d;

/**
 * nnU-Net's initialisation of its transposed convolutions: {@code kaiming_normal_(a=0.01)} with PyTorch's fan-in of
 * a transposed weight (in, out, k, k), which is {@code out·k²}; bias 0.
 */
final class KaimingNormalConvTranspose2d extends ConvTranspose2d {
    private final double std;

    KaimingNormalConvTranspose2d(NDManager manager, int in, int out, int kernel, int stride, double negativeSlope) {
        super(manager, in, out, kernel, stride, true);
        this.std = KaimingNormalConv2d.heStd(negativeSlope, (long) out * kernel * kernel);
    }

    @Override
    protected void resetParameters(Random rng) {
        normal(weight, std, rng);
        fill(bias, 0f);
    }
}
