package org.samtune.study;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.samtune.SamtuneException;
import org.samtune.io.AtomicFiles;

/**
 * {@code report.html} of a study folder, from its files alone (results.csv, cells.csv, plan.yaml; relative paths),
 * so a moved or copied study reports again: the ranking across datasets, then per dataset the ranking with mean ± sd
 * over seeds and the statistics against the best strategy, a box-and-dot plot of the test cases' Dice per strategy,
 * and the mean of every metric per strategy and class; the cells that failed, with their errors; the plan.
 */
public final class StudyReport {
    public static final String FILE = "report.html";

    private StudyReport() {}

    public static Path write(Path studyDir) {
        Path results = studyDir.resolve(StudyResults.FILE);
        if (!Files.isRegularFile(results)) {
            throw new SamtuneException(studyDir + ": not a study folder (no " + StudyResults.FILE + ")");
        }
        List<StudyResults.Row> rows = StudyResults.read(results);
        Ranking ranking = Ranking.compute(rows, Ranking.DEFAULT_BOOTSTRAP, Ranking.DEFAULT_SEED);
        HtmlPage page = new HtmlPage("samtune study: " + studyDir.toAbsolutePath().normalize().getFileName());
        page.muted("Every cell is an ordinary samtune run folder under cells/; the numbers below come from "
                + StudyResults.FILE + " (one row per cell × test case × class) and " + Ranking.FILE + ".");

        List<Ranking.Entry> across = ranking.forDataset(Ranking.ALL);
        page.h(2, "Ranking across datasets");
        page.muted("Mean over datasets of each strategy's rank by mean test Dice (1 = best; ties share the mean rank).");
        List<List<String>> acrossRows = new ArrayList<>();
        Set<Integer> bestAcross = new java.util.HashSet<>();
        List<Ranking.Entry> sortedAcross = new ArrayList<>(across);
        sortedAcross.sort(java.util.Comparator.comparingDouble(Ranking.Entry::rank));
        for (int i = 0; i < sortedAcross.size(); i++) {
            Ranking.Entry e = sortedAcross.get(i);
            acrossRows.add(List.of(e.strategy(), HtmlPage.fmt(e.rank(), 2), Integer.toString(e.seeds())));
            if (e.best()) {
                bestAcross.add(i);
            }
        }
        page.table("ranking-all", List.of("strategy", "mean rank", "datasets"), acrossRows, 1, bestAcross);

        Map<String, List<StudyResults.Row>> byDataset = new LinkedHashMap<>();
        rows.forEach(r -> byDataset.computeIfAbsent(r.dataset(), k -> new ArrayList<>()).add(r));
        for (var ds : byDataset.entrySet()) {
            String name = ds.getKey();
            page.h(2, "Dataset " + name);
            List<Ranking.Entry> entries = new ArrayList<>(ranking.forDataset(name));
            entries.sort(java.util.Comparator.comparingDouble(e -> Double.isNaN(e.rank()) ? 1e9 : e.rank()));
            List<List<String>> t = new ArrayList<>();
            Set<Integer> best = new java.util.HashSet<>();
            for (int i = 0; i < entries.size(); i++) {
                Ranking.Entry e = entries.get(i);
                if (e.best()) {
                    best.add(i);
                }
                t.add(List.of(e.strategy(), HtmlPage.fmt(e.rank(), 1), HtmlPage.fmt(e.meanDice(), 4),
                        HtmlPage.fmt(e.sdDice(), 4), Integer.toString(e.seeds()), Integer.toString(e.cases()),
                        e.best() ? "best" : HtmlPage.fmt(e.diffVsBest(), 4),
                        e.best() ? "" : "[" + HtmlPage.fmt(e.ciLow(), 4) + ", " + HtmlPage.fmt(e.ciHigh(), 4) + "]",
                        HtmlPage.fmt(e.wilcoxonW(), 1), HtmlPage.p(e.p()), HtmlPage.p(e.pHolm()), e.wilcoxonMethod()));
            }
            page.h(3, "Ranking");
            page.muted("Mean test Dice: per seed, the mean over test cases of each case's mean foreground Dice; then"
                    + " mean and sd over seeds. Against the best: the mean Dice difference over test cases with a"
                    + " seeded bootstrap 95 % interval (" + Ranking.DEFAULT_BOOTSTRAP + " resamples), and the paired"
                    + " Wilcoxon signed-rank test over test cases (scipy's default; Holm-corrected over this"
                    + " dataset's comparisons).");
            page.table("ranking-" + name, List.of("strategy", "rank", "mean Dice", "sd over seeds", "seeds",
                    "test cases", "Δ Dice vs best", "95 % CI", "Wilcoxon W", "p", "p (Holm)", "test"), t, 1, best);

            // Dice per test case (mean over classes and seeds) per strategy
            Map<String, Map<String, double[]>> perCase = new LinkedHashMap<>();
            for (StudyResults.Row r : ds.getValue()) {
                if (Double.isNaN(r.dice())) {
                    continue;
                }
                double[] acc = perCase.computeIfAbsent(r.strategy(), k -> new TreeMap<>())
                        .computeIfAbsent(r.caseId() + "\u0000" + r.seed(), k -> new double[2]);
                acc[0] += r.dice();
                acc[1]++;
            }
            List<String> labels = new ArrayList<>();
            List<double[]> values = new ArrayList<>();
            for (Ranking.Entry e : entries) {
                Map<String, double[]> cs = perCase.get(e.strategy());
                if (cs == null) {
                    continue;
                }
                labels.add(e.strategy());
                values.add(cs.values().stream().mapToDouble(a -> a[0] / a[1]).toArray());
            }
            page.h(3, "Dice per strategy");
            page.muted("One dot per test case and seed (the case's mean Dice over classes); box: quartiles and"
                    + " median; whiskers: 1.5 interquartile ranges.");
            page.raw("<figure>" + DicePlot.svg("Test Dice per strategy, " + name, labels, values) + "</figure>");

            page.h(3, "Metrics per strategy and class");
            page.muted("Means over seeds and test cases (NaN left out as in samtune eval; ∞ when a structure was"
                    + " missed entirely). Distances in pixels of the original slice (1 pixel = 1 mm).");
            List<List<String>> m = new ArrayList<>();
            Map<String, Map<String, double[][]>> sums = new LinkedHashMap<>();
            for (StudyResults.Row r : ds.getValue()) {
                double[][] acc = sums.computeIfAbsent(r.strategy(), k -> new LinkedHashMap<>())
                        .computeIfAbsent(r.classIndex() + "\u0000" + r.className(), k -> new double[2][5]);
                double[] v = {r.dice(), r.iou(), r.hd95Mm(), r.assdMm(), r.nsd()};
                for (int k = 0; k < 5; k++) {
                    if (!Double.isNaN(v[k])) {
                        acc[0][k] += v[k];
                        acc[1][k]++;
                    }
                }
            }
            for (Ranking.Entry e : entries) {
                Map<String, double[][]> byClass = sums.get(e.strategy());
                if (byClass == null) {
                    continue;
                }
                for (var c : byClass.entrySet()) {
                    List<String> line = new ArrayList<>(List.of(e.strategy(), c.getKey().split("\u0000", 2)[1]));
                    for (int k = 0; k < 5; k++) {
                        line.add(HtmlPage.fmt(c.getValue()[1][k] == 0 ? Double.NaN
                                : c.getValue()[0][k] / c.getValue()[1][k], 4));
                    }
                    m.add(line);
                }
            }
            page.table("metrics-" + name, List.of("strategy", "class", "Dice", "IoU", "HD95", "ASSD", "NSD"), m, 2,
                    Set.of());
        }

        Path cells = studyDir.resolve(Study.CELLS);
        if (Files.isRegularFile(cells)) {
            List<String> lines = Study.read(cells).lines().toList();
            List<List<String>> t = new ArrayList<>();
            int failed = 0;
            int pending = 0;
            for (int i = 1; i < lines.size(); i++) {
                List<String> f = Csv.split(lines.get(i));
                if (f.size() == 8) {
                    t.add(List.of(f.get(0), f.get(4), f.get(5), f.get(6), f.get(7)));
                    failed += CellStatus.FAILED.equals(f.get(4)) ? 1 : 0;
                    pending += "pending".equals(f.get(4)) ? 1 : 0;
                }
            }
            page.h(2, "Cells");
            page.muted(t.size() + " cells, " + failed + " failed" + (pending > 0 ? ", " + pending
                    + " not run yet (the study is still running or was stopped; the tables above cover the done"
                    + " cells)" : "") + ". Each is a run folder (config.yaml, metrics.csv,"
                    + " training-curve.png, checkpoints/, test-metrics.csv); samtune report CELL makes its own page.");
            page.table("cells", List.of("cell", "state", "seconds", "RSS MB", "error"), t, 2, Set.of());
        }
        Path plan = studyDir.resolve(Study.PLAN);
        if (Files.isRegularFile(plan)) {
            page.h(2, "Plan");
            page.pre(Study.read(plan));
        }
        Path out = studyDir.resolve(FILE);
        AtomicFiles.writeString(out, page.render());
        return out;
    }
}
