package org.samtune.peft;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.nn.Linear;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.Parameter;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

/**
 * {@link LoraQkv} against finetune-SAM's {@code _LoRA_qkv} run in float64 by PyTorch (fixtures/lora-qkv,
 * tools/make_lora_qkv_goldens.py), forward and backward, for every parameter training and for LoRA's own case (the
 * wrapped qkv frozen). Tolerance: the project's bar, |a − b| ≤ 1e-5 + 1e-4·|b|, for the output and every gradient.
 */
class LoraQkvParityTest {
    private static final Map<String, TensorData> G = Fixtures.npz("lora-qkv", "block.npz");

    @Test
    void matchesPyTorchWithEveryParameterTraining() {
        check(Set.of("qkv.weight", "qkv.bias", "linear_a_q.weight", "linear_b_q.weight", "linear_a_v.weight",
                "linear_b_v.weight"));
    }

    @Test
    void matchesPyTorchWithTheWrappedProjectionFrozen() {
        check(Set.of("linear_a_q.weight", "linear_b_q.weight", "linear_a_v.weight", "linear_b_v.weight"));
    }

    private static void check(Set<String> training) {
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            long[] qkvShape = G.get("qkv.weight").shape(); // (3·dim, dim)
            int rank = Math.toIntExact(G.get("linear_a_q.weight").shape()[0]);
            LoraQkv lora = new LoraQkv(m, new Linear(m, Math.toIntExact(qkvShape[1]), Math.toIntExact(qkvShape[0])),
                    rank);
            Map<String, TensorData> state = new LinkedHashMap<>();
            for (String k : lora.namedParameters().keySet()) {
                state.put(k, G.get(k));
            }
            lora.loadStateDict(new StateDict(state, "lora-qkv"), true);
            Map<String, Parameter> params = lora.namedParameters();
            assertThat(params.keySet()).containsAll(training);
            training.forEach(k -> params.get(k).array().setRequiresGradient(true));
            NDArray x = Module.toArray(m, G.get("x"), DataType.FLOAT32);
            x.setRequiresGradient(true);
            NDArray gradOut = Module.toArray(m, G.get("grad_out"), DataType.FLOAT32);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = lora.forward(x);
                Tolerance.assertClose("out", y.toFloatArray(), G.get("out").toFloats(), 1e-5, 1e-4);
                gc.backward(y.mul(gradOut).sum());
            }
            Tolerance.assertClose("grad.x", x.getGradient().toFloatArray(), G.get("grad.x").toFloats(), 1e-5, 1e-4);
            for (String k : training) {
                NDArray grad = params.get(k).gradient();
                assertThat(grad).as("gradient of " + k).isNotNull();
                Tolerance.assertClose("grad." + k, grad.toFloatArray(), G.get("grad." + k).toFloats(), 1e-5, 1e-4);
            }
        }
    }
}
