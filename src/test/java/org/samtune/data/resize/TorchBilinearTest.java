package org.samtune.data.resize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.TensorData;
import org.samtune.testing.Tolerance;
import org.samtune.data.KernelGoldens;
import org.samtune.model.nn.TorchBilinear;

/** torch F.interpolate(bilinear) against torch 1.13 golden outputs (kernels/torch_bilinear*.npz). */
class TorchBilinearTest {
    /** The bar for float kernels: |a − b| ≤ 1e-6; the plain kernel must in fact match bit for bit. */
    private static final double ATOL = 1e-6;

    @Test
    void alignCornersFalseMatchesTorch() {
        check("torch_bilinear.npz", false);
    }

    @Test
    void alignCornersTrueMatchesTorch() {
        check("torch_bilinear_ac.npz", true);
    }

    private static void check(String file, boolean alignCorners) {
        Map<String, TensorData> npz = KernelGoldens.load(file);
        int n = KernelGoldens.caseCount(npz);
        assertThat(n).isGreaterThanOrEqualTo(10);
        for (int k = 0; k < n; k++) {
            TensorData x = npz.get("c" + k + "_x");
            TensorData y = npz.get("c" + k + "_y");
            long[] s = x.shape();
            long[] o = y.shape();
            float[] got = TorchBilinear.resize(x.toFloats(), 1, (int) s[0], (int) s[1], (int) s[2], (int) o[1],
                    (int) o[2], alignCorners);
            String what = file + " case " + k + " " + x.shapeString() + "->" + y.shapeString();
            Tolerance.assertClose(what, got, y.toFloats(), ATOL, 0);
            // both of PyTorch's kernels (generic NCHW for C > 1, channels-last for C = 1) are reproduced exactly
            assertThat(Tolerance.maxAbsDiff(got, y.toFloats())).as(what + " bit-exact").isZero();
        }
    }

    @Test
    void ndarrayVersionMatchesTorchAndIsDifferentiable() {
        Map<String, TensorData> npz = KernelGoldens.load("torch_bilinear.npz");
        try (NDManager m = NDManager.newBaseManager()) {
            for (int k = 0; k < KernelGoldens.caseCount(npz); k++) {
                TensorData x = npz.get("c" + k + "_x");
                TensorData y = npz.get("c" + k + "_y");
                long[] o = y.shape();
                NDArray in = m.create(x.toFloats(), new Shape(x.shape())).expandDims(0);
                NDArray out = TorchBilinear.resize(in, (int) o[1], (int) o[2], false);
                assertThat(out.getShape()).isEqualTo(new Shape(1, o[0], o[1], o[2]));
                // matrix products round differently from torch's fused kernel: within 1e-6 on these ~N(0,3) values
                Tolerance.assertClose("ndarray case " + k, out.toFloatArray(), y.toFloats(), ATOL, 0);
            }
            // d(sum(w ⊙ resize(x)))/dx = Wyᵀ · w · Wx: check against the float kernel's adjoint by duality
            NDArray x = m.randomNormal(new Shape(2, 5, 7));
            NDArray w = m.randomNormal(new Shape(2, 11, 3));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(TorchBilinear.resize(x, 11, 3, false).mul(w).sum());
            }
            float[] grad = x.getGradient().toFloatArray();
            float[] xs = x.toFloatArray();
            float[] ws = w.toFloatArray();
            // <resize(x), w> computed by the float kernel equals <x, grad>
            float[] rx = TorchBilinear.resize(xs, 2, 5, 7, 11, 3);
            double lhs = 0;
            double rhs = 0;
            for (int i = 0; i < rx.length; i++) {
                lhs += (double) rx[i] * ws[i];
            }
            for (int i = 0; i < xs.length; i++) {
                rhs += (double) xs[i] * grad[i];
            }
            assertThat(rhs).isCloseTo(lhs, org.assertj.core.data.Offset.offset(1e-4));
            // and the gradient of a single output pixel is the four bilinear weights
            NDArray x2 = m.zeros(new Shape(1, 4, 4));
            x2.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(TorchBilinear.resize(x2, 3, 3, false).get("0,1,1"));
            }
            float[] g = x2.getGradient().toFloatArray();
            // 4 -> 3: src = (4/3)·1.5 − 0.5 ≈ 1.5 on both axes → ≈ 0.25 on (1,1), (1,2), (2,1), (2,2), 0 elsewhere
            for (int i = 0; i < 16; i++) {
                boolean tap = i == 5 || i == 6 || i == 9 || i == 10;
                assertThat(g[i]).as("grad " + i).isCloseTo(tap ? 0.25f : 0f, org.assertj.core.data.Offset.offset(1e-6f));
            }
        }
    }

    @Test
    void negativeSourceCoordinatesClampToTheFirstPixel() {
        // 2 -> 8: output 0 maps to src 0.25·0.5 − 0.5 < 0, clamped: it is the first pixel exactly
        float[] out = TorchBilinear.resize(new float[] {10f, 20f}, 1, 1, 2, 1, 8);
        assertThat(out[0]).isEqualTo(10f);
        assertThat(out[1]).isEqualTo(10f);
        assertThat(out[7]).isEqualTo(20f);
        assertThat(out[2]).isEqualTo(11.25f); // src = 0.125, λ = 0.125
    }

    @Test
    void rejectsInconsistentSizes() {
        assertThatThrownBy(() -> TorchBilinear.resize(new float[5], 1, 2, 2, 4, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 values");
        assertThatThrownBy(() -> TorchBilinear.resize(new float[4], 1, 2, 2, 0, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    }

    @Test
    void antialiasedMatchesTorch() {
        Map<String, TensorData> npz = KernelGoldens.load("torch_bilinear_aa.npz");
        double worst = 0;
        for (int k = 0; k < KernelGoldens.caseCount(npz); k++) {
            TensorData x = npz.get("c" + k + "_x");
            TensorData y = npz.get("c" + k + "_y");
            long[] s = x.shape();
            long[] o = y.shape();
            float[] got = TorchBilinearAntialias.resize(x.toFloats(), (int) s[0], (int) s[1], (int) s[2],
                    (int) o[1], (int) o[2]);
            Tolerance.assertClose("aa case " + k + " " + x.shapeString() + "->" + y.shapeString(), got,
                    y.toFloats(), ATOL, 0);
            worst = Math.max(worst, Tolerance.maxAbsDiff(got, y.toFloats()));
        }
        System.out.println("antialiased bilinear max |diff| vs torch: " + worst);
    }

    @Test
    void labelResizeMatchesTorchvisionBothDefaults() {
        Map<String, TensorData> npz = KernelGoldens.load("tv_label_resize.npz");
        int n = KernelGoldens.caseCount(npz);
        assertThat(n).isEqualTo(8);
        for (int k = 0; k < n; k++) {
            TensorData x = npz.get("c" + k + "_x");
            TensorData y = npz.get("c" + k + "_y");
            boolean aa = npz.get("c" + k + "_aa").toLongs()[0] == 1;
            long[] s = x.shape();
            long[] o = y.shape();
            int[] got = TorchvisionLabelResize.resize(KernelGoldens.toInts(x), 1, (int) s[0], (int) s[1],
                    (int) o[0], (int) o[1], aa ? TorchvisionLabelResize.Antialias.TORCHVISION_0_17
                            : TorchvisionLabelResize.Antialias.TORCHVISION_0_15);
            assertThat(got).as("label case " + k + " antialias " + aa).containsExactly(KernelGoldens.toInts(y));
        }
    }
}
