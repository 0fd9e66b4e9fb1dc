package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.Safetensors;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.nn.Parameter;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

/**
 * Backward through the whole model (full fine-tuning, no prompt, multimask) against PyTorch's gradients
 * (train_grads.npz): checks that releasing each block's intermediates early (Module.scoped, closed attention
 * maps) leaves autograd intact. The loss is the fixture's Dice + CE written out here (the training package owns
 * the real one). Tolerance: loss 1e-5 + 1e-4·|b|; gradients |a − b| ≤ 1e-8 + 1e-3·|b| (gradients are ~1e-4..1e-3,
 * PyTorch's own BLAS variation is 2.8e-9).
 */
class SamGradientParityTest {

    @Test
    void gradientsOfEveryParameterMatchPyTorch() {
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            Sam sam = Sam.fromStateDict(m, Safetensors.read(Fixtures.file("sam-tiny", "tiny_sam.safetensors")),
                    BlockOrder.OFFICIAL);
            sam.train(true);
            Map<String, Parameter> params = sam.namedParameters();
            params.values().forEach(p -> p.array().setRequiresGradient(true));
            NDArray image = SamFixtures.array(m, "image");
            TensorData target = SamFixtures.golden("train_target");
            NDArray oneHot = m.create(target.toLongs(), new Shape(target.shape())).squeeze(1)
                    .oneHot(3).transpose(0, 3, 1, 2).toType(DataType.FLOAT32, false);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray emb = sam.embedImages(image);
                Sam.Prediction p = sam.predict(emb, null, null, null, null, true);
                NDArray pred = p.lowResLogits();
                Tolerance.assertClose("train_pred", pred, SamFixtures.golden("train_pred"));
                // Dice (sigmoid, squared_pred, smooth 1e-5), mean over (b, c)
                NDArray s = ai.djl.nn.Activation.sigmoid(pred);
                NDArray inter = s.mul(oneHot).sum(new int[] {2, 3});
                NDArray denom = oneHot.square().sum(new int[] {2, 3}).add(s.square().sum(new int[] {2, 3}));
                NDArray dice = inter.mul(2).add(1e-5f).div(denom.add(1e-5f)).neg().add(1f).mean();
                // cross-entropy over the channel dimension, mean over pixels
                NDArray ce = pred.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().mean();
                NDArray loss = dice.add(ce);
                Tolerance.assertClose("train_loss", new float[] {dice.getFloat(), ce.getFloat(), loss.getFloat()},
                        SamFixtures.golden("train_loss").toFloats(), Tolerance.ATOL, Tolerance.RTOL);
                gc.backward(loss);
            }
            Map<String, TensorData> grads = Fixtures.npz("sam-tiny", "train_grads.npz");
            int compared = 0;
            for (Map.Entry<String, TensorData> g : grads.entrySet()) {
                Parameter p = params.get(g.getKey());
                if (p == null) {
                    continue; // e.g. the npz's list of parameters without gradient
                }
                Tolerance.assertClose("grad " + g.getKey(), p.array().getGradient(), g.getValue(), 1e-8, 1e-3);
                compared++;
            }
            assertThat(compared).isGreaterThan(140);
        }
    }
}
