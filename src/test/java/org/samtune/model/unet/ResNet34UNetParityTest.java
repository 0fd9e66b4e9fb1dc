package org.samtune.model.unet;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.nn.Module;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;
import org.samtune.train.DiceCeLoss;

/**
 * finetune-SAM's ResNet-34 U-Net against the same network in PyTorch 2.13 (fixtures/unet/resnet34_unet.npz, from
 * tools/make_unet_fixtures.py, weights from {@link FormulaWeights}), at 64² with 3 classes and batch 2: the state-dict
 * keys and their order, logits in eval mode (running statistics) and in train mode (batch statistics), the Dice+CE
 * loss, every parameter's gradient norm, full gradients of a selection, and the BatchNorm running statistics after
 * the step. Tolerance: logits |a−b| ≤ 1e-5·max|b| + 1e-4·|b| (the logits reach 323 in magnitude; PyTorch's own
 * float32 eval logits, which are the fixture's to the bit on two CPU types, differ from its float64 ones by up to
 * 5.4e-4, beyond 1e-4 + 1e-4·|b| at 8 near-zero entries; measured 4 Dec 2026), loss 1e-5 + 1e-5·|b|; gradients ≤ 1e-3·max|b| + 1e-3·|b| per tensor and
 * their norms within 1e-3 relative (PyTorch's own float32 gradients differ from float64 ones by up to 3e-4 of a
 * tensor's largest element here: 36 layers of BatchNorm backward at batch 2).
 */
class ResNet34UNetParityTest {
    private static final Map<String, TensorData> F = Fixtures.npz("unet", "resnet34_unet.npz");

    /** 1e-5 of the fixture tensor's largest magnitude. */
    private static double scaled(String key) {
        float[] v = F.get(key).toFloats();
        return 1e-5 * Tolerance.maxAbsDiff(v, new float[v.length]);
    }

    @Test
    void forwardLossGradientsAndRunningStatisticsMatchPyTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet34UNet net = new ResNet34UNet(m, 64, 3);
            FormulaWeights.apply(net, "resnet34_unet.keys.txt");
            NDArray x = Module.toArray(m, F.get("x"), DataType.FLOAT32);
            NDArray target = m.create(F.get("target").toLongs(), new ai.djl.ndarray.types.Shape(F.get("target").shape()));

            net.train(false);
            Tolerance.assertClose("eval logits", net.forward(x), F.get("eval_logits"), scaled("eval_logits"), 1e-4);

            net.train(true);
            net.namedParameters().values().forEach(p -> p.array().setRequiresGradient(true));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = net.forward(x);
                Tolerance.assertClose("train logits", logits, F.get("train_logits"), scaled("train_logits"), 1e-4);
                NDArray loss = new DiceCeLoss().compute(logits, target).total();
                Tolerance.assertClose("loss", new float[] {loss.getFloat()}, F.get("loss").toFloats(), 1e-5, 1e-5);
                gc.backward(loss);
            }
            UNetGradients.check(net, F, "resnet34_unet.params.txt", 1e-3, 1e-3);
            Map<String, NDArray> state = net.stateArrays();
            for (String key : F.keySet()) {
                if (key.startsWith("after/")) {
                    Tolerance.assertClose(key, state.get(key.substring(6)), F.get(key), 1e-5, 1e-4);
                }
            }
            net.namedParameters().values().forEach(p -> p.array().setRequiresGradient(false));
        }
    }
}
