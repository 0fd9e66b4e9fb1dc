package org.samtune.study;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;
import org.samtune.io.AtomicFiles;

/**
 * The study's rankings, as the paper ranks strategies:
 * <ul>
 *   <li>per dataset, each strategy's test Dice: per seed, the mean over test cases of the case's mean foreground
 *       Dice (classes with an undefined Dice left out); the strategy's score is the mean over seeds, with the sample
 *       sd over seeds;
 *   <li>strategies ranked by that score, best = 1, ties sharing the mean of their ranks;
 *   <li>each strategy against the dataset's best: the paired Wilcoxon signed-rank test over test cases (a case's
 *       value is its mean Dice over classes and seeds; {@link SignedRankTest}), Holm-corrected over the dataset's
 *       comparisons, and a seeded percentile-bootstrap 95 % interval of the mean Dice difference (strategy − best);
 *   <li>across datasets, each strategy's mean rank over the datasets it was run on.
 * </ul>
 */
public final class Ranking {
    public static final String FILE = "ranking.csv";
    public static final int DEFAULT_BOOTSTRAP = 2000;
    public static final long DEFAULT_SEED = 0;
    /** The dataset column of the across-datasets rows. */
    public static final String ALL = "(all datasets)";

    /**
     * One strategy on one dataset (or, with {@code dataset == ALL}, across datasets: {@code rank} is the mean rank
     * and {@code seeds} the number of datasets).
     */
    public record Entry(String dataset, String strategy, double rank, double meanDice, double sdDice, int seeds,
                        int cases, boolean best, double diffVsBest, double ciLow, double ciHigh, double wilcoxonW,
                        String wilcoxonMethod, double p, double pHolm) {}

    private final List<Entry> entries;

