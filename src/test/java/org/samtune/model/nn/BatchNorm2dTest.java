package org.samtune.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.samtune.testing.Tolerance;

/**
 * BatchNorm2d against torch.nn.BatchNorm2d's definition computed here in double: train mode normalises with the
 * batch mean and biased variance over (N, H, W) and updates running_mean / running_var (unbiased) with momentum
 * 0.1 and num_batches_tracked; eval mode uses the running statistics; gradients reach weight and bias.
 * Tolerance |a−b| ≤ 1e-5 + 1e-4·|b|.
 */
class BatchNorm2dTest {
    private static final int N = 2;
    private static final int C = 3;
    private static final int H = 4;
    private static final int W = 5;

    @Test
    void trainModeUsesBatchStatisticsAndUpdatesRunningStats() {
        try (NDManager m = NDManager.newBaseManager()) {
            BatchNorm2d bn = new BatchNorm2d(m, C);
            float[] w = {0.5f, 1.5f, -1f};
            float[] b = {0.1f, -0.2f, 0.3f};
            bn.weight.assign(w);
            bn.bias.assign(b);
            float[] rm0 = {0.2f, -0.1f, 0.05f};
            float[] rv0 = {1.2f, 0.8f, 2.0f};
            bn.runningMean().set(rm0);
            bn.runningVar().set(rv0);
            float[] xs = random(N * C * H * W, 1);
            NDArray x = m.create(xs, new Shape(N, C, H, W));

            bn.train(true);
            float[] y1 = bn.forward(x).toFloatArray();
            float[] y2 = bn.forward(x).toFloatArray();

            double[] mean = new double[C];
            double[] var = new double[C];
            int n = N * H * W;
            for (int c = 0; c < C; c++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += xs[index(i, c)];
                }
                mean[c] = s / n;
                double q = 0;
                for (int i = 0; i < n; i++) {
                    double d = xs[index(i, c)] - mean[c];
                    q += d * d;
                }
                var[c] = q / n;
            }
            float[] expectedY = new float[xs.length];
            float[] expectedRm = new float[C];
            float[] expectedRv = new float[C];
            for (int c = 0; c < C; c++) {
                for (int i = 0; i < n; i++) {
                    int k = index(i, c);
                    expectedY[k] = (float) ((xs[k] - mean[c]) / Math.sqrt(var[c] + 1e-5) * w[c] + b[c]);
                }
                double rm = rm0[c];
                double rv = rv0[c];
                for (int step = 0; step < 2; step++) {
                    rm = 0.9 * rm + 0.1 * mean[c];
                    rv = 0.9 * rv + 0.1 * var[c] * n / (n - 1);
                }
                expectedRm[c] = (float) rm;
                expectedRv[c] = (float) rv;
            }
            Tolerance.assertClose("train output", y1, expectedY, Tolerance.ATOL, Tolerance.RTOL);
            Tolerance.assertClose("second train output (batch stats again)", y2, expectedY,
                    Tolerance.ATOL, Tolerance.RTOL);
            Tolerance.assertClose("running_mean after 2 steps", bn.runningMean().toFloatArray(), expectedRm,
                    Tolerance.ATOL, Tolerance.RTOL);
            Tolerance.assertClose("running_var after 2 steps", bn.runningVar().toFloatArray(), expectedRv,
                    Tolerance.ATOL, Tolerance.RTOL);
            assertThat(bn.stateArrays().get("num_batches_tracked").getLong()).isEqualTo(2L);

            bn.train(false);
            float[] ye = bn.forward(x).toFloatArray();
            float[] expectedEval = new float[xs.length];
            for (int c = 0; c < C; c++) {
                for (int i = 0; i < n; i++) {
                    int k = index(i, c);
                    expectedEval[k] = (float) ((xs[k] - expectedRm[c]) / Math.sqrt(expectedRv[c] + 1e-5) * w[c] + b[c]);
                }
            }
            Tolerance.assertClose("eval output", ye, expectedEval, Tolerance.ATOL, Tolerance.RTOL);
            assertThat(bn.stateArrays().get("num_batches_tracked").getLong()).isEqualTo(2L);
        }
    }

    @Test
    void trainModeGradientsReachWeightAndBias() {
        try (NDManager m = NDManager.newBaseManager()) {
            BatchNorm2d bn = new BatchNorm2d(m, C);
            bn.train(true);
            NDArray x = m.create(random(N * C * H * W, 2), new Shape(N, C, H, W));
            bn.weight.array().setRequiresGradient(true);
            bn.bias.array().setRequiresGradient(true);
            try (GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray y = bn.forward(x);
                NDArray loss = y.mul(y.getManager().arange((float) y.size()).reshape(y.getShape())).sum();
                gc.backward(loss);
            }
            // d loss / d bias[c] = sum of the upstream gradient over that channel.
            float[] gb = bn.bias.array().getGradient().toFloatArray();
            for (int c = 0; c < C; c++) {
                double s = 0;
                for (int i = 0; i < N * H * W; i++) {
                    s += index(i, c);
                }
                assertThat((double) gb[c]).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-3 * s));
            }
            assertThat(bn.weight.array().getGradient().abs().sum().getFloat()).isGreaterThan(0f);
        }
    }

    /** Flat NCHW index of the i-th (n, h, w) position of channel c. */
    private static int index(int i, int c) {
        int nIdx = i / (H * W);
        int hw = i % (H * W);
        return (nIdx * C + c) * H * W + hw;
    }

    private static float[] random(int size, long seed) {
        Random r = new Random(seed);
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) (r.nextGaussian() * 2 + 0.5);
        }
        return v;
    }
}
