package org.samtune.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** The runtime the whole project stands on: libtorch through DJL, offline, with scoped memory and autograd. */
class DjlRuntimeTest {

    @Test
    void pytorchEngineLoadsOffline() {
        assertThat(Engine.getInstance().getEngineName()).isEqualTo("PyTorch");
        assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
    }

    @Test
    void scopeClosesIntermediatesButKeepsUnregisteredResults() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.ones(new ai.djl.ndarray.types.Shape(4, 4));
            NDArray kept;
            NDArray temp;
            try (NDScope scope = new NDScope()) {
                temp = w.transpose();
                kept = temp.mul(2);
                NDScope.unregister(kept);
            }
            assertThat(temp.isReleased()).isTrue();
            assertThat(kept.isReleased()).isFalse();
            assertThat(kept.sum().getFloat()).isEqualTo(32f);
        }
    }

    @Test
    void gradientOfSquareIsTwiceX() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1f, -2f, 3f});
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = x.mul(x).sum();
                gc.backward(y);
            }
            assertThat(x.getGradient().toFloatArray()).containsExactly(2f, -4f, 6f);
        }
    }
}
