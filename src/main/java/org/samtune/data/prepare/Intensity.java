package org.samtune.data.prepare;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.samtune.SamtuneException;

/**
 * Intensity normalisation of a whole volume (or image): CT windows, percentile clipping with min–max scaling,
 * z-score. Each method takes the voxel values ({@code Volume.data()}) and returns new ones; statistics are
 * computed over the array given, i.e. per volume. Apply to a volume with
 * {@code v.withData(Intensity.window(v.data(), Intensity.SOFT_TISSUE))}.
 */
public final class Intensity {
    private Intensity() {}

    /** A CT display window in Hounsfield units: values from level − width/2 to level + width/2 map to 0..1. */
    public record Window(double levelHu, double widthHu) {
        public Window {
            if (!(widthHu > 0) || !Double.isFinite(levelHu) || !Double.isFinite(widthHu)) {
                throw new SamtuneException("CT window level " + levelHu + " / width " + widthHu
                        + ": expected a finite level and a width > 0 HU");
            }
        }

        public double lowHu() {
            return levelHu - widthHu / 2;
        }

        public double highHu() {
            return levelHu + widthHu / 2;
        }
    }

    public static final Window SOFT_TISSUE = new Window(40, 400);
    public static final Window LUNG = new Window(-600, 1500);
    public static final Window BONE = new Window(400, 1800);
    public static final Window BRAIN = new Window(40, 80);
    public static final Window LIVER = new Window(60, 150);

    private static final Map<String, Window> PRESETS = Map.of(
            "soft-tissue", SOFT_TISSUE, "lung", LUNG, "bone", BONE, "brain", BRAIN, "liver", LIVER);

    /** A preset by name (soft-tissue, lung, bone, brain, liver), for command-line options. */
    public static Window preset(String name) {
        Window w = PRESETS.get(name.toLowerCase(Locale.ROOT));
        if (w == null) {
            throw new SamtuneException("CT window '" + name + "' is unknown; expected one of "
                    + String.join(", ", PRESETS.keySet().stream().sorted().toList()) + ", or level/width in HU");
        }
        return w;
    }

    /** {@code clip((hu − low) / width, 0, 1)}, MONAI's ScaleIntensityRange with clip. NaN stays NaN. */
    public static float[] window(float[] hu, Window w) {
        return window(hu, w, 1);
    }

    /** As {@link #window(float[], Window)}, scaled to 0..outMax (e.g. 255 for SAM's 8-bit input range). */
    public static float[] window(float[] hu, Window w, double outMax) {
        double low = w.lowHu();
        double width = w.widthHu();
        float[] out = new float[hu.length];
        for (int i = 0; i < hu.length; i++) {
            out[i] = (float) (clip01((hu[i] - low) / width) * outMax);
        }
        return out;
    }

    /**
     * The q-th percentile (0 ≤ q ≤ 100) of the values, NaN ignored, as numpy's {@code percentile} with its
     * default method "linear": sorted values a, virtual index h = (n − 1)·q/100, result
     * a[⌊h⌋] + (h − ⌊h⌋)·(a[⌊h⌋+1] − a[⌊h⌋]).
     */
    public static double percentile(float[] values, double q) {
        return percentiles(values, q)[0];
    }

    /** Several percentiles with one sort. */
    public static double[] percentiles(float[] values, double... q) {
        return percentilesOfSorted(sortedFinite(values, false), q);
    }

    /** Percentile clipping with the defaults 0.5 and 99.5 over all values; see the full form. */
    public static float[] percentileClip(float[] values) {
        return percentileClip(values, 0.5, 99.5, false);
    }

