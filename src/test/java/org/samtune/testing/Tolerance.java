package org.samtune.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import org.samtune.checkpoint.TensorData;

/**
 * Element-wise comparison with the PyTorch reference: |actual − expected| ≤ atol + rtol·|expected| (numpy's
 * allclose). The default tolerance is the project's parity bar: atol 1e-5, rtol 1e-4.
 */
public final class Tolerance {
    public static final double ATOL = 1e-5;
    public static final double RTOL = 1e-4;

    private Tolerance() {}

    public static void assertClose(String what, NDArray actual, TensorData expected) {
        assertClose(what, actual, expected, ATOL, RTOL);
    }

    public static void assertClose(String what, NDArray actual, TensorData expected, double atol, double rtol) {
        assertThat(actual.getShape().getShape()).as(what + " shape").isEqualTo(expected.shape());
        assertClose(what, actual.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray(),
                expected.toFloats(), atol, rtol);
    }

    public static void assertClose(String what, float[] actual, float[] expected, double atol, double rtol) {
        assertThat(actual.length).as(what + " length").isEqualTo(expected.length);
        int bad = 0;
        int worst = -1;
        double worstExcess = 0;
        double maxAbs = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            maxAbs = Math.max(maxAbs, d);
            double allowed = atol + rtol * Math.abs(expected[i]);
            if (!(d <= allowed)) {
                bad++;
                if (worst < 0 || d - allowed > worstExcess) {
                    worst = i;
                    worstExcess = d - allowed;
                }
            }
        }
        if (bad > 0) {
            throw new AssertionError(String.format(
                    "%s: %d of %d elements differ beyond |a-b| <= %.1e + %.1e*|b|; worst at %d: actual %.8g, expected %.8g; max |a-b| %.3g",
                    what, bad, actual.length, atol, rtol, worst, actual[worst], expected[worst], maxAbs));
        }
    }

    /** The maximum absolute difference, for reporting. */
    public static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return a.length == b.length ? m : Double.NaN;
    }

    static String shape(long[] s) {
        return Arrays.toString(s);
    }

    /** ‖a − b‖₂ / ‖b‖₂ in double: the error measure of the bf16 tests (PyTorch's autocast error is given so). */
    public static double relativeL2(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            num += d * d;
            den += (double) b[i] * b[i];
        }
        return Math.sqrt(num / den);
    }
}
