package org.samtune.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.nn.Module;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

class DiceCeLossTest {
    private final DiceCeLoss loss = new DiceCeLoss();

    @Test
    void matchesMonaiPlusCrossEntropyOnTheFixtureStep() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray pred = Module.toArray(m, Fixtures.npy("sam-tiny", "train_pred"), DataType.FLOAT32);
            NDArray target = Module.toArray(m, Fixtures.npy("sam-tiny", "train_target"), DataType.INT64);
            DiceCeLoss.Parts parts = loss.compute(pred, target);
            float[] expected = Fixtures.npy("sam-tiny", "train_loss").toFloats(); // [dice, ce, dice+ce]
            float[] actual = {parts.dice().getFloat(), parts.ce().getFloat(), parts.total().getFloat()};
            Tolerance.assertClose("dice, ce, total", actual, expected, Tolerance.ATOL, Tolerance.RTOL);
            // (B, H, W) targets are accepted too (CrossEntropyLoss's layout).
            assertThat(loss.compute(pred, target.squeeze(1)).total().getFloat()).isEqualTo(actual[2]);
        }
    }

    @Test
    void gradientMatchesCentralDifferencesInDoublePrecision() {
        try (NDManager m = NDManager.newBaseManager()) {
            Random rng = new Random(7);
            int b = 2, c = 3, h = 6, w = 5;
            double[] logits = new double[b * c * h * w];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = rng.nextGaussian() * 2;
            }
            long[] labels = new long[b * h * w];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = rng.nextInt(c);
            }
            NDArray target = m.create(labels, new ai.djl.ndarray.types.Shape(b, 1, h, w));
            NDArray x = m.create(logits, new ai.djl.ndarray.types.Shape(b, c, h, w));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(loss.compute(x, target).total());
            }
            double[] grad = x.getGradient().toDoubleArray();
            double eps = 1e-6;
            double worst = 0;
            for (int i = 0; i < logits.length; i++) {
                double[] plus = logits.clone();
                double[] minus = logits.clone();
                plus[i] += eps;
                minus[i] -= eps;
                double fd = (value(m, plus, target, b, c, h, w) - value(m, minus, target, b, c, h, w)) / (2 * eps);
                worst = Math.max(worst, Math.abs(fd - grad[i]));
            }
            assertThat(worst).as("max |autograd - central difference|").isLessThan(1e-8);
        }
    }

    private double value(NDManager m, double[] logits, NDArray target, int b, int c, int h, int w) {
        NDArray x = m.create(logits, new ai.djl.ndarray.types.Shape(b, c, h, w));
        return loss.compute(x, target).total().getDouble();
    }

    @Test
    void gradientMatchesPyTorchOnTheFixtureStep() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray pred = Module.toArray(m, Fixtures.npy("sam-tiny", "train_pred"), DataType.FLOAT32);
            NDArray target = Module.toArray(m, Fixtures.npy("sam-tiny", "train_target"), DataType.INT64);
            pred.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(loss.compute(pred, target).total());
            }
            TensorData golden = Npy2.read("train_loss_grad_pred.npy");
            Tolerance.assertClose("d loss / d pred", pred.getGradient(), golden, 1e-8, 1e-4);
        }
    }

    @Test
    void perfectPredictionHasNearZeroDiceOnlyForTheTrueClassChannels() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray target = m.create(new long[] {0, 1, 1, 0}, new ai.djl.ndarray.types.Shape(1, 1, 2, 2));
            // Logits ±20: sigmoid ≈ one-hot, softmax ≈ one-hot → both parts ≈ 0.
            NDArray logits = m.create(new float[] {20, -20, -20, 20, -20, 20, 20, -20}, new ai.djl.ndarray.types.Shape(1, 2, 2, 2));
            DiceCeLoss.Parts p = loss.compute(logits, target);
            assertThat(p.dice().getFloat()).isLessThan(1e-6f);
            assertThat(p.ce().getFloat()).isLessThan(1e-6f);
        }
    }

    @Test
    void rejectsLabelsOutsideTheClasses() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray target = m.create(new long[] {0, 1, 2, 0}, new ai.djl.ndarray.types.Shape(1, 1, 2, 2));
            NDArray logits = m.zeros(new ai.djl.ndarray.types.Shape(1, 2, 2, 2));
            assertThatThrownBy(() -> loss.compute(logits, target)).isInstanceOf(SamtuneException.class)
                    .hasMessageContaining("[0, 1]").hasMessageContaining("found [0, 2]");
            assertThatThrownBy(() -> loss.compute(logits, m.zeros(new ai.djl.ndarray.types.Shape(1, 1, 3, 2))))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** Goldens generated for this project (src/test/resources/golden/train, see its README). */
    static final class Npy2 {
        static TensorData read(String name) {
            java.net.URL url = DiceCeLossTest.class.getResource("/golden/train/" + name);
            assertThat(url).as("golden " + name).isNotNull();
            try {
                return org.samtune.checkpoint.Npy.read(java.nio.file.Path.of(url.toURI()));
            } catch (java.net.URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
