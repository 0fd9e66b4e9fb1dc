package org.samtune.study;

import java.util.Arrays;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.inference.WilcoxonSignedRankTest;
import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/**
 * The two-sided paired Wilcoxon signed-rank test as scipy's default {@code scipy.stats.wilcoxon(x, y)} computes it
 * (scipy 1.17: {@code zero_method='wilcox'}, {@code correction=False}, {@code method='auto'}), on Apache Commons
 * Math 3.6.1's implementation:
 * <ul>
 *   <li>pairs with a zero difference are dropped first (scipy's {@code 'wilcox'}; Commons Math would rank them and
 *       count their ranks as negative);
 *   <li>without ties and with at most {@value #EXACT_MAX_N} pairs left: Commons Math's exact p-value (it enumerates
 *       all 2^n sign patterns, hence the limit), equal to scipy's exact one; Commons Math can return 2·P &gt; 1
 *       when W sits at the centre, so p is capped at 1 as scipy does;
 *   <li>otherwise the normal approximation with scipy's tie correction of the variance and no continuity
 *       correction (Commons Math's own approximation moves W by 0.5 away from the mean and ignores ties, which no
 *       scipy setting reproduces), computed with Commons Math's ranking and normal distribution. Where scipy's
 *       {@code 'auto'} would use an exact test (20 &lt; n ≤ 50, no ties) or a permutation test (ties or zeros,
 *       n ≤ 13), this is the normal approximation; it equals {@code wilcoxon(x, y, method='asymptotic')}.
 * </ul>
 * The statistic is scipy's: the smaller of the positive and negative rank sums.
 */
public final class SignedRankTest {
    /** Largest number of non-zero pairs for the exact p-value (2^20 sign patterns, a few ms). */
    public static final int EXACT_MAX_N = 20;

    /** @param n pairs with a non-zero difference; {@code method} is "exact", "normal", or "none" (no pair left) */
    public record Result(int n, double statistic, double p, String method) {}

    private SignedRankTest() {}

    public static Result test(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("paired samples of different lengths " + x.length + " and " + y.length);
        }
        int n = 0;
        double[] xs = new double[x.length];
        double[] ys = new double[y.length];
        for (int i = 0; i < x.length; i++) {
            if (y[i] - x[i] != 0) {
                xs[n] = x[i];
                ys[n] = y[i];
                n++;
            }
        }
        if (n == 0) {
            return new Result(0, 0, Double.NaN, "none");
        }
        xs = Arrays.copyOf(xs, n);
        ys = Arrays.copyOf(ys, n);
        double[] absDiff = new double[n];
        for (int i = 0; i < n; i++) {
            absDiff[i] = Math.abs(ys[i] - xs[i]);
        }
        double[] ranks = new NaturalRanking(NaNStrategy.FAILED, TiesStrategy.AVERAGE).rank(absDiff);
        double[] sorted = absDiff.clone();
        Arrays.sort(sorted);
        double tieTerm = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && sorted[j] == sorted[i]) {
                j++;
            }
            double t = j - i;
            tieTerm += t * t * t - t;
            i = j;
        }
        WilcoxonSignedRankTest cm = new WilcoxonSignedRankTest();
        double wMax = cm.wilcoxonSignedRank(xs, ys);
        double total = n * (n + 1) / 2.0;
        double wMin = total - wMax;
        if (tieTerm == 0 && n <= EXACT_MAX_N) {
            return new Result(n, wMin, Math.min(1.0, cm.wilcoxonSignedRankTest(xs, ys, true)), "exact");
        }
        double rPlus = 0;
        for (int i = 0; i < n; i++) {
            if (ys[i] - xs[i] > 0) {
                rPlus += ranks[i];
            }
        }
        // two-sided: |z| does not depend on which sample is subtracted from which
        double mean = n * (n + 1) / 4.0;
        double sd = Math.sqrt((n * (n + 1.0) * (2.0 * n + 1.0) - tieTerm / 2.0) / 24.0);
        double z = (rPlus - mean) / sd;
        double p = 2 * new NormalDistribution(null, 0, 1).cumulativeProbability(-Math.abs(z));
        return new Result(n, wMin, Math.min(1.0, p), "normal");
    }

    /**
     * Holm's step-down adjustment of {@code p} (NaN entries are left out and stay NaN): the i-th smallest of m
     * p-values is multiplied by m − i (i from 0), then made monotone and capped at 1 — as statsmodels'
     * {@code multipletests(method='holm')}.
     */
    public static double[] holm(double[] p) {
        Integer[] order = new Integer[p.length];
        int m = 0;
        for (int i = 0; i < p.length; i++) {
            if (!Double.isNaN(p[i])) {
                order[m++] = i;
            }
        }
        Integer[] valid = Arrays.copyOf(order, m);
        Arrays.sort(valid, (a, b) -> Double.compare(p[a], p[b]));
        double[] out = new double[p.length];
        Arrays.fill(out, Double.NaN);
        double running = 0;
        for (int k = 0; k < m; k++) {
            double adj = Math.min(1.0, (m - k) * p[valid[k]]);
            running = Math.max(running, adj);
            out[valid[k]] = running;
        }
        return out;
    }
}
