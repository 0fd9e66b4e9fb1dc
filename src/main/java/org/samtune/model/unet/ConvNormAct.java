package org.samtune.model.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Activation;
import org.samtune.model.nn.InstanceNorm2d;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Module;

/**
 * nnU-Net's {@code ConvDropoutNormReLU} as its 2-D plans configure it: a 3×3 convolution with bias ("same" padding,
 * the stage's stride on the first one), InstanceNorm (affine, eps 1e-5), LeakyReLU(0.01); no dropout. Keys
 * {@code conv.*} and {@code norm.*} (nnU-Net's checkpoints hold the same tensors a second time under
 * {@code all_modules.0} / {@code all_modules.1}).
 */
public final class ConvNormAct extends Module implements Layer {
    static final double NEGATIVE_SLOPE = 1e-2;
    static final double NORM_EPS = 1e-5;

    private final KaimingNormalConv2d conv;
    private final InstanceNorm2d norm;
    private final Activation nonlin;

    public ConvNormAct(NDManager manager, int in, int out, int kernel, int stride) {
        super(manager);
        conv = module("conv", KaimingNormalConv2d.nnUNet(manager, in, out, kernel, stride, (kernel - 1) / 2,
                NEGATIVE_SLOPE));
        norm = module("norm", new InstanceNorm2d(manager, out, NORM_EPS));
        nonlin = Activation.leakyRelu(manager, NEGATIVE_SLOPE);
    }

    @Override
    public NDArray forward(NDArray x) {
        return nonlin.forward(norm.forward(conv.forward(x)));
    }
}
