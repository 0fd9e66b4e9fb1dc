package org.samtune.eval;

import java.util.Arrays;

/**
 * Dice, IoU, HD95, ASSD and NSD of one binary class mask against its ground truth, on a 2-D or 3-D grid with
 * voxel spacing in mm, following MONAI's {@code compute_dice}, {@code compute_iou},
 * {@code compute_hausdorff_distance(percentile=95)}, {@code compute_average_surface_distance(symmetric=True)} and
 * {@code compute_surface_dice} (voxel surfaces, Euclidean distances with spacing).
 *
 * <p>Grids are axis 0 fastest; {@code size} and {@code spacingMm} have one entry per axis (2 or 3).
 */
public final class SegmentationMetrics {
    private SegmentationMetrics() {}

    public static ClassMetrics compute(
            boolean[] pred, boolean[] truth, int[] size, double[] spacingMm, MetricOptions options) {
        checkGrid(pred, truth, size, spacingMm);
        long p = 0;
        long t = 0;
        long both = 0;
        for (int i = 0; i < pred.length; i++) {
            if (pred[i]) {
                p++;
            }
            if (truth[i]) {
                t++;
                if (pred[i]) {
                    both++;
                }
            }
        }
        double dice = dice(p, t, both, options.ignoreEmpty());
        double iou = iou(p, t, both, options.ignoreEmpty());
        if (p == 0 && t == 0) {
            return new ClassMetrics(dice, iou, Double.NaN, Double.NaN, Double.NaN, p, t);
        }
        if (p == 0 || t == 0) {
            // MONAI: every distance from the non-empty surface is +inf, so HD and ASSD are inf and no surface
            // voxel is within tolerance.
            return new ClassMetrics(dice, iou, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 0.0, p, t);
        }
        double[][] d = surfaceDistancesMm(pred, truth, size, spacingMm);
        double[] predToTruth = d[0];
        double[] truthToPred = d[1];
        double hd = Math.max(percentile(predToTruth, options.hausdorffPercentile()),
                percentile(truthToPred, options.hausdorffPercentile()));
        double sum = 0;
        int within = 0;
        double tol = options.nsdToleranceMm();
        for (double[] dir : d) {
            for (double x : dir) {
                sum += x;
                if (x <= tol) {
                    within++;
                }
            }
        }
        int total = predToTruth.length + truthToPred.length;
        return new ClassMetrics(dice, iou, hd, sum / total, within / (double) total, p, t);
    }

    /** MONAI's DiceHelper.compute_channel. */
    static double dice(long pred, long truth, long both, boolean ignoreEmpty) {
        if (truth > 0) {
            return 2.0 * both / (truth + pred);
        }
        if (ignoreEmpty) {
            return Double.NaN;
        }
        return pred == 0 ? 1.0 : 0.0;
    }

    /** MONAI's compute_iou: intersection / union. */
    static double iou(long pred, long truth, long both, boolean ignoreEmpty) {
        long union = pred + truth - both;
        if (truth > 0) {
            return both / (double) union;
        }
        if (ignoreEmpty) {
            return Double.NaN;
        }
        return union == 0 ? 1.0 : 0.0;
    }

    /**
     * The directed surface distances {pred → truth, truth → pred} in mm, computed on the bounding box of
     * pred ∪ truth (as MONAI's cropping; distances do not depend on it). Both masks must be non-empty.
     */
    public static double[][] surfaceDistancesMm(boolean[] pred, boolean[] truth, int[] size, double[] spacingMm) {
        checkGrid(pred, truth, size, spacingMm);
        int dims = size.length;
        int[] lo = new int[dims];
        int[] hi = new int[dims];
        Arrays.fill(lo, Integer.MAX_VALUE);
        Arrays.fill(hi, -1);
        int[] coord = new int[dims];
        for (int idx = 0; idx < pred.length; idx++) {
            if (idx > 0) {
                for (int a = 0; a < dims; a++) {
                    if (++coord[a] < size[a]) {
                        break;
                    }
                    coord[a] = 0;
                }
            }
            if (pred[idx] || truth[idx]) {
                for (int a = 0; a < dims; a++) {
                    lo[a] = Math.min(lo[a], coord[a]);
                    hi[a] = Math.max(hi[a], coord[a]);
                }
            }
        }
        if (hi[0] < 0) {
            throw new IllegalArgumentException("surface distances need non-empty masks");
        }
        int[] crop = new int[dims];
        int n = 1;
        for (int a = 0; a < dims; a++) {
            crop[a] = hi[a] - lo[a] + 1;
            n *= crop[a];
        }
        boolean[] cp = new boolean[n];
        boolean[] ct = new boolean[n];
        int[] stride = Surfaces.strides(size);
        int[] c = new int[dims];
        for (int o = 0; o < n; o++) {
            if (o > 0) {
                for (int a = 0; a < dims; a++) {
                    if (++c[a] < crop[a]) {
                        break;
                    }
                    c[a] = 0;
                }
            }
            int src = 0;
            for (int a = 0; a < dims; a++) {
                src += (c[a] + lo[a]) * stride[a];
            }
            cp[o] = pred[src];
            ct[o] = truth[src];
        }
        boolean[] ep = Surfaces.edges(cp, crop);
        boolean[] et = Surfaces.edges(ct, crop);
        return new double[][] {
            Surfaces.distancesMm(ep, et, crop, spacingMm), Surfaces.distancesMm(et, ep, crop, spacingMm)
        };
    }

    /** torch.quantile / numpy.percentile with linear interpolation. */
    static double percentile(double[] values, double percent) {
        double[] s = values.clone();
        Arrays.sort(s);
        double pos = percent / 100.0 * (s.length - 1);
        int below = (int) Math.floor(pos);
        int above = Math.min(below + 1, s.length - 1);
        double w = pos - below;
        return w == 0 ? s[below] : s[below] + (s[above] - s[below]) * w;
    }

    private static void checkGrid(boolean[] pred, boolean[] truth, int[] size, double[] spacingMm) {
        long n = 1;
        for (int s : size) {
            n *= s;
        }
        if (size.length < 2 || size.length > 3 || spacingMm.length != size.length || pred.length != n
                || truth.length != n) {
            throw new IllegalArgumentException("masks of " + pred.length + "/" + truth.length + " voxels on grid "
                    + Arrays.toString(size) + " spacing " + Arrays.toString(spacingMm));
        }
    }
}
