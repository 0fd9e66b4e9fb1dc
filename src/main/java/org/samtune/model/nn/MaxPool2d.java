package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.MaxPool2d(kernel, stride, padding)} (dilation 1, floor mode): padding counts as −∞, so a window
 * that overlaps the border takes the maximum of its real pixels (ResNet's stem: 3×3, stride 2, padding 1).
 */
public final class MaxPool2d extends Module implements Layer {
    public final int kernel;
    public final int stride;
    public final int padding;

    public MaxPool2d(NDManager manager, int kernel, int stride, int padding) {
        super(manager);
        if (padding * 2 > kernel) {
            // PyTorch's rule: a window must always hold at least one real pixel
            throw new IllegalArgumentException("MaxPool2d padding " + padding + " exceeds half the kernel " + kernel);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public NDArray forward(NDArray x) {
        return ai.djl.nn.pooling.Pool.maxPool2d(x, new Shape(kernel, kernel), new Shape(stride, stride),
                new Shape(padding, padding), false);
    }
}
