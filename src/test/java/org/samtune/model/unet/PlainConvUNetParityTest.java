package org.samtune.model.unet;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.TensorData;
import org.samtune.data.resize.PilResize;
import org.samtune.data.UInt8Image;
import org.samtune.model.nn.Module;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;
import org.samtune.train.DiceCeLoss;
import org.samtune.train.SgdNesterov;

/**
 * nnU-Net's 2-D PlainConvUNet against the same network in PyTorch 2.13 (fixtures/unet/plain_unet.npz from
 * tools/make_unet_fixtures.py): nnU-Net's plan for a 32² input (4 stages, 32–256 features), 3 classes, batch 2,
 * weights from {@link FormulaWeights}. Checked: keys, full-resolution logits, the three deep-supervision outputs,
 * the targets downsampled as nnU-Net does ({@code interpolate(mode='nearest-exact')}, here PIL-nearest), the
 * weighted loss (weights 2/3, 1/3, 0), every gradient (the 0-weighted head has none) and the weights after two
 * nnU-Net optimiser steps (clip at 12, SGD Nesterov). Tolerance: outputs and loss |a−b| ≤ 1e-4 + 1e-4·|b|;
 * gradients ≤ 1e-5 + 1e-3·|b|; weights after two steps ≤ 1e-6 + 1e-4·|b|.
 */
class PlainConvUNetParityTest {
    private static final Map<String, TensorData> F = Fixtures.npz("unet", "plain_unet.npz");

    @Test
    void forwardDeepSupervisionGradientsAndTwoStepsMatchPyTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            PlainUNetPlan plan = PlainUNetPlan.forSize(32);
            assertThat(plan.features()).containsExactly(32, 64, 128, 256);
            PlainConvUNet net = new PlainConvUNet(m, 3, plan, 3);
            FormulaWeights.apply(net, "plain_unet.keys.txt");
            assertThat(plan.deepSupervisionWeights()).containsExactly(toDoubles(F.get("ds_weights").toFloats()),
                    org.assertj.core.data.Offset.offset(1e-7));
            NDArray x = Module.toArray(m, F.get("x"), DataType.FLOAT32);
            long[] labels = F.get("target").toLongs();
            Tolerance.assertClose("eval logits", net.forward(x), F.get("eval_logits"), 1e-4, 1e-4);

            net.train(true);
            net.namedParameters().values().forEach(p -> p.array().setRequiresGradient(true));
            try (SgdNesterov sgd = SgdNesterov.nnUNet(net.namedParameters(), 0.01, SgdNesterov.WEIGHT_DECAY)) {
                for (int step = 0; step < 2; step++) {
                    sgd.setLr(step == 0 ? 0.01 : 0.009);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        List<NDArray> outs = net.trainingOutputs(x);
                        assertThat(outs).hasSize(3);
                        double[] w = net.outputWeights();
                        NDArray loss = null;
                        for (int i = 0; i < outs.size(); i++) {
                            if (step == 0) {
                                Tolerance.assertClose("deep supervision output " + i, outs.get(i), F.get("ds" + i),
                                        1e-4, 1e-4);
                            }
                            if (w[i] == 0) {
                                continue;
                            }
                            int size = 32 >> i;
                            NDArray t = m.create(downsample(labels, 2, 32, size), new Shape(2, size, size));
                            NDArray term = new DiceCeLoss().compute(outs.get(i), t).total()
                                    .mul(m.full(new Shape(), (float) w[i]));
                            loss = loss == null ? term : loss.add(term);
                        }
                        Tolerance.assertClose("loss step " + step, new float[] {loss.getFloat()},
                                F.get(step == 0 ? "loss" : "loss2").toFloats(), 1e-5, 1e-4);
                        gc.backward(loss);
                    }
                    if (step == 0) {
                        UNetGradients.check(net, F, null, 1e-4, 1e-3);
                    }
                    sgd.step();
                    sgd.zeroGrad();
                }
            }
            Map<String, NDArray> state = net.stateArrays();
            for (String key : F.keySet()) {
                if (key.startsWith("w2/")) {
                    Tolerance.assertClose(key, state.get(key.substring(3)), F.get(key), 1e-6, 1e-4);
                }
            }
            net.namedParameters().values().forEach(p -> p.array().setRequiresGradient(false));
        }
    }

    /** nnU-Net's DownsampleSegForDSTransform: nearest-exact, the same pixel centres as PIL's nearest. */
    static long[] downsample(long[] labels, int batch, int size, int to) {
        long[] out = new long[batch * to * to];
        for (int b = 0; b < batch; b++) {
            byte[] px = new byte[size * size];
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) labels[b * size * size + i];
            }
            byte[] small = PilResize.nearest(new UInt8Image(size, size, 1, px), to, to).pixels();
            for (int i = 0; i < small.length; i++) {
                out[b * to * to + i] = small[i];
            }
        }
        return out;
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