    /**
     * Clips to the [lowPct, highPct] percentiles and scales that range to [0, 1]: {@code (clip(x, lo, hi) − lo) /
     * (hi − lo)}. With {@code foregroundOnly}, as MedSAM's MR preprocessing ({@code pre_MR.py}): the
     * percentiles are taken over values &gt; 0 only and voxels equal to 0 stay 0. Where hi = lo (a constant image,
     * or no foreground) the result is all 0.
     */
    public static float[] percentileClip(float[] values, double lowPct, double highPct, boolean foregroundOnly) {
        if (!(lowPct >= 0 && lowPct <= highPct && highPct <= 100)) {
            throw new SamtuneException("percentiles " + lowPct + " and " + highPct
                    + ": expected 0 ≤ low ≤ high ≤ 100");
        }
        float[] sorted = sortedFinite(values, foregroundOnly);
        float[] out = new float[values.length];
        if (sorted.length == 0) {
            return out;
        }
        double[] p = percentilesOfSorted(sorted, lowPct, highPct);
        double lo = p[0];
        double range = p[1] - p[0];
        if (!(range > 0)) {
            return out;
        }
        for (int i = 0; i < values.length; i++) {
            float x = values[i];
            out[i] = foregroundOnly && x == 0 ? 0 : (float) ((Math.min(Math.max(x, lo), p[1]) - lo) / range);
        }
        return out;
    }

    /**
     * {@code (x − mean) / std} with the population standard deviation (ddof 0), as MONAI's NormalizeIntensity:
     * with {@code nonzeroOnly} the statistics come from, and the change applies to, non-zero voxels only (zeros
     * stay 0); a standard deviation of 0 divides by 1. Non-finite values are left out of the statistics.
     */
    public static float[] zScore(float[] values, boolean nonzeroOnly) {
        double sum = 0;
        long n = 0;
        for (float x : values) {
            if (Float.isFinite(x) && (!nonzeroOnly || x != 0)) {
                sum += x;
                n++;
            }
        }
        float[] out = values.clone();
        if (n == 0) {
            return out;
        }
        double mean = sum / n;
        double ss = 0;
        for (float x : values) {
            if (Float.isFinite(x) && (!nonzeroOnly || x != 0)) {
                ss += (x - mean) * (x - mean);
            }
        }
        double std = Math.sqrt(ss / n);
        if (std == 0) {
            std = 1;
        }
        for (int i = 0; i < values.length; i++) {
            if (!nonzeroOnly || values[i] != 0) {
                out[i] = (float) ((values[i] - mean) / std);
            }
        }
        return out;
    }

    private static float[] sortedFinite(float[] values, boolean positiveOnly) {
        float[] kept = new float[values.length];
        int n = 0;
        for (float x : values) {
            if (!Float.isNaN(x) && (!positiveOnly || x > 0)) {
                kept[n++] = x;
            }
        }
        float[] sorted = Arrays.copyOf(kept, n);
        Arrays.sort(sorted);
        return sorted;
    }

    private static double[] percentilesOfSorted(float[] a, double... qs) {
        int n = a.length;
        double[] out = new double[qs.length];
        for (int k = 0; k < qs.length; k++) {
            double pct = qs[k];
            if (!(pct >= 0 && pct <= 100)) {
                throw new SamtuneException("percentile " + pct + ": expected 0 to 100");
            }
            if (n == 0) {
                throw new SamtuneException("percentile of an empty (or all-NaN) set of values");
            }
            double q = pct / 100;
            // numpy's _compute_virtual_index with alpha = beta = 1 ("linear").
            double h = n * q + (1 + q * -1) - 1;
            int lo = (int) Math.min(Math.max(Math.floor(h), 0), n - 1);
            int hi = Math.min(lo + 1, n - 1);
            double g = h - Math.floor(h);
            double a0 = a[lo];
            double diff = a[hi] - a0;
            // numpy's _lerp: interpolate from the nearer end for accuracy.
            out[k] = g >= 0.5 ? a[hi] - diff * (1 - g) : a0 + diff * g;
        }
        return out;
    }

    private static double clip01(double x) {
        return x < 0 ? 0 : x > 1 ? 1 : x;
    }
}
