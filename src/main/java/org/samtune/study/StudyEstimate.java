package org.samtune.study;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.samtune.SamtuneException;
import org.samtune.train.FineTuning;
import org.samtune.train.TrainConfig;

/**
 * {@code samtune study --dry-run}: the cells and an estimate of each one's time from a short measurement. For each
 * dataset × strategy, three short runs of the real training code (no validation): one epoch to warm up (the
 * process's first run pays for class loading, JIT and libtorch's first kernels, and a precision's first run for its
 * TorchScript graphs, which would otherwise count as that strategy's fixed cost and leave the second run's extra
 * epoch almost free), then one epoch and two epochs (an epoch here is at most {@value #MAX_MEASURED} iterations).
 * The second epoch's extra time is the steady time per iteration — with a frozen encoder's embeddings served from
 * the cache as in the real run — and the one-epoch run minus its iterations at that speed is the fixed cost (model
 * building, first-epoch embeddings).
 * A cell's estimate is fixed cost + iterations × time per iteration, plus its validations and its test scoring
 * counted as forward passes (a third of an iteration per batch). An upper bound where training stops early.
 */
public final class StudyEstimate {
    /** Iterations of a measured epoch at most (longer epochs are cut: no cache effect is measured then). */
    static final int MAX_MEASURED = 12;

    /** One cell's estimate. */
    public record Line(StudyCell cell, long iterations, double seconds) {}

    private StudyEstimate() {}

    public static List<Line> estimate(StudyGrid grid, Path scratch, PrintStream progress) {
        Map<String, double[]> measured = new LinkedHashMap<>(); // key -> {fixed s, s per iteration, train slices}
        List<Line> lines = new ArrayList<>();
        try {
            for (StudyCell c : grid.cells()) {
                String key = c.dataset() + "/" + c.strategy().id();
                double[] m = measured.get(key);
                if (m == null) {
                    progress.println("study: measuring " + key + " (a warm-up, then one and two short epochs)");
                    Path at = scratch.resolve("m" + measured.size());
                    m = Study.inPrecision(c.strategy().precision(), () -> measure(c.config(), at));
                    measured.put(key, m);
                }
                TrainConfig cfg = c.config();
                long batches = (long) Math.ceil(m[2] / cfg.batchSize());
                long iterations = batches * cfg.epochs();
                long validations = cfg.epochs() / cfg.valEvery() + 1;
                double forwardPerBatch = m[1] / 3;
                double valBatches = Math.ceil(lines(Path.of(cfg.valList())) / (double) cfg.batchSize());
                double testBatches = lines(c.testList());
                double seconds = m[0] + iterations * m[1] + validations * valBatches * forwardPerBatch
                        + testBatches * forwardPerBatch;
                lines.add(new Line(c, iterations, seconds));
            }
        } finally {
            Study.deleteTree(scratch);
        }
        return lines;
    }

    private static double[] measure(TrainConfig c, Path dir) {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        TrainConfig probe = c.toBuilder().valList("").outputDir(dir.toString()).build();
        long perEpoch = Math.max(1, (long) Math.ceil(lines(Path.of(c.trainList())) / (double) c.batchSize()));
        long first = Math.min(perEpoch, MAX_MEASURED);
        long[] iters = {first, first, perEpoch <= MAX_MEASURED ? 2 * perEpoch : 2 * first};
        double[] t = new double[3];
        long slices = 0;
        for (int k = 0; k < 3; k++) {
            Path run = dir.resolve("r" + k + "n" + iters[k]);
            long t0 = System.nanoTime();
            FineTuning.Outcome o = FineTuning.start(probe, run, new FineTuning.Options(1_000_000, true, iters[k],
                    false), quiet);
            t[k] = (System.nanoTime() - t0) / 1e9;
            slices = o.trainSlices();
        }
        double perIter = Math.max(0, (t[2] - t[1]) / (iters[2] - iters[1]));
        double fixed = Math.max(0, t[1] - iters[1] * perIter);
        return new double[] {fixed, perIter, slices};
    }

    private static long lines(Path list) {
        try (var s = Files.lines(list)) {
            return s.filter(l -> !l.isBlank()).count();
        } catch (IOException e) {
            throw new SamtuneException(list + ": cannot read: " + e.getMessage(), e);
        }
    }
}
