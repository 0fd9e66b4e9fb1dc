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

    /**
     * (B, in, H, W) → (B, out, (H−1)·stride + k, (W−1)·stride + k). DJL's PyTorch engine has no transposed
     * convolution, so it is written with ops it has: when kernel == stride (SAM's upscaling) each input pixel
     * scatters a k×k block with no overlap, which is one matmul; otherwise the textbook equivalence (zero-insert
     * the input, pad k−1, convolve with the flipped, transposed kernel).
     */
    @Override
    public NDArray forward(NDArray x) {
        return kernel == stride ? blockScatter(x) : viaConvolution(x);
    }

    NDArray blockScatter(NDArray x) {
        long[] s = x.getShape().getShape();
        long b = s[0], h = s[2], w = s[3];
        NDArray y = x.transpose(0, 2, 3, 1) // B H W in
                .matMul(weight.array().reshape(inChannels, (long) outChannels * kernel * kernel))
                .reshape(b, h, w, outChannels, kernel, kernel)
                .transpose(0, 3, 1, 4, 2, 5) // B out H k W k
                .reshape(b, outChannels, h * kernel, w * kernel);
        return bias == null ? y : y.add(bias.array().reshape(1, outChannels, 1, 1));
    }

    NDArray viaConvolution(NDArray x) {
        long[] s = x.getShape().getShape();
        long b = s[0], c = s[1], h = s[2], w = s[3];
        NDArray dilated = x;
        if (stride > 1) {
            dilated = x.reshape(b, c, h, 1, w, 1)
                    .pad(new Shape(0, stride - 1, 0, 0, 0, stride - 1), 0)
                    .reshape(b, c, h * stride, w * stride)
                    .get(new ai.djl.ndarray.index.NDIndex(":, :, :{}, :{}", (h - 1) * stride + 1, (w - 1) * stride + 1));
        }
        NDArray k = weight.array().flip(2, 3).transpose(1, 0, 2, 3);
        return ai.djl.nn.convolutional.Conv2d.conv2d(dilated, k, bias == null ? null : bias.array(),
                new Shape(1, 1), new Shape(kernel - 1, kernel - 1), new Shape(1, 1), 1).singletonOrThrow();
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
