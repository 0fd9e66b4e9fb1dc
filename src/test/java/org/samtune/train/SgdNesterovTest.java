package org.samtune.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.nn.Parameter;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

/**
 * {@link SgdNesterov} against {@code clip_grad_norm_} + {@code torch.optim.SGD(nesterov=True, momentum 0.99,
 * weight_decay 3e-5)} of PyTorch 2.13 over four steps with changing learning rates, two of them clipped
 * (fixtures/unet/sgd.npz from tools/make_unet_fixtures.py); a parameter that never has a gradient stays untouched.
 * Tolerance |a−b| ≤ 1e-6 + 1e-5·|b|.
 */
class SgdNesterovTest {
    private static final Map<String, TensorData> F = Fixtures.npz("unet", "sgd.npz");

    @Test
    void fourStepsWithClippingMatchPyTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, TensorData> initial = new LinkedHashMap<>();
            for (String k : new String[] {"a", "b", "never"}) {
                initial.put(k, F.get("p0/" + k));
            }
            AdamWTest.Flat model = new AdamWTest.Flat(m, initial);
            Map<String, Parameter> params = model.namedParameters();
            params.values().forEach(p -> p.array().setRequiresGradient(true));
            try (SgdNesterov sgd = new SgdNesterov(params, 0.1, SgdNesterov.MOMENTUM, SgdNesterov.WEIGHT_DECAY,
                    F.get("max_norm").toFloats()[0])) {
                for (int t = 0; t < 4; t++) {
                    sgd.setLr(F.get("lr" + t).toFloats()[0]);
                    Map<String, TensorData> grads = new LinkedHashMap<>();
                    grads.put("a", F.get("g" + t + "/a"));
                    grads.put("b", F.get("g" + t + "/b"));
                    AdamWTest.setGradients(params, grads, m);
                    sgd.step();
                    sgd.zeroGrad();
                    for (String k : new String[] {"a", "b", "never"}) {
                        Tolerance.assertClose("step " + t + " " + k, params.get(k).array(), F.get("w" + t + "/" + k),
                                1e-6, 1e-5);
                    }
                }
                assertThat(sgd.statefulParameters()).containsExactly("a", "b");
            }
        }
    }

    @Test
    void stateRoundTripsAndForeignStateIsRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, TensorData> initial = Map.of("w", TensorData.ofFloats(new float[] {1, 2, 3}, 3));
            AdamWTest.Flat model = new AdamWTest.Flat(m, initial);
            Map<String, Parameter> params = model.namedParameters();
            params.values().forEach(p -> p.array().setRequiresGradient(true));
            try (SgdNesterov a = SgdNesterov.nnUNet(params, 0.01, 3e-5);
                 SgdNesterov b = SgdNesterov.nnUNet(params, 0.01, 3e-5)) {
                AdamWTest.setGradients(params, Map.of("w", TensorData.ofFloats(new float[] {0.5f, -1, 2}, 3)), m);
                a.step();
                StateDict saved = a.stateDict();
                assertThat(saved.keys()).containsExactly("w.momentum_buffer");
                b.loadStateDict(saved);
                assertThat(b.stateDict().get("w.momentum_buffer").toFloats())
                        .containsExactly(saved.get("w.momentum_buffer").toFloats());
                assertThatThrownBy(() -> b.loadStateDict(new StateDict(Map.of("w.exp_avg",
                        TensorData.ofFloats(new float[] {0, 0, 0}, 3)), "adamw.safetensors")))
                        .isInstanceOf(SamtuneException.class).hasMessageContaining("w.exp_avg");
                assertThatThrownBy(() -> b.loadStateDict(new StateDict(Map.of("w.momentum_buffer",
                        TensorData.ofFloats(new float[] {0, 0}, 2)), "short.safetensors")))
                        .isInstanceOf(SamtuneException.class).hasMessageContaining("shape");
            }
        }
    }
}
