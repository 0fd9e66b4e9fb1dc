package org.samtune.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.net.URL;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.Npy;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.Parameter;
import org.samtune.testing.Tolerance;

/**
 * Loss + AdamW + schedule together, 8 steps, against PyTorch 1.13 running finetune-SAM's loop on a per-pixel linear
 * model (golden/train/generate_mini_training.py), with a parameter that never gets a gradient.
 */
class TrainingStepParityTest {

    @Test
    void eightStepsMatchPyTorch() throws Exception {
        URL url = getClass().getResource("/golden/train/mini_training.npz");
        Map<String, TensorData> g = Npy.readNpz(Path.of(url.toURI()));
        float[] expectedLoss = get(g, "losses").toFloats();
        TensorData lrs = get(g, "lrs");
        double[] expectedLr = new double[(int) lrs.numel()];
        lrs.data().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(expectedLr);
        float[] expectedW = get(g, "w").toFloats();
        float[] expectedB = get(g, "b").toFloats();
        try (NDManager m = NDManager.newBaseManager()) {
            AdamWTest.Flat model = new AdamWTest.Flat(m, Map.of("w", get(g, "w0"), "b", get(g, "b0"), "unused", get(g, "unused0")));
            Map<String, Parameter> params = model.namedParameters();
            params.values().forEach(p -> p.array().setRequiresGradient(true));
            NDArray x = Module.toArray(m, get(g, "x"), DataType.FLOAT32);
            NDArray target = Module.toArray(m, get(g, "target"), DataType.INT64);
            DiceCeLoss loss = new DiceCeLoss();
            LrSchedule schedule = LrSchedule.warmupPoly(1e-2, 3, 10);
            float[] unused0 = get(g, "unused0").toFloats();
            int arraysAfterFirstStep = -1;
            try (AdamW opt = AdamW.finetuneSam(params, schedule.lrForStep(0))) {
                for (int i = 0; i < expectedLoss.length; i++) {
                    opt.setLr(schedule.lrForStep(i));
                    assertThat(opt.lr()).as("lr of step %d", i).isCloseTo(expectedLr[i], within(1e-9 * expectedLr[i]));
                    float lossValue;
                    try (NDScope scope = new NDScope()) {
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray w = params.get("w").array();
                            NDArray b = params.get("b").array();
                            NDArray logits = x.transpose(0, 2, 3, 1).matMul(w.transpose(1, 0)).transpose(0, 3, 1, 2)
                                    .add(b.reshape(1, 3, 1, 1));
                            NDArray total = loss.compute(logits, target).total();
                            lossValue = total.getFloat();
                            gc.backward(total);
                        }
                    }
                    opt.step();
                    opt.zeroGrad();
                    Tolerance.assertClose("loss at step " + i, new float[] {lossValue}, new float[] {expectedLoss[i]},
                            Tolerance.ATOL, Tolerance.RTOL);
                    Tolerance.assertClose("w after step " + i, params.get("w").array().toFloatArray(),
                            Arrays.copyOfRange(expectedW, 9 * i, 9 * i + 9), 1e-5, 0);
                    Tolerance.assertClose("b after step " + i, params.get("b").array().toFloatArray(),
                            Arrays.copyOfRange(expectedB, 3 * i, 3 * i + 3), 1e-5, 0);
                    assertThat(params.get("unused").array().toFloatArray()).containsExactly(unused0);
                    int arrays = count(m);
                    if (i == 0) {
                        arraysAfterFirstStep = arrays;
                    } else {
                        assertThat(arrays).as("native arrays after step %d", i).isEqualTo(arraysAfterFirstStep);
                    }
                }
                assertThat(opt.statefulParameters()).containsExactlyInAnyOrder("w", "b");
            }
        }
    }

    private static TensorData get(Map<String, TensorData> g, String key) {
        TensorData t = g.containsKey(key) ? g.get(key) : g.get(key + ".npy");
        assertThat(t).as(key).isNotNull();
        return t;
    }

    private static int count(NDManager m) {
        int n = m.getManagedArrays().size();
        for (var r : m.getManagedArrays()) {
            if (r instanceof NDManager sub) {
                n += count(sub);
            }
        }
        return n;
    }
}
