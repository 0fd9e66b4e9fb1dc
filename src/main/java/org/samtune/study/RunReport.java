package org.samtune.study;

import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.samtune.SamtuneException;
import org.samtune.data.SegmentationDataset;
import org.samtune.data.Slice2D;
import org.samtune.eval.ClassMetrics;
import org.samtune.eval.MetricOptions;
import org.samtune.eval.MetricsTable;
import org.samtune.eval.RunEvaluator;
import org.samtune.io.AtomicFiles;
import org.samtune.report.MetricsCsv;
import org.samtune.train.RunFolder;
import org.samtune.train.TrainConfig;
import org.samtune.train.TrainedModel;

/**
 * {@code report.html} of one run folder: its settings, the training curve (from metrics.csv), and on a test list
 * the per-class metrics (as {@code samtune eval --run}) with the best and worst test slices drawn as overlays of
 * the ground truth and the prediction, each with its Dice.
 */
public final class RunReport {
    public static final String FILE = "report.html";
    /** How many best and worst slices are drawn. */
    static final int SHOWN = 3;
    /** Class colours (index 1..): distinct on a grey MRI/CT slice. */
    private static final int[][] PALETTE = {{230, 25, 75}, {60, 180, 75}, {255, 225, 25}, {0, 130, 200},
        {245, 130, 48}, {145, 30, 180}, {70, 240, 240}, {240, 50, 230}, {210, 245, 60}, {250, 190, 212}};

    private RunReport() {}

    /**
     * @param testList test list to score (null: the test.csv beside the run's training list, when there is one)
     * @param base the base checkpoint if it moved since training (null: the recorded one)
     */
    public static Path write(Path runDir, Path testList, Path base) {
        Path configFile = runDir.resolve(RunFolder.CONFIG);
        if (!Files.isRegularFile(configFile)) {
            throw new SamtuneException(runDir + ": neither a run folder (no " + RunFolder.CONFIG + ") nor a study"
                    + " folder (no " + StudyResults.FILE + ")");
        }
        TrainConfig c = TrainConfig.read(configFile);
        HtmlPage page = new HtmlPage("samtune run: " + runDir.toAbsolutePath().normalize().getFileName());
        page.p(c.arch() + ", " + c.plan().describe() + ", prompt "
                + c.promptMode().id() + ", " + c.numClasses() + " classes, seed " + c.seed());

        page.h(2, "Training");
        Path metrics = runDir.resolve(RunFolder.METRICS);
        if (Files.isRegularFile(metrics)) {
            List<MetricsCsv.Row> rows = MetricsCsv.read(metrics);
            try {
                Path png = Files.createTempFile("samtune-curve", ".png");
                try {
                    org.samtune.report.TrainingCurve.write(png, rows, "training curve");
                    page.raw("<figure><img alt=\"training curve\" width=\"800\" src=\""
                            + HtmlPage.dataUri(Files.readAllBytes(png))
                            + "\"><figcaption>losses per iteration and validation Dice (from metrics.csv)"
                            + "</figcaption></figure>");
                } finally {
                    Files.deleteIfExists(png);
                }
            } catch (IOException e) {
                throw new SamtuneException(runDir + ": cannot draw the training curve: " + e.getMessage(), e);
            }
            long validations = rows.stream().filter(r -> !r.isTrain()).count();
            page.muted(rows.stream().filter(MetricsCsv.Row::isTrain).count() + " iterations, " + validations
                    + " validations.");
        } else {
            page.muted("no " + RunFolder.METRICS + " (the run has not trained yet)");
        }

        Path test = testList != null ? testList : defaultTestList(c);
        page.h(2, "Test");
        if (test == null) {
            page.muted("No test list: pass --data test.csv (none was found beside the training list).");
        } else {
            testSection(page, runDir, c, test, base);
        }
        page.h(2, "Settings (config.yaml)");
        page.pre(Study.read(configFile));
        Path out = runDir.resolve(FILE);
        AtomicFiles.writeString(out, page.render());
        return out;
    }

    static Path defaultTestList(TrainConfig c) {
        if (c.trainList() == null || c.trainList().isBlank()) {
            return null;
        }
        Path p = Path.of(c.trainList()).toAbsolutePath().getParent().resolve("test.csv");
        return Files.isRegularFile(p) ? p : null;
    }

