package org.samtune.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SegmentationMetricsTest {

    private static final MetricOptions TOL_1MM = MetricOptions.DEFAULT.withNsdToleranceMm(1.0);

    /** A box [lo, hi) per axis on a grid, axis 0 fastest. */
    static boolean[] box(int[] size, int[] lo, int[] hi) {
        int n = 1;
        for (int s : size) {
            n *= s;
        }
        boolean[] m = new boolean[n];
        int[] c = new int[size.length];
        for (int idx = 0; idx < n; idx++) {
            int rest = idx;
            boolean in = true;
            for (int a = 0; a < size.length; a++) {
                c[a] = rest % size[a];
                rest /= size[a];
                in &= c[a] >= lo[a] && c[a] < hi[a];
            }
            m[idx] = in;
        }
        return m;
    }

    static boolean[] ellipsoid(int[] size, double[] centre, double[] radius) {
        int n = 1;
        for (int s : size) {
            n *= s;
        }
        boolean[] m = new boolean[n];
        for (int idx = 0; idx < n; idx++) {
            int rest = idx;
            double s = 0;
            for (int a = 0; a < size.length; a++) {
                double d = ((rest % size[a]) - centre[a]) / radius[a];
                s = s + d * d;
                rest /= size[a];
            }
            m[idx] = s <= 1.0;
        }
        return m;
    }

    @Test
    void shiftedSquaresWithAnisotropicSpacingMatchTheHandComputation() {
        // 3×3 squares, the prediction shifted by one pixel along x; spacing 2 mm along x, 0.5 mm along y.
        // Surface distances (both directions) = {0,0,0,0, 0.5, 2,2,2}, see docs/metrics.md.
        int[] size = {8, 7};
        boolean[] truth = box(size, new int[] {2, 2}, new int[] {5, 5});
        boolean[] pred = box(size, new int[] {3, 2}, new int[] {6, 5});
        ClassMetrics m = SegmentationMetrics.compute(pred, truth, size, new double[] {2.0, 0.5}, TOL_1MM);
        assertThat(m.dice()).isEqualTo(2.0 / 3.0);
        assertThat(m.iou()).isEqualTo(0.5);
        assertThat(m.hd95Mm()).isEqualTo(2.0);
        assertThat(m.assdMm()).isEqualTo(13.0 / 16.0);
        assertThat(m.nsd()).isEqualTo(10.0 / 16.0);
        assertThat(SegmentationMetrics.compute(pred, truth, size, new double[] {2.0, 0.5},
                TOL_1MM.withNsdToleranceMm(2.0)).nsd()).isEqualTo(1.0);
        assertThat(SegmentationMetrics.compute(pred, truth, size, new double[] {2.0, 0.5},
                TOL_1MM.withNsdToleranceMm(0.4)).nsd()).isEqualTo(0.5);

        // Swapping the spacing makes every non-zero distance 0.5 mm: the axis order of the spacing matters.
        ClassMetrics swapped = SegmentationMetrics.compute(pred, truth, size, new double[] {0.5, 2.0}, TOL_1MM);
        assertThat(swapped.hd95Mm()).isEqualTo(0.5);
        assertThat(swapped.assdMm()).isEqualTo(0.25);
        assertThat(swapped.nsd()).isEqualTo(1.0);
    }

    @Test
    void shiftedCubesHaveExactOverlapAndHausdorffEqualToTheShift() {
        int[] size = {30, 24, 22};
        boolean[] truth = box(size, new int[] {5, 5, 5}, new int[] {15, 15, 15});
        boolean[] pred = box(size, new int[] {7, 5, 5}, new int[] {17, 15, 15});
        double[] spacing = {1.5, 0.7, 2.0};
        ClassMetrics m = SegmentationMetrics.compute(pred, truth, size, spacing, MetricOptions.DEFAULT);
        assertThat(m.dice()).isEqualTo(0.8); // 2·800 / 2000
        assertThat(m.iou()).isEqualTo(800.0 / 1200.0);
        assertThat(m.predVoxels()).isEqualTo(1000);
        // The classic Hausdorff distance (percentile 100) is the shift: 2 voxels × 1.5 mm.
        ClassMetrics hd = SegmentationMetrics.compute(pred, truth, size, spacing,
                new MetricOptions(2.0, 100, true));
        assertThat(hd.hd95Mm()).isEqualTo(3.0);
        // HD95, ASSD and NSD against an independent brute-force nearest-surface search.
        assertMatchesBruteForce(pred, truth, size, spacing, MetricOptions.DEFAULT);
    }

    @Test
    void identicalMasksAreAPerfectMatch() {
        int[] size = {12, 11, 10};
        boolean[] m = ellipsoid(size, new double[] {5.5, 5.2, 4.8}, new double[] {4.1, 3.3, 3.9});
        ClassMetrics r = SegmentationMetrics.compute(m, m.clone(), size, new double[] {1, 1, 3},
                MetricOptions.DEFAULT);
        assertThat(r.dice()).isEqualTo(1.0);
        assertThat(r.iou()).isEqualTo(1.0);
        assertThat(r.hd95Mm()).isEqualTo(0.0);
        assertThat(r.assdMm()).isEqualTo(0.0);
        assertThat(r.nsd()).isEqualTo(1.0);
    }

    @Test
    void ellipsoidsMatchScipyReference3d() {
        // Numbers from src/test/resources/eval/monai_style_reference.py (scipy 1.17.1, numpy 2.4.6).
        int[] size = {24, 20, 12};
        boolean[] pred = ellipsoid(size, new double[] {11.3, 9.1, 5.2}, new double[] {7.2, 5.5, 3.1});
        boolean[] truth = ellipsoid(size, new double[] {12.6, 8.4, 6.1}, new double[] {6.1, 6.3, 2.7});
        ClassMetrics m = SegmentationMetrics.compute(pred, truth, size, new double[] {0.8, 1.0, 2.5},
                MetricOptions.DEFAULT);
        assertThat(m.predVoxels()).isEqualTo(516);
        assertThat(m.truthVoxels()).isEqualTo(436);
        assertThat(m.dice()).isCloseTo(0.7142857142857143, within(1e-12));
        assertThat(m.iou()).isCloseTo(0.5555555555555556, within(1e-12));
        assertThat(m.hd95Mm()).isCloseTo(2.808914381037628, within(1e-9));
        assertThat(m.assdMm()).isCloseTo(1.1396363991887783, within(1e-9));
        assertThat(m.nsd()).isCloseTo(0.7735470941883767, within(1e-12));
    }

    @Test
    void ringAndDiscMatchScipyReference2d() {
        int[] size = {40, 33};
        boolean[] outer = ellipsoid(size, new double[] {18.2, 15.7}, new double[] {11.4, 7.9});
        boolean[] hole = ellipsoid(size, new double[] {20.1, 16.2}, new double[] {3.3, 2.6});
        boolean[] pred = new boolean[outer.length];
        for (int i = 0; i < pred.length; i++) {
            pred[i] = outer[i] && !hole[i];
        }
        boolean[] truth = ellipsoid(size, new double[] {21.5, 14.1}, new double[] {9.7, 10.2});
        ClassMetrics m = SegmentationMetrics.compute(pred, truth, size, new double[] {0.7, 1.3},
                MetricOptions.DEFAULT.withNsdToleranceMm(1.5));
        assertThat(m.predVoxels()).isEqualTo(257);
        assertThat(m.truthVoxels()).isEqualTo(312);
        assertThat(m.dice()).isCloseTo(0.6889279437609842, within(1e-12));
        assertThat(m.iou()).isCloseTo(0.5254691689008043, within(1e-12));
        assertThat(m.hd95Mm()).isCloseTo(4.998082121764847, within(1e-9));
        assertThat(m.assdMm()).isCloseTo(2.442521223045899, within(1e-9));
        assertThat(m.nsd()).isCloseTo(0.4126984126984127, within(1e-12));
    }

    @Test
    void randomBlobsMatchBruteForceSurfaceDistances() {
        Random rnd = new Random(20261127);
        for (int trial = 0; trial < 25; trial++) {
            boolean threeD = trial % 2 == 0;
            int[] size = threeD ? new int[] {5 + rnd.nextInt(10), 5 + rnd.nextInt(10), 3 + rnd.nextInt(8)}
                    : new int[] {5 + rnd.nextInt(25), 5 + rnd.nextInt(25)};
            double[] spacing = new double[size.length];
            for (int a = 0; a < spacing.length; a++) {
                spacing[a] = 0.3 + 2.7 * rnd.nextDouble();
            }
            int n = 1;
            for (int s : size) {
                n *= s;
            }
            boolean[] pred = new boolean[n];
            boolean[] truth = new boolean[n];
            double fill = 0.1 + 0.6 * rnd.nextDouble();
            for (int i = 0; i < n; i++) {
                pred[i] = rnd.nextDouble() < fill;
                truth[i] = rnd.nextDouble() < fill;
            }
            pred[rnd.nextInt(n)] = true;
            truth[rnd.nextInt(n)] = true;
            assertMatchesBruteForce(pred, truth, size, spacing,
                    new MetricOptions(0.5 + 2 * rnd.nextDouble(), 95, true));
        }
    }

    @Test
    void emptyCasesFollowMonai() {
        int[] size = {10, 10};
        double[] sp = {1, 1};
        boolean[] empty = new boolean[100];
        boolean[] some = box(size, new int[] {2, 2}, new int[] {5, 6});

        ClassMetrics both = SegmentationMetrics.compute(empty, empty, size, sp, MetricOptions.DEFAULT);
        assertThat(both.dice()).isNaN();
        assertThat(both.iou()).isNaN();
        assertThat(both.hd95Mm()).isNaN();
        assertThat(both.assdMm()).isNaN();
        assertThat(both.nsd()).isNaN();
        ClassMetrics bothCounted = SegmentationMetrics.compute(empty, empty, size, sp,
                MetricOptions.DEFAULT.withIgnoreEmpty(false));
        assertThat(bothCounted.dice()).isEqualTo(1.0);
        assertThat(bothCounted.iou()).isEqualTo(1.0);

        ClassMetrics missed = SegmentationMetrics.compute(empty, some, size, sp, MetricOptions.DEFAULT);
        assertThat(missed.dice()).isEqualTo(0.0);
        assertThat(missed.iou()).isEqualTo(0.0);
        assertThat(missed.hd95Mm()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(missed.assdMm()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(missed.nsd()).isEqualTo(0.0);

        ClassMetrics falseAlarm = SegmentationMetrics.compute(some, empty, size, sp, MetricOptions.DEFAULT);
        assertThat(falseAlarm.dice()).isNaN();
        assertThat(falseAlarm.iou()).isNaN();
        assertThat(falseAlarm.hd95Mm()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(falseAlarm.assdMm()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(falseAlarm.nsd()).isEqualTo(0.0);
        ClassMetrics falseAlarmCounted = SegmentationMetrics.compute(some, empty, size, sp,
                MetricOptions.DEFAULT.withIgnoreEmpty(false));
        assertThat(falseAlarmCounted.dice()).isEqualTo(0.0);
        assertThat(falseAlarmCounted.iou()).isEqualTo(0.0);
    }

    @Test
    void distanceTransformIsExactAgainstBruteForce() {
        Random rnd = new Random(7);
        int[] size = {9, 7, 6};
        double[] sp = {0.9, 1.7, 3.1};
        boolean[] f = new boolean[9 * 7 * 6];
        for (int i = 0; i < f.length; i++) {
            f[i] = rnd.nextDouble() < 0.05;
        }
        f[17] = true;
        double[] d = EuclideanDistance.squaredMm(f, size, sp);
        for (int p = 0; p < f.length; p++) {
            double best = Double.POSITIVE_INFINITY;
            for (int q = 0; q < f.length; q++) {
                if (f[q]) {
                    best = Math.min(best, sq(p, q, size, sp));
                }
            }
            assertThat(d[p]).as("voxel %d", p).isCloseTo(best, within(1e-9));
        }
        assertThat(EuclideanDistance.squaredMm(new boolean[f.length], size, sp)).containsOnly(Double.POSITIVE_INFINITY);
    }

    private static double sq(int p, int q, int[] size, double[] sp) {
        double s = 0;
        for (int a = 0; a < size.length; a++) {
            double d = ((p % size[a]) - (q % size[a])) * sp[a];
            s += d * d;
            p /= size[a];
            q /= size[a];
        }
        return s;
    }

    /** Surfaces by the same face-neighbour rule, distances by exhaustive search: checks the EDT and the crop. */
    private static void assertMatchesBruteForce(
            boolean[] pred, boolean[] truth, int[] size, double[] spacing, MetricOptions o) {
        boolean[] ep = Surfaces.edges(pred, size);
        boolean[] et = Surfaces.edges(truth, size);
        double[] d1 = brute(ep, et, size, spacing);
        double[] d2 = brute(et, ep, size, spacing);
        double hd = Math.max(SegmentationMetrics.percentile(d1, o.hausdorffPercentile()),
                SegmentationMetrics.percentile(d2, o.hausdorffPercentile()));
        double sum = 0;
        int within = 0;
        for (double[] dd : new double[][] {d1, d2}) {
            for (double x : dd) {
                sum += x;
                within += x <= o.nsdToleranceMm() ? 1 : 0;
            }
        }
        ClassMetrics m = SegmentationMetrics.compute(pred, truth, size, spacing, o);
        assertThat(m.hd95Mm()).isCloseTo(hd, within(1e-9));
        assertThat(m.assdMm()).isCloseTo(sum / (d1.length + d2.length), within(1e-9));
        assertThat(m.nsd()).isEqualTo(within / (double) (d1.length + d2.length));
    }

    private static double[] brute(boolean[] from, boolean[] to, int[] size, double[] sp) {
        java.util.List<Double> out = new java.util.ArrayList<>();
        for (int p = 0; p < from.length; p++) {
            if (!from[p]) {
                continue;
            }
            double best = Double.POSITIVE_INFINITY;
            for (int q = 0; q < to.length; q++) {
                if (to[q]) {
                    best = Math.min(best, sq(p, q, size, sp));
                }
            }
            out.add(Math.sqrt(best));
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
