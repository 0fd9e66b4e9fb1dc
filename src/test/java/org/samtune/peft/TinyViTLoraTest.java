package org.samtune.peft;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.samtune.model.TinyViT;
import org.samtune.model.TinyViTConfig;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Linear;
import org.samtune.model.nn.Module;
import org.samtune.testing.Tolerance;

/**
 * TinyViT LoRA: finetune-SAM's key names and shapes, the finetune-SAM layout equal to an explicitly merged weight
 * (channels [0, dim) and [2·dim, 3·dim) of the per-head qkv), and the per-head layout changing only q and v.
 * Tolerance: |a−b| ≤ 1e-5 + 1e-4·|b|.
 */
class TinyViTLoraTest {
    // layers.2 of the fixture config: dim 24, 3 heads of 8.
    private static final int DIM = 24;
    private static final int HEADS = 3;
    private static final int HD = DIM / HEADS;
    private static final int RANK = 4;

    @Test
    void keysAndShapesFollowFinetuneSam() {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyViT enc = new TinyViT(m, TinyViTConfig.mobileSamTiny());
            List<Module> added = TinyViTLora.insert(enc, List.of(0, 1, 10, 11), RANK, TinyViTLoraLayout.FINETUNE_SAM,
                    new Random(1));
            assertThat(added).hasSize(4);
            Map<String, NDArray> state = enc.stateArrays();
            String p = "layers.1.blocks.0.attn.qkv.";
            assertThat(shape(state, p + "qkv.weight")).containsExactly(48, 16);
            assertThat(shape(state, p + "qkv.bias")).containsExactly(48);
            assertThat(shape(state, p + "linear_a_q.weight")).containsExactly(RANK, 16);
            assertThat(shape(state, p + "linear_b_q.weight")).containsExactly(16, RANK);
            assertThat(shape(state, p + "linear_a_v.weight")).containsExactly(RANK, 16);
            assertThat(shape(state, p + "linear_b_v.weight")).containsExactly(16, RANK);
            assertThat(shape(state, "layers.2.blocks.1.attn.qkv.linear_b_v.weight")).containsExactly(DIM, RANK);
            assertThat(state).doesNotContainKey("layers.1.blocks.0.attn.qkv.weight");
            assertThat(state).containsKey("layers.3.blocks.0.attn.qkv.weight");
            assertThat(state.keySet().stream().filter(k -> k.startsWith("layers.3") && k.contains("linear_"))).isEmpty();
            // B starts at zero, A is Kaiming-uniform: U(±1/√dim).
            assertThat(state.get(p + "linear_b_q.weight").abs().max().getFloat()).isEqualTo(0f);
            float aMax = state.get(p + "linear_a_q.weight").abs().max().getFloat();
            assertThat(aMax).isGreaterThan(0f).isLessThanOrEqualTo((float) (1 / Math.sqrt(16)));
            assertThat(TinyViTLora.alsoTrained(enc)).containsExactly(enc.convLayer());

            TinyViT all = new TinyViT(m, TinyViTConfig.mobileSamTiny());
            assertThat(TinyViTLora.insert(all, List.of(), RANK, TinyViTLoraLayout.PER_HEAD, new Random(1))).hasSize(5);
            assertThat(all.stateArrays()).containsKey("layers.3.blocks.0.attn.qkv.linear_a_v.weight");
        }
    }

    @Test
    void finetuneSamLayoutEqualsMergedWeightOnFirstAndLastDimChannels() {
        try (NDManager m = NDManager.newBaseManager()) {
            Fixture f = new Fixture(m, TinyViTLoraLayout.FINETUNE_SAM);
            float[] merged = f.w.clone();
            float[] dq = f.delta(f.wrapperA("q"), f.wrapperB("q"));
            float[] dv = f.delta(f.wrapperA("v"), f.wrapperB("v"));
            for (int o = 0; o < DIM; o++) {
                for (int i = 0; i < DIM; i++) {
                    merged[o * DIM + i] += dq[o * DIM + i];
                    merged[(2 * DIM + o) * DIM + i] += dv[o * DIM + i];
                }
            }
            Tolerance.assertClose("finetune-SAM LoRA qkv", f.wrapped(), f.explicit(merged), Tolerance.ATOL,
                    Tolerance.RTOL);
            // The quirk: with 3 heads of 8, channels [0,24) are q0|k0|v0 and [48,72) are q2|k2|v2, so the keys of
            // heads 0 and 2 change and head 1 is untouched.
            float[] diff = f.diffToPlain();
            assertThat(maxOver(diff, 0, HD, 2 * HD)).as("k of head 0").isGreaterThan(1e-3f);
            assertThat(maxOver(diff, 1, 0, 3 * HD)).as("head 1").isEqualTo(0f);
        }
    }

    @Test
    void perHeadLayoutChangesOnlyQueriesAndValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            Fixture f = new Fixture(m, TinyViTLoraLayout.PER_HEAD);
            float[] merged = f.w.clone();
            float[] dq = f.delta(f.wrapperA("q"), f.wrapperB("q"));
            float[] dv = f.delta(f.wrapperA("v"), f.wrapperB("v"));
            for (int h = 0; h < HEADS; h++) {
                for (int j = 0; j < HD; j++) {
                    for (int i = 0; i < DIM; i++) {
                        merged[(h * 3 * HD + j) * DIM + i] += dq[(h * HD + j) * DIM + i];
                        merged[(h * 3 * HD + 2 * HD + j) * DIM + i] += dv[(h * HD + j) * DIM + i];
                    }
                }
            }
            Tolerance.assertClose("per-head LoRA qkv", f.wrapped(), f.explicit(merged), Tolerance.ATOL,
                    Tolerance.RTOL);
            float[] diff = f.diffToPlain();
            for (int h = 0; h < HEADS; h++) {
                assertThat(maxOver(diff, h, 0, HD)).as("q of head " + h).isGreaterThan(1e-3f);
                assertThat(maxOver(diff, h, HD, 2 * HD)).as("k of head " + h).isEqualTo(0f);
                assertThat(maxOver(diff, h, 2 * HD, 3 * HD)).as("v of head " + h).isGreaterThan(1e-3f);
            }
        }
    }

    /** Max |diff| over channels [from, to) of head h's [q|k|v] slice, over all tokens. */
    private static float maxOver(float[] diff, int h, int from, int to) {
        float max = 0;
        for (int t = 0; t < diff.length / (3 * DIM); t++) {
            for (int c = from; c < to; c++) {
                max = Math.max(max, Math.abs(diff[t * 3 * DIM + h * 3 * HD + c]));
            }
        }
        return max;
    }

    private static long[] shape(Map<String, NDArray> state, String key) {
        assertThat(state).containsKey(key);
        return state.get(key).getShape().getShape();
    }

    /** Stage layers.2 block 0 of the fixture config with random qkv, LoRA A and (non-zero) B, and input tokens. */
    private static final class Fixture {
        final Linear plain;
        final Layer wrapper;
        final Module wrapperModule;
        final float[] w;
        final float[] b;
        final NDArray x;

        Fixture(NDManager m, TinyViTLoraLayout layout) {
            TinyViT enc = new TinyViT(m, TinyViTConfig.mobileSamTiny());
            enc.initializeWeights(3);
            plain = (Linear) enc.basicLayer(2).blocks.get(0).attn.qkv();
            Random rng = new Random(5);
            fill(plain.bias.array(), rng);
            w = plain.weight.array().toFloatArray();
            b = plain.bias.array().toFloatArray();
            TinyViTLora.insert(enc, List.of(1), RANK, layout, rng);
            wrapperModule = (Module) enc.basicLayer(2).blocks.get(0).attn.qkv();
            wrapper = (Layer) wrapperModule;
            fill(((Linear) wrapperModule.child("linear_b_q")).weight.array(), rng);
            fill(((Linear) wrapperModule.child("linear_b_v")).weight.array(), rng);
            float[] xs = new float[2 * 5 * DIM];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = (float) rng.nextGaussian();
            }
            x = m.create(xs, new Shape(2, 5, DIM));
        }

        float[] wrapperA(String which) {
            return ((Linear) wrapperModule.child("linear_a_" + which)).weight.array().toFloatArray();
        }

        float[] wrapperB(String which) {
            return ((Linear) wrapperModule.child("linear_b_" + which)).weight.array().toFloatArray();
        }

        /** B·A as a (DIM, DIM) row-major matrix, in double. */
        float[] delta(float[] a, float[] bMat) {
            float[] d = new float[DIM * DIM];
            for (int o = 0; o < DIM; o++) {
                for (int i = 0; i < DIM; i++) {
                    double s = 0;
                    for (int r = 0; r < RANK; r++) {
                        s += (double) bMat[o * RANK + r] * a[r * DIM + i];
                    }
                    d[o * DIM + i] = (float) s;
                }
            }
            return d;
        }

        float[] wrapped() {
            return wrapper.forward(x).toFloatArray();
        }

        /** x · mergedᵀ + b in double. */
        float[] explicit(float[] merged) {
            float[] xs = x.toFloatArray();
            int tokens = xs.length / DIM;
            float[] out = new float[tokens * 3 * DIM];
            for (int t = 0; t < tokens; t++) {
                for (int o = 0; o < 3 * DIM; o++) {
                    double s = b[o];
                    for (int i = 0; i < DIM; i++) {
                        s += (double) xs[t * DIM + i] * merged[o * DIM + i];
                    }
                    out[t * 3 * DIM + o] = (float) s;
                }
            }
            return out;
        }

        float[] diffToPlain() {
            float[] a = wrapped();
            float[] p = plain.forward(x).toFloatArray();
            float[] d = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                d[i] = a[i] - p[i];
            }
            return d;
        }

        private static void fill(NDArray a, Random rng) {
            float[] v = new float[Math.toIntExact(a.size())];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rng.nextGaussian() * 0.5);
            }
            a.set(v);
            assertThat(Arrays.equals(v, new float[v.length])).isFalse();
        }
    }
}
