package org.samtune.model.nn;

import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/** PyTorch's {@code torch.no_grad()}: work that autograd must not record, also inside a GradientCollector. */
public final class NoGrad {
    private NoGrad() {}

    /** Runs {@code op} without recording gradients, then restores the recording state it found. */
    public static <T> T call(Supplier<T> op) {
        boolean recording = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return op.get();
        } finally {
            JniUtils.setGradMode(recording);
        }
    }

    /** {@link #call} for work without a result. */
    public static void run(Runnable op) {
        call(() -> {
            op.run();
            return null;
        });
    }
}