    private Ranking(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public List<Entry> entries() {
        return entries;
    }

    public List<Entry> forDataset(String dataset) {
        return entries.stream().filter(e -> e.dataset().equals(dataset)).toList();
    }

    /** The ranking of {@code rows} (results.csv); bootstrap seeded by {@code seed}. */
    public static Ranking compute(List<StudyResults.Row> rows, int resamples, long seed) {
        // dataset -> strategy -> seed -> case -> Dice values over classes (insertion order = plan order)
        Map<String, Map<String, Map<Long, Map<String, List<Double>>>>> data = new LinkedHashMap<>();
        for (StudyResults.Row r : rows) {
            data.computeIfAbsent(r.dataset(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.strategy(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.seed(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.caseId(), k -> new ArrayList<>())
                    .add(r.dice());
        }
        List<Entry> out = new ArrayList<>();
        Map<String, List<Double>> ranksAcross = new LinkedHashMap<>();
        int comparison = 0;
        for (var ds : data.entrySet()) {
            List<String> names = new ArrayList<>(ds.getValue().keySet());
            int n = names.size();
            double[] mean = new double[n];
            double[] sd = new double[n];
            int[] seeds = new int[n];
            List<Map<String, Double>> caseMeans = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Map<Long, Map<String, List<Double>>> bySeed = ds.getValue().get(names.get(i));
                List<Double> perSeed = new ArrayList<>();
                Map<String, double[]> caseSum = new TreeMap<>();
                for (Map<String, List<Double>> cases : bySeed.values()) {
                    List<Double> caseValues = new ArrayList<>();
                    for (var c : cases.entrySet()) {
                        double v = meanIgnoringNaN(c.getValue());
                        if (!Double.isNaN(v)) {
                            caseValues.add(v);
                            double[] acc = caseSum.computeIfAbsent(c.getKey(), k -> new double[2]);
                            acc[0] += v;
                            acc[1]++;
                        }
                    }
                    double m = meanIgnoringNaN(caseValues);
                    if (!Double.isNaN(m)) {
                        perSeed.add(m);
                    }
                }
                mean[i] = meanIgnoringNaN(perSeed);
                sd[i] = sampleSd(perSeed);
                seeds[i] = perSeed.size();
                Map<String, Double> cm = new TreeMap<>();
                caseSum.forEach((k, acc) -> cm.put(k, acc[0] / acc[1]));
                caseMeans.add(cm);
            }
            double[] rank = ranks(mean);
            int best = -1;
            for (int i = 0; i < n; i++) {
                if (!Double.isNaN(rank[i]) && (best < 0 || rank[i] < rank[best])) {
                    best = i;
                }
            }
            double[] w = new double[n];
            double[] p = new double[n];
            double[] diff = new double[n];
            double[][] ci = new double[n][];
            String[] method = new String[n];
            int[] cases = new int[n];
            for (int i = 0; i < n; i++) {
                cases[i] = caseMeans.get(i).size();
                w[i] = Double.NaN;
                p[i] = Double.NaN;
                diff[i] = Double.NaN;
                ci[i] = new double[] {Double.NaN, Double.NaN};
                method[i] = "";
                if (best < 0 || i == best || Double.isNaN(rank[i])) {
                    continue;
                }
                List<String> common = new ArrayList<>(caseMeans.get(best).keySet());
                common.retainAll(caseMeans.get(i).keySet());
                double[] b = new double[common.size()];
                double[] o = new double[common.size()];
                double[] d = new double[common.size()];
                double sum = 0;
                for (int k = 0; k < common.size(); k++) {
                    b[k] = caseMeans.get(best).get(common.get(k));
                    o[k] = caseMeans.get(i).get(common.get(k));
                    d[k] = o[k] - b[k];
                    sum += d[k];
                }
                if (common.isEmpty()) {
                    continue;
                }
                SignedRankTest.Result t = SignedRankTest.test(b, o);
                w[i] = t.statistic();
                p[i] = t.p();
                method[i] = t.method();
                diff[i] = sum / common.size();
                ci[i] = Bootstrap.interval95(d, resamples, seed + comparison++);
            }
            double[] holm = SignedRankTest.holm(p);
            for (int i = 0; i < n; i++) {
                out.add(new Entry(ds.getKey(), names.get(i), rank[i], mean[i], sd[i], seeds[i], cases[i], i == best,
                        diff[i], ci[i][0], ci[i][1], w[i], method[i], p[i], holm[i]));
                if (!Double.isNaN(rank[i])) {
                    ranksAcross.computeIfAbsent(names.get(i), k -> new ArrayList<>()).add(rank[i]);
                }
            }
        }
        List<String> names = new ArrayList<>(ranksAcross.keySet());
        double[] meanRank = new double[names.size()];
        for (int i = 0; i < names.size(); i++) {
            meanRank[i] = meanIgnoringNaN(ranksAcross.get(names.get(i)));
        }
        double bestRank = java.util.Arrays.stream(meanRank).min().orElse(Double.NaN);
        for (int i = 0; i < names.size(); i++) {
            out.add(new Entry(ALL, names.get(i), meanRank[i], Double.NaN, Double.NaN, ranksAcross.get(names.get(i))
                    .size(), 0, meanRank[i] == bestRank, Double.NaN, Double.NaN, Double.NaN, Double.NaN, "",
                    Double.NaN, Double.NaN));
        }
        return new Ranking(out);
    }

    /** Ranks of {@code score}, highest = 1, ties averaged, NaN scores unranked (NaN). */
    static double[] ranks(double[] score) {
        double[] neg = new double[score.length];
        for (int i = 0; i < score.length; i++) {
            neg[i] = -score[i];
        }
        double[] r = new NaturalRanking(NaNStrategy.FIXED, TiesStrategy.AVERAGE).rank(neg);
        // FIXED leaves NaN in place; the remaining ranks count only the ranked strategies
        return r;
    }

    static double meanIgnoringNaN(List<Double> v) {
        double s = 0;
        int n = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                s += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    static double sampleSd(List<Double> v) {
        if (v.size() < 2) {
            return Double.NaN;
        }
        double m = meanIgnoringNaN(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.size() - 1));
    }

    /** ranking.csv: one row per dataset × strategy, then the across-datasets rows. */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("dataset,strategy,rank,mean_dice,sd_dice_over_seeds,seeds,cases,best,"
                + "diff_vs_best,ci95_low,ci95_high,wilcoxon_w,wilcoxon_method,p,p_holm\n");
        for (Entry e : entries) {
            sb.append(String.join(",", Csv.quote(e.dataset()), Csv.quote(e.strategy()), num(e.rank()),
                    num(e.meanDice()), num(e.sdDice()), Integer.toString(e.seeds()), Integer.toString(e.cases()),
                    Boolean.toString(e.best()), num(e.diffVsBest()), num(e.ciLow()), num(e.ciHigh()),
                    num(e.wilcoxonW()), e.wilcoxonMethod(), num(e.p()), num(e.pHolm()))).append('\n');
        }
        return sb.toString();
    }

    public void write(java.nio.file.Path file) {
        AtomicFiles.writeString(file, toCsv());
    }

    static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }
}
