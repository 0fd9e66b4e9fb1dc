package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.nn.TestPrecision;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.Parameter;
import org.samtune.model.nn.Precision;
import org.samtune.model.nn.StagedBackward;
import org.samtune.model.nn.TorchScriptOps;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

/**
 * The fused attention (libtorch's scaled_dot_product_attention through {@link TorchScriptOps}, relative positions
 * folded into augmented q and k) against segment-anything's {@code Attention} run in float64 by PyTorch
 * (fixtures/fused-attention, tools/make_fused_attention_goldens.py), forward and backward (the input and every
 * parameter, rel_pos tables included), for a windowed block's shape and a global block's shape; and against
 * samtune's unfused path on the same float32 inputs.
 *
 * <p>Tolerances: against PyTorch the project's bar, |a − b| ≤ 1e-5 + 1e-4·|b|, for the output and every gradient;
 * fused against unfused 1e-5 + 1e-5·|b| (both are float32 with different summation orders, so they differ by
 * float rounding only).
 */
class FusedAttentionParityTest {

    @Test
    void helperLoads() {
        assertThat(TorchScriptOps.get()).as("the TorchScript helper loads with the bundled libtorch").isPresent();
    }

    @Test
    void windowedShapeMatchesPyTorch() {
        check("window", 48, 3, 7);
    }

    @Test
    void globalShapeMatchesPyTorch() {
        check("global", 64, 2, 12);
    }

