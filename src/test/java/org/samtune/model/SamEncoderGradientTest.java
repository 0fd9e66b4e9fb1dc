package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.Safetensors;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.Parameter;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;
import org.samtune.train.DiceCeLoss;

/**
 * Full fine-tuning backward through the ViT encoder against PyTorch (fixtures/sam-tiny train_grads.npz: image →
 * encoder → no-prompt decoder, multimask → Dice + CE). Guards the encoder's per-block NDScope and the in-place
 * rel-pos addition: neither may cut what autograd needs. Tolerance |a − b| ≤ 1e-7 + 1e-3·|b| (gradients are
 * small; the fixture notes BLAS-dependent differences of ~3e-9).
 */
class SamEncoderGradientTest {

    @Test
    void encoderGradientsMatchPyTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sam sam = SamParityTest.tiny(m, BlockOrder.OFFICIAL,
                    Safetensors.read(Fixtures.file("sam-tiny", "tiny_sam.safetensors")));
            sam.train(true);
            Map<String, Parameter> params = sam.namedParameters();
            params.values().forEach(p -> p.array().setRequiresGradient(true));
            // The project's contract (DEVELOPERS.md): forward and backward run inside an NDScope.
            try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            NDArray image = Module.toArray(m, Fixtures.npy("sam-tiny", "image"), DataType.FLOAT32);
            NDArray target = Module.toArray(m, Fixtures.npy("sam-tiny", "train_target"), DataType.INT64);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray emb = sam.embedImages(image);
                Sam.Prediction p = sam.predict(emb, null, null, null, null, true);
                Tolerance.assertClose("train_pred", p.lowResLogits(), Fixtures.npy("sam-tiny", "train_pred"));
                NDArray lossTotal = new DiceCeLoss().compute(p.lowResLogits(), target).total();
                lossTotal.getFloat();
                gc.backward(lossTotal);
            }
            Map<String, TensorData> golden = Fixtures.npz("sam-tiny", "train_grads.npz");
            int checked = 0;
            double worst = 0;
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                if (!e.getKey().startsWith("image_encoder.")) {
                    continue;
                }
                TensorData g = golden.get(e.getKey());
                assertThat(g).as(e.getKey()).isNotNull();
                NDArray grad = e.getValue().gradient();
                Tolerance.assertClose("grad " + e.getKey(), grad, g, 1e-7, 1e-3);
                worst = Math.max(worst, Tolerance.maxAbsDiff(grad.toFloatArray(), g.toFloats()));
                checked++;
            }
            assertThat(checked).isGreaterThan(20);
            System.out.printf("encoder gradients: %d tensors, max |diff| %.3g%n", checked, worst);
            }
        }
    }
}
