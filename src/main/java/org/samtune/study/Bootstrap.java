package org.samtune.study;

import java.util.SplittableRandom;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * The percentile bootstrap of a mean paired difference: test cases are drawn with replacement, the mean of their
 * differences is taken per resample, and the 2.5th and 97.5th percentiles of those means bound the 95 % interval.
 * Percentiles are Commons Math's R-7 estimate, numpy's default ({@code np.percentile(..., method='linear')}).
 * Seeded: the same differences and seed give the same interval.
 */
public final class Bootstrap {
    private Bootstrap() {}

    /** {@code [low, high]} of the 95 % interval, NaN for no differences. */
    public static double[] interval95(double[] differences, int resamples, long seed) {
        if (differences.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return percentiles(resampledMeans(differences, resamples, seed), 2.5, 97.5);
    }

    static double[] resampledMeans(double[] d, int resamples, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] means = new double[resamples];
        for (int b = 0; b < resamples; b++) {
            double sum = 0;
            for (int i = 0; i < d.length; i++) {
                sum += d[random.nextInt(d.length)];
            }
            means[b] = sum / d.length;
        }
        return means;
    }

    /** Percentiles (0..100) by the R-7 (linear) rule. */
    public static double[] percentiles(double[] values, double... q) {
        Percentile p = new Percentile().withEstimationType(Percentile.EstimationType.R_7);
        p.setData(values);
        double[] out = new double[q.length];
        for (int i = 0; i < q.length; i++) {
            out[i] = p.evaluate(q[i]);
        }
        return out;
    }
}