    /**
     * {@code forward} takes the masked inference path on a grid of {@link RelPosAttention#MASKED_INFERENCE_TOKENS}
     * tokens when no gradient is recorded, and the augmented fused path (the one with gradients) inside a
     * collector: each dispatch gives bit for bit the result of the path it should take.
     */
    @Test
    void forwardPicksTheInferencePathOnlyWithoutGradients() {
        TorchScriptOps ops = TorchScriptOps.get().orElseThrow();
        int grid = (int) Math.sqrt(RelPosAttention.MASKED_INFERENCE_TOKENS);
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            RelPosAttention attn = randomAttention(m, grid, 7);
            NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(1, grid, grid, 32));
            assertThat(JniUtils.isGradMode()).as("grad mode outside a collector").isFalse();
            float[] inference = attn.forwardInference(x, ops).toFloatArray();
            float[] fused = attn.forwardFused(x, ops).toFloatArray();
            assertThat(attn.forward(x).toFloatArray()).containsExactly(inference);
            assertThat(fused).isNotEqualTo(inference); // the two paths are told apart by their rounding
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                assertThat(attn.forward(x).toFloatArray()).containsExactly(fused);
            }
            Tolerance.assertClose("inference vs fused", inference, fused, 1e-5, 1e-5);
        }
    }

    /** The inference path (relative positions as a float mask per band of one grid row) against PyTorch's float64
     * output, at the project's bar. */
    @Test
    void inferencePathMatchesPyTorch() {
        TorchScriptOps ops = TorchScriptOps.get().orElseThrow();
        for (Object[] c : new Object[][] {{"window", 48, 3, 7}, {"global", 64, 2, 12}}) {
            String name = (String) c[0];
            Map<String, TensorData> g = Fixtures.npz("fused-attention", name + ".npz");
            try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
                RelPosAttention attn = attention(m, g, (int) c[1], (int) c[2], (int) c[3]);
                NDArray x = Module.toArray(m, g.get("x"), DataType.FLOAT32);
                assertThat(JniUtils.isGradMode()).as("grad mode outside a collector").isFalse();
                float[] out = attn.forwardInference(x, ops).toFloatArray();
                Tolerance.assertClose(name + " out (inference vs PyTorch)", out, g.get("out").toFloats(), 1e-5, 1e-4);
            }
        }
    }

    /**
     * The inference path under {@code --precision bf16} (products and the band mask in bf16) on the global case,
     * against PyTorch's float64 output, within 2× the error of segment-anything's own {@code Attention} under
     * {@code torch.autocast('cpu', bfloat16)} on the same inputs (0.48 % relative L2; tools/make_bf16_reference.py),
     * and as close to that autocast output; it must differ from float32 by more than float32's rounding (bf16 ran).
     * Runs on any CPU: without native bf16 libtorch emulates it with the same numbers.
     */
    @Test
    void inferencePathInBf16IsWithinPyTorchsOwnBf16Error() {
        TorchScriptOps ops = TorchScriptOps.get().orElseThrow();
        Map<String, TensorData> g = Fixtures.npz("fused-attention", "global.npz");
        double torchError = Fixtures.npy("bf16", "attention_global_autocast_error").toFloats()[0];
        float[] torchBf16 = Fixtures.npy("bf16", "attention_global_bf16_autocast").toFloats();
        float[] golden = g.get("out").toFloats();
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            RelPosAttention attn = attention(m, g, 64, 2, 12);
            NDArray x = Module.toArray(m, g.get("x"), DataType.FLOAT32);
            TestPrecision.select(Precision.BF16);
            float[] bf16;
            try {
                NDArray out = attn.forwardInference(x, ops);
                assertThat(out.getDataType()).isEqualTo(DataType.FLOAT32);
                bf16 = out.toFloatArray();
            } finally {
                TestPrecision.select(Precision.FP32);
            }
            double ours = Tolerance.relativeL2(bf16, golden);
            System.out.printf("bf16 global attention (inference path): relative L2 vs float64 %.4g (PyTorch autocast "
                    + "%.4g), vs PyTorch's autocast %.4g%n", ours, torchError, Tolerance.relativeL2(bf16, torchBf16));
            assertThat(ours).as("bf16 relative error vs float64").isLessThanOrEqualTo(2 * torchError)
                    .isGreaterThan(20 * 1e-5);
            assertThat(Tolerance.relativeL2(bf16, torchBf16)).as("bf16 vs PyTorch's autocast")
                    .isLessThanOrEqualTo(2 * torchError);
        }
    }

    /**
     * The staged path (attention outside autograd, headDim wide with a float mask; its gradient computed by the
     * helper in bands of queries and handed on by {@link StagedBackward}) against PyTorch's float64 forward and
     * gradients at the project's bar, and against the augmented fused path within float rounding; on a windowed
     * and a global block's shape (each one tile of the staged path: {@link #stagedTilesCoverEveryHeadAndQuery}
     * covers several).
     */
    @Test
    void stagedPathMatchesPyTorch() {
        TorchScriptOps ops = TorchScriptOps.get().orElseThrow();
        for (Object[] c : new Object[][] {{"window", 48, 3, 7}, {"global", 64, 2, 12}}) {
            String name = (String) c[0];
            Map<String, TensorData> g = Fixtures.npz("fused-attention", name + ".npz");
            int dim = (int) c[1], heads = (int) c[2], grid = (int) c[3];
            Result staged = run(g, dim, heads, grid, null);
            Result fused = run(g, dim, heads, grid, (a, x) -> a.forwardFused(x, ops));
            Tolerance.assertClose(name + " out (staged vs PyTorch)", staged.out, g.get("out").toFloats(), 1e-5, 1e-4);
            Tolerance.assertClose(name + " out (staged vs fused)", staged.out, fused.out, 1e-5, 1e-5);
            assertThat(staged.grads.keySet()).isEqualTo(fused.grads.keySet());
            for (Map.Entry<String, float[]> e : staged.grads.entrySet()) {
                Tolerance.assertClose(name + " " + e.getKey() + " (staged vs PyTorch)", e.getValue(),
                        g.get(e.getKey()).toFloats(), 1e-5, 1e-4);
                Tolerance.assertClose(name + " " + e.getKey() + " (staged vs fused)", e.getValue(),
                        fused.grads.get(e.getKey()), 1e-5, 1e-5);
            }
        }
    }

    /**
     * Inside an open {@link StagedBackward}, {@code forward} takes the staged path on a grid of {@link
     * RelPosAttention#MASKED_INFERENCE_TOKENS} tokens and more (with gradients), the augmented fused path on smaller
     * grids. The staged result (batch 2, 2 heads: one head map at a time, all 1,024 queries) equals the fused
     * path's within 1e-5 + 1e-5·|b|, its gradients within 1e-4·max|b| + 1e-4·|b|.
     */
    @Test
    void forwardStagesOnlyLargeGridsInsideAStageSet() {
        TorchScriptOps ops = TorchScriptOps.get().orElseThrow();
        int grid = (int) Math.sqrt(RelPosAttention.MASKED_INFERENCE_TOKENS);
        stagedAgainstFused(grid, true);
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            // smaller grids keep the fused path inside a stage set
            RelPosAttention small = new RelPosAttention(m, 32, 2, true, true, 8);
            small.initialize(3);
            NDArray xs = m.randomNormal(new ai.djl.ndarray.types.Shape(1, 8, 8, 32));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                 StagedBackward staged = StagedBackward.open()) {
                assertThat(small.forward(xs).toFloatArray()).containsExactly(small.forwardFused(xs, ops)
                        .toFloatArray());
            }
        }
    }

    /**
     * The staged path works in tiles of heads and queries whose maps stay below 8 MiB (the helper's
     * {@code rel_pos_tiles}). With batch 2 and 2 heads (4 head maps): a 28 x 28 grid (784 tokens) runs as heads
     * 0-2 then head 3, all queries at once; a 39 x 39 grid (1,521 tokens) one head at a time in bands of 761 and 760
     * queries. Each equals the fused path's result within 1e-5 + 1e-5·|b|, its gradients within
     * 1e-4·max|b| + 1e-4·|b|.
     */
    @Test
    void stagedTilesCoverEveryHeadAndQuery() {
        stagedAgainstFused(28, false);
        stagedAgainstFused(39, false);
    }

    /** Batch 2; {@code viaForward}: through {@code forward} in a stage set, else {@code forwardStaged} directly. */
    private static void stagedAgainstFused(int grid, boolean viaForward) {
        TorchScriptOps ops = TorchScriptOps.get().orElseThrow();
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            RelPosAttention attn = randomAttention(m, grid, 11);
            NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(2, grid, grid, 32));
            NDArray gradOut = m.randomNormal(x.getShape());
            Map<String, Parameter> params = attn.namedParameters();
            params.values().forEach(p -> p.array().setRequiresGradient(true));
            x.setRequiresGradient(true);

            float[] fusedOut;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = attn.forwardFused(x, ops);
                fusedOut = y.toFloatArray();
                gc.backward(y.mul(gradOut).sum());
            }
            Map<String, float[]> fusedGrads = gradients(x, params);
            params.values().forEach(p -> p.array().getGradient().subi(p.array().getGradient()));
            x.getGradient().subi(x.getGradient());

            float[] stagedOut;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                 StagedBackward staged = StagedBackward.open()) {
                NDArray y = viaForward ? attn.forward(x) : attn.forwardStaged(x, ops, staged);
                assertThat(JniUtils.getGradientFunctionNames((ai.djl.pytorch.engine.PtNDArray) y))
                        .as("the staged path cuts the graph at the attention").doesNotContain("Flash");
                stagedOut = y.toFloatArray();
                staged.backward(gc, y.mul(gradOut).sum());
            }
            Tolerance.assertClose("staged vs fused out", stagedOut, fusedOut, 1e-5, 1e-5);
            assertThat(stagedOut).isNotEqualTo(fusedOut); // a different path, told apart by its rounding
            // the weight gradients sum over 2 x grid² tokens in two float32 orders, some entries nearly cancel:
            // the bound scales with the tensor's largest entry (float64 parity: stagedPathMatchesPyTorch)
            Map<String, float[]> stagedGrads = gradients(x, params);
            for (Map.Entry<String, float[]> e : stagedGrads.entrySet()) {
                float[] expected = fusedGrads.get(e.getKey());
                double max = Tolerance.maxAbsDiff(expected, new float[expected.length]);
                Tolerance.assertClose("grid " + grid + ": staged vs fused " + e.getKey(), e.getValue(), expected,
                        1e-4 * max, 1e-4);
            }
        }
    }

    /** Width 32, 2 heads, with relative positions drawn at random (they start at zero: rel_pos_zero_init). */
    private static RelPosAttention randomAttention(NDManager m, int grid, long seed) {
        RelPosAttention attn = new RelPosAttention(m, 32, 2, true, true, grid);
        attn.initialize(seed);
        attn.rel_pos_h.array().addi(m.randomNormal(attn.rel_pos_h.array().getShape()));
        attn.rel_pos_w.array().addi(m.randomNormal(attn.rel_pos_w.array().getShape()));
        return attn;
    }

    private static Map<String, float[]> gradients(NDArray x, Map<String, Parameter> params) {
        Map<String, float[]> grads = new LinkedHashMap<>();
        grads.put("grad.x", x.getGradient().toFloatArray());
        params.forEach((k, p) -> grads.put("grad." + k, p.array().getGradient().toFloatArray()));
        return grads;
    }

    private static RelPosAttention attention(NDManager m, Map<String, TensorData> g, int dim, int heads, int grid) {
        RelPosAttention attn = new RelPosAttention(m, dim, heads, true, true, grid);
        Map<String, TensorData> state = new LinkedHashMap<>();
        for (String k : attn.namedParameters().keySet()) {
            state.put(k, g.get(k));
        }
        attn.loadStateDict(new StateDict(state, "fused-attention"), true);
        return attn;
    }

    private static void check(String name, int dim, int heads, int grid) {
        TorchScriptOps ops = TorchScriptOps.get().orElseThrow();
        Map<String, TensorData> g = Fixtures.npz("fused-attention", name + ".npz");
        Result fused = run(g, dim, heads, grid, (a, x) -> a.forwardFused(x, ops));
        Result plain = run(g, dim, heads, grid, (a, x) -> a.forward(x, RelPosAttention.ATTENTION_BAND_BYTES));
        Tolerance.assertClose(name + " out (fused vs PyTorch)", fused.out, g.get("out").toFloats(), 1e-5, 1e-4);
        Tolerance.assertClose(name + " out (fused vs unfused)", fused.out, plain.out, 1e-5, 1e-5);
        assertThat(fused.grads.keySet()).containsExactlyInAnyOrder("grad.x", "grad.qkv.weight", "grad.qkv.bias",
                "grad.proj.weight", "grad.proj.bias", "grad.rel_pos_h", "grad.rel_pos_w");
        double worst = 0;
        for (Map.Entry<String, float[]> e : fused.grads.entrySet()) {
            float[] expected = g.get(e.getKey()).toFloats();
            Tolerance.assertClose(name + " " + e.getKey() + " (fused vs PyTorch)", e.getValue(), expected, 1e-5, 1e-4);
            Tolerance.assertClose(name + " " + e.getKey() + " (fused vs unfused)", e.getValue(),
                    plain.grads.get(e.getKey()), 1e-5, 1e-5);
            worst = Math.max(worst, Tolerance.maxAbsDiff(e.getValue(), expected));
        }
        System.out.printf("fused attention %s: max |out − PyTorch| %.3g, max |grad − PyTorch| %.3g%n", name,
                Tolerance.maxAbsDiff(fused.out, g.get("out").toFloats()), worst);
    }

    private record Result(float[] out, Map<String, float[]> grads) {}

    /** One forward and backward pass; {@code forward} null: the staged path. */
    private static Result run(Map<String, TensorData> g, int dim, int heads, int grid,
                              BiFunction<RelPosAttention, NDArray, NDArray> forward) {
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            RelPosAttention attn = new RelPosAttention(m, dim, heads, true, true, grid);
            Map<String, TensorData> state = new LinkedHashMap<>();
            for (String k : attn.namedParameters().keySet()) {
                state.put(k, g.get(k));
            }
            attn.loadStateDict(new StateDict(state, "fused-attention"), true);
            Map<String, Parameter> params = attn.namedParameters();
            params.values().forEach(p -> p.array().setRequiresGradient(true));
            NDArray x = Module.toArray(m, g.get("x"), DataType.FLOAT32);
            x.setRequiresGradient(true);
            NDArray gradOut = Module.toArray(m, g.get("grad_out"), DataType.FLOAT32);
            float[] out;
            if (forward == null) { // the staged path
                TorchScriptOps ops = TorchScriptOps.get().orElseThrow();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                     StagedBackward staged = StagedBackward.open()) {
                    NDArray y = attn.forwardStaged(x, ops, staged);
                    out = y.toFloatArray();
                    staged.backward(gc, y.mul(gradOut).sum());
                }
            } else {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = forward.apply(attn, x);
                    out = y.toFloatArray();
                    gc.backward(y.mul(gradOut).sum());
                }
            }
            Map<String, float[]> grads = new LinkedHashMap<>();
            grads.put("grad.x", x.getGradient().toFloatArray());
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                NDArray grad = e.getValue().gradient();
                assertThat(grad).as("gradient of " + e.getKey()).isNotNull();
                grads.put("grad." + e.getKey(), grad.toFloatArray());
            }
            return new Result(out, grads);
        }
    }
}
