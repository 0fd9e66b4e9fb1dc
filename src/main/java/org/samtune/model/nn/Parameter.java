package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * A learnable tensor of a {@link Module}. The array may be replaced (checkpoint loading), so forward passes read
 * {@link #array()} each time instead of keeping the array.
 */
public final class Parameter {
    private NDArray array;
    private boolean trainable = true;

    public Parameter(NDArray array) {
        this.array = array;
    }

    public NDArray array() {
        return array;
    }

    /** Replaces the values; the old array is closed. Shape must match (checked by the caller). */
    public void setArray(NDArray newArray) {
        if (newArray != array) {
            NDArray old = array;
            array = newArray;
            old.close();
        }
    }

    /**
     * Overwrites the values in place (same shape, row-major). Copies through a temporary tensor and an indexed
     * assignment rather than DJL's {@code NDArray.set(float[])}, whose native code enters libtorch's deprecated
     * {@code AutoNonVariableTypeMode} and prints a deprecation warning to stderr on every run.
     */
    public void assign(float[] values) {
        // not recorded, like torch.no_grad(): also inside a GradientCollector (DJL's set(float[]) did the same)
        NoGrad.run(() -> {
            try (NDArray source = array.getManager().create(values, array.getShape())) {
                array.set(ALL, source);
            }
        });
    }

    private static final ai.djl.ndarray.index.NDIndex ALL = new ai.djl.ndarray.index.NDIndex("...");

    /** Whether the optimiser updates this parameter (PyTorch's {@code requires_grad}). */
    public boolean isTrainable() {
        return trainable;
    }

    public void setTrainable(boolean trainable) {
        this.trainable = trainable;
    }

    /**
     * The gradient of the last backward pass, or null when libtorch has none (never reached, or not requiring one).
     * Read through libtorch: DJL's {@code getGradient()} fabricates zeros for an undefined gradient and can hand back
     * a stale handle. The caller closes the returned array (or lets its NDScope do it).
     */
    public NDArray gradient() {
        if (!array.hasGradient()) {
            return null;
        }
        if (array instanceof ai.djl.pytorch.engine.PtNDArray pt) {
            return ai.djl.pytorch.jni.JniUtils.getGradient(pt);
        }
        return array.getGradient();
    }

    public long numel() {
        return array.getShape().size();
    }
}
