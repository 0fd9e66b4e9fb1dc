package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Multiplying or dividing by a Java number, safe under autograd.
 *
 * <p>DJL's {@code x.mul(Number)} wraps the number in a tensor made from Java memory and closes it right after the
 * operation, which frees that memory; libtorch's autograd has saved the scalar for the backward pass of mul/div and
 * then reads freed memory (garbage gradients, sporadic NaN losses). Here the scalar is a tensor libtorch allocates
 * itself ({@code torch.full}), which lives as long as anything refers to it.
 */
public final class Scalars {
    private Scalars() {}

    public static NDArray mul(NDArray x, double s) {
        return x.mul(x.getManager().full(new Shape(), (float) s, x.getDataType()));
    }

    public static NDArray div(NDArray x, double s) {
        return x.div(x.getManager().full(new Shape(), (float) s, x.getDataType()));
    }
}
