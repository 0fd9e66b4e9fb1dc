package org.samtune.eval;

import java.util.Arrays;

/**
 * Exact Euclidean distance transform on a 2-D or 3-D grid with anisotropic spacing (Felzenszwalb &amp; Huttenlocher,
 * "Distance Transforms of Sampled Functions", Theory of Computing 2012): one 1-D lower-envelope-of-parabolas pass
 * per axis, O(voxels) in total. The result equals scipy's {@code distance_transform_edt(~feature, sampling=spacing)}.
 *
 * <p>Grids are stored axis 0 fastest ({@code index = i + n0·(j + n1·k)}), the order of {@link org.samtune.io.Volume}.
 */
public final class EuclideanDistance {
    private EuclideanDistance() {}

    /**
     * Squared distance (mm²) from every voxel to the nearest {@code feature} voxel; +∞ everywhere when there is no
     * feature voxel.
     */
    public static double[] squaredMm(boolean[] feature, int[] size, double[] spacingMm) {
        int n = 1;
        for (int s : size) {
            n *= s;
        }
        if (feature.length != n || spacingMm.length != size.length) {
            throw new IllegalArgumentException("grid " + Arrays.toString(size) + " does not match "
                    + feature.length + " voxels / spacing " + Arrays.toString(spacingMm));
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = feature[i] ? 0 : Double.POSITIVE_INFINITY;
        }
        int longest = Arrays.stream(size).max().orElse(1);
        double[] line = new double[longest];
        double[] out = new double[longest];
        int[] v = new int[longest];
        double[] z = new double[longest + 1];
        int stride = 1;
        for (int axis = 0; axis < size.length; axis++) {
            int len = size[axis];
            double w2 = spacingMm[axis] * spacingMm[axis];
            int block = stride * len;
            for (int outer = 0; outer < n; outer += block) {
                for (int inner = 0; inner < stride; inner++) {
                    int base = outer + inner;
                    for (int q = 0; q < len; q++) {
                        line[q] = d[base + q * stride];
                    }
                    lowerEnvelope(line, len, w2, out, v, z);
                    for (int q = 0; q < len; q++) {
                        d[base + q * stride] = out[q];
                    }
                }
            }
            stride = block;
        }
        return d;
    }

    /**
     * out[p] = min_q (w2·(p−q)² + f[q]) over the finite f[q]; only finite samples become parabolas, so an all-∞
     * line stays ∞ (the intersection formula would otherwise produce ∞−∞).
     */
    static void lowerEnvelope(double[] f, int n, double w2, double[] out, int[] v, double[] z) {
        int k = -1;
        for (int q = 0; q < n; q++) {
            if (f[q] == Double.POSITIVE_INFINITY) {
                continue;
            }
            double s = Double.NEGATIVE_INFINITY;
            while (k >= 0) {
                int r = v[k];
                s = ((f[q] + w2 * q * q) - (f[r] + w2 * (double) r * r)) / (2 * w2 * (q - r));
                if (s <= z[k]) {
                    k--;
                    s = Double.NEGATIVE_INFINITY;
                } else {
                    break;
                }
            }
            k++;
            v[k] = q;
            z[k] = s;
            z[k + 1] = Double.POSITIVE_INFINITY;
        }
        if (k < 0) {
            Arrays.fill(out, 0, n, Double.POSITIVE_INFINITY);
            return;
        }
        k = 0;
        for (int p = 0; p < n; p++) {
            while (z[k + 1] < p) {
                k++;
            }
            double dq = p - v[k];
            out[p] = w2 * dq * dq + f[v[k]];
        }
    }
}