    private static void testSection(HtmlPage page, Path runDir, TrainConfig c, Path test, Path base) {
        Path folder = test.toAbsolutePath().getParent();
        try (NDManager manager = NDManager.newBaseManager()) {
            TrainedModel.Loaded model = TrainedModel.open(manager, runDir, "best", base);
            RunEvaluator.Result result = RunEvaluator.evaluate(model, new RunEvaluator.Options(test, folder, folder,
                    false, false, MetricOptions.DEFAULT));
            page.muted(result.images() + " slices of " + test + ", scored at their original resolution with "
                    + runDir.relativize(model.weights()) + " (as samtune eval --run).");
            List<List<String>> rows = new ArrayList<>();
            for (MetricsTable.Mean m : result.table().meansPerClass(true)) {
                List<String> line = new ArrayList<>(List.of(m.className(), Integer.toString(m.rows())));
                for (double v : m.means()) {
                    line.add(HtmlPage.fmt(v, 4));
                }
                rows.add(line);
            }
            List<String> header = new ArrayList<>(List.of("class", "slices"));
            header.addAll(List.of(ClassMetrics.NAMES));
            page.table("metrics", header, rows, 1, Set.of());

            // a slice's Dice: mean over its classes with a defined Dice
            Map<String, double[]> sliceDice = new LinkedHashMap<>();
            for (MetricsTable.Row r : result.table().rows()) {
                if (!Double.isNaN(r.metrics().dice())) {
                    double[] acc = sliceDice.computeIfAbsent(r.caseId(), k -> new double[2]);
                    acc[0] += r.metrics().dice();
                    acc[1]++;
                }
            }
            List<Map.Entry<String, Double>> ranked = new ArrayList<>();
            sliceDice.forEach((k, v) -> ranked.add(Map.entry(k, v[0] / v[1])));
            ranked.sort(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
            // the best half (at most SHOWN) and the worst of the rest (at most SHOWN), each slice once
            int bestCount = Math.min(SHOWN, (ranked.size() + 1) / 2);
            int worstCount = Math.min(SHOWN, ranked.size() - bestCount);
            List<Map.Entry<String, Double>> shown = new ArrayList<>(ranked.subList(0, bestCount));
            shown.addAll(ranked.subList(ranked.size() - worstCount, ranked.size()));
            SegmentationDataset data = SegmentationDataset.open(test, folder, folder,
                    new SegmentationDataset.Options(c.targetMode(), c.numClasses(), true));
            Map<String, Integer> index = new LinkedHashMap<>();
            for (int i = 0; i < data.size(); i++) {
                index.put(data.ref(i).name(), i);
            }
            page.h(3, "Best and worst test slices");
            page.muted("Left: ground truth; right: prediction; one colour per class: "
                    + legend(result.classNames()) + ".");
            for (int i = 0; i < shown.size(); i++) {
                Map.Entry<String, Double> e = shown.get(i);
                Integer k = index.get(e.getKey());
                if (k == null) {
                    continue;
                }
                Slice2D slice = data.load(k);
                int[] pred = model.segment(slice);
                int[] truth = new int[slice.labels().length];
                for (int p = 0; p < truth.length; p++) {
                    truth[p] = slice.labels()[p] & 0xff;
                }
                String which = i < bestCount ? "best" : "worst";
                int width = Math.max(192, Math.min(320, slice.width() * 2));
                page.figure(overlay(slice, truth), which + ": " + e.getKey() + " — ground truth", width);
                page.figure(overlay(slice, pred), which + ": " + e.getKey() + " — prediction, Dice "
                        + HtmlPage.fmt(e.getValue(), 3), width);
                page.raw("<br>");
            }
        }
    }

    private static String legend(List<String> names) {
        List<String> parts = new ArrayList<>();
        for (int k = 1; k < names.size(); k++) {
            int[] c = PALETTE[(k - 1) % PALETTE.length];
            parts.add(names.get(k) + " rgb(" + c[0] + "," + c[1] + "," + c[2] + ")");
        }
        return String.join(", ", parts);
    }

    /** The slice with each class blended in its colour and outlined. */
    static BufferedImage overlay(Slice2D s, int[] labels) {
        int w = s.width();
        int h = s.height();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        byte[] rgb = s.rgb();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int r = rgb[3 * i] & 0xff;
                int g = rgb[3 * i + 1] & 0xff;
                int b = rgb[3 * i + 2] & 0xff;
                int k = labels[i];
                if (k > 0) {
                    int[] c = PALETTE[(k - 1) % PALETTE.length];
                    boolean edge = x == 0 || y == 0 || x == w - 1 || y == h - 1 || labels[i - 1] != k
                            || labels[i + 1] != k || labels[i - w] != k || labels[i + w] != k;
                    double a = edge ? 1.0 : 0.45;
                    r = (int) Math.round((1 - a) * r + a * c[0]);
                    g = (int) Math.round((1 - a) * g + a * c[1]);
                    b = (int) Math.round((1 - a) * b + a * c[2]);
                }
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }
}
