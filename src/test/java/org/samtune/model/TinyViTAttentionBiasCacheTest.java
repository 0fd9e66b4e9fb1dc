package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.samtune.testing.Tolerance;

/**
 * Inference reuses the gathered attention bias (as MobileSAM's {@code ab}), but never a stale one: after the
 * table changes in place (loading, a training step between evaluations) the next forward pass uses the new
 * values, bit for bit what a fresh gather gives.
 */
class TinyViTAttentionBiasCacheTest {

    @Test
    void cachedBiasFollowsTheTable() {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyViTAttention attn = new TinyViTAttention(m, 8, 2, 3);
            attn.initialize(5);
            float[] table = new float[Math.toIntExact(attn.attention_biases.numel())];
            Random rng = new Random(7);
            for (int i = 0; i < table.length; i++) {
                table[i] = (float) rng.nextGaussian();
            }
            attn.attention_biases.assign(table);
            NDArray x = m.randomNormal(new Shape(4, 9, 8));
            attn.train(false);
            float[] first = run(attn, x);
            assertThat(run(attn, x)).containsExactly(first); // from the cache

            for (int i = 0; i < table.length; i++) {
                table[i] += 1f + i % 3;
            }
            attn.attention_biases.assign(table);
            float[] cached = run(attn, x);
            // a module that never cached anything, with the same weights, gathers afresh
            TinyViTAttention fresh = new TinyViTAttention(m, 8, 2, 3);
            fresh.initialize(5);
            fresh.attention_biases.assign(table);
            fresh.train(false);
            assertThat(cached).containsExactly(run(fresh, x));
            assertThat(Tolerance.maxAbsDiff(cached, first)).isGreaterThan(1e-3);
        }
    }

    private static float[] run(TinyViTAttention attn, NDArray x) {
        try (NDScope scope = new NDScope()) {
            return attn.forward(x).toFloatArray();
        }
    }
}
