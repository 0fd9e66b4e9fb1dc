package org.samtune.study;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.samtune.SamtuneException;
import org.samtune.eval.MetricOptions;
import org.samtune.eval.MetricsTable;
import org.samtune.eval.RunEvaluator;
import org.samtune.io.AtomicFiles;
import org.samtune.model.nn.Compute;
import org.samtune.model.nn.Precision;
import org.samtune.train.FineTuning;
import org.samtune.train.TrainedModel;

/**
 * Runs a study: every cell of the grid is an ordinary run folder made by {@link FineTuning} (as {@code samtune
 * train}) and scored by {@link RunEvaluator} (as {@code samtune eval --run}), one after the other in this process.
 *
 * <p>Resumable: a finished cell is skipped, a trained one is only scored, an interrupted one continues from its
 * resume checkpoint (so a {@code kill -9} of the study loses at most the iterations since that checkpoint), and a
 * failed one is tried again. A failing cell is recorded in its {@code cell.yaml} and in {@code cells.csv} and does
 * not stop the others. Each cell closes its model's {@link NDManager}, so memory stays flat across cells
 * ({@code cells.csv} records the resident memory after each).
 */
public final class Study {
    public static final String PLAN = "plan.yaml";
    public static final String CELLS = "cells.csv";
    public static final String TEST_METRICS = "test-metrics.csv";

    /** The folder, under the study, of the embedding cache its cells share. */
    public static final String EMBEDDING_CACHE = "embedding-cache";

    /** {@code train --embedding-cache-size}'s default bound. */
    public static final long DEFAULT_EMBEDDING_CACHE_BYTES = 20L << 30;

    /**
     * How the cells train (as {@code samtune train}'s non-config flags).
     *
     * @param cacheEmbeddings     cache a frozen encoder's embeddings: in {@code STUDY/embedding-cache}, shared by
     *                            every cell with the same encoder weights and preprocessing (a decoder-only cell's
     *                            second seed on a pretrained checkpoint computes none)
     * @param embeddingCacheBytes bound of that folder (least recently used files go first)
     */
    public record Options(int checkpointEvery, boolean cacheEmbeddings, long embeddingCacheBytes) {
        public Options(int checkpointEvery, boolean cacheEmbeddings) {
            this(checkpointEvery, cacheEmbeddings, DEFAULT_EMBEDDING_CACHE_BYTES);
        }

        public static Options defaults() {
            return new Options(50, true);
        }
    }

    /** What a study run left: cells done / failed, and the output files. */
    public record Summary(int cells, int done, int failed, Path results, Path ranking, Path report) {}

    private Study() {}

    /** Reads and expands the plan in {@code planFile} (paths relative to its folder) and runs it, as {@code study}. */
    public static Summary run(Path planFile, Path outDir, Options options, PrintStream out) {
        StudyPlan plan = StudyPlan.read(planFile);
        StudyGrid grid = StudyGrid.expand(plan, planFile.toAbsolutePath().getParent(), planFile.toString());
        return run(plan, grid, outDir, options, out);
    }

    /**
     * Runs (or continues) the study of {@code plan} in {@code outDir}: cells, then results.csv, ranking.csv and
     * report.html. A folder holding another plan's study is refused.
     */
    public static Summary run(StudyPlan plan, StudyGrid grid, Path outDir, Options options, PrintStream out) {
        // a precision this machine cannot compute in is refused before the first cell, not by every bf16 cell
        grid.precisions().forEach(Compute::requirePrecision);
        claim(plan, outDir);
        List<StudyCell> cells = grid.cells();
        long t0 = System.nanoTime();
        int finishedThisSession = 0;
        List<String> statusLines = new ArrayList<>();
        int done = 0;
        for (int i = 0; i < cells.size(); i++) {
            StudyCell c = cells.get(i);
            Path dir = outDir.resolve(c.relativeDir());
            CellStatus before = CellStatus.read(dir);
            if (before != null && CellStatus.DONE.equals(before.state()) && Files.isRegularFile(dir.resolve(TEST_METRICS))) {
                out.printf(Locale.ROOT, "study: cell %d/%d %s: done before, skipped%n", i + 1, cells.size(), c.id());
                statusLines.add(statusLine(c, before));
                done++;
                continue;
            }
            double elapsedMin = (System.nanoTime() - t0) / 60e9;
            String eta = finishedThisSession == 0 ? "" : String.format(Locale.ROOT, ", ETA %.1f min",
                    elapsedMin / finishedThisSession * remaining(cells, outDir, i));
            out.printf(Locale.ROOT, "study: cell %d/%d %s%s%n", i + 1, cells.size(), c.id(), eta);
            CellStatus after = inPrecision(c.strategy().precision(),
                    () -> runCell(c, dir, before, cellOptions(outDir, options), plan.evaluation(), out));
            finishedThisSession++;
            if (CellStatus.FAILED.equals(after.state())) {
                out.println("study: cell " + c.id() + " failed: " + after.error());
            } else {
                done++;
            }
            statusLines.add(statusLine(c, after));
            // the tables so far: a long study can be looked at (and reported) while it runs
            writeOutputs(grid, outDir, statusLines);
        }
        writeOutputs(grid, outDir, statusLines);
        return new Summary(cells.size(), done, cells.size() - done, outDir.resolve(StudyResults.FILE),
                outDir.resolve(Ranking.FILE), outDir.resolve(StudyReport.FILE));
    }

    /** cells.csv (cells not reached yet: pending), results.csv, ranking.csv and report.html of the done cells. */
    private static void writeOutputs(StudyGrid grid, Path outDir, List<String> statusLines) {
        List<String> lines = new ArrayList<>(statusLines);
        for (int j = statusLines.size(); j < grid.cells().size(); j++) {
            StudyCell c = grid.cells().get(j);
            lines.add(statusLine(c, new CellStatus("pending", 0, -1, null)));
        }
        writeCells(outDir, lines);
        List<StudyResults.Row> rows = collect(grid, outDir);
        StudyResults.write(outDir.resolve(StudyResults.FILE), rows);
        Ranking.compute(rows, Ranking.DEFAULT_BOOTSTRAP, Ranking.DEFAULT_SEED).write(outDir.resolve(Ranking.FILE));
        StudyReport.write(outDir);
    }

    /**
     * Runs {@code work} with the products in {@code precision} (the cell's, trained and scored alike) and gives the
     * process its own precision back; a precision the machine lacks is one line ({@link Compute#usePrecision}).
     */
    static <T> T inPrecision(Precision precision, Supplier<T> work) {
        Precision outer = Compute.precision();
        Compute.usePrecision(precision);
        try {
            return work.get();
        } finally {
            Compute.usePrecision(outer);
        }
    }

    /** Records the plan in a new study folder, or checks that an existing one holds the same plan. */
    static void claim(StudyPlan plan, Path outDir) {
        Path planFile = outDir.resolve(PLAN);
        String yaml = "# samtune study plan (relative paths are relative to the original plan file)\n"
                + plan.toYaml();
        if (Files.isRegularFile(planFile)) {
            StudyPlan existing = StudyPlan.read(planFile);
            if (!existing.toYaml().equals(plan.toYaml())) {
                throw new SamtuneException(outDir + ": holds a study of another plan (" + planFile + " differs);"
                        + " choose a new --out or run the same plan again to continue it");
            }
            return;
        }
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new SamtuneException(outDir + ": cannot create the study folder: " + e.getMessage(), e);
        }
        AtomicFiles.writeString(planFile, yaml);
    }

    private static int remaining(List<StudyCell> cells, Path outDir, int from) {
        int n = 0;
        for (int j = from; j < cells.size(); j++) {
            CellStatus s = CellStatus.read(outDir.resolve(cells.get(j).relativeDir()));
            n += s != null && CellStatus.DONE.equals(s.state()) ? 0 : 1;
        }
        return n;
    }

    /** Trains (or continues) and scores one cell; never throws for the cell's own failures. */
    static CellStatus runCell(StudyCell c, Path dir, CellStatus before, FineTuning.Options fo,
                              StudyPlan.Evaluation evaluation, PrintStream out) {
        long t0 = System.nanoTime();
        try {
            if (before == null || !CellStatus.TRAINED.equals(before.state())) {
                FineTuning.Outcome outcome;
                if (org.samtune.train.RunCheckpoints.of(dir).hasResume()) {
                    out.println("study: resuming " + c.id() + " from its last checkpoint");
                    outcome = FineTuning.resume(dir, fo, out);
                } else {
                    // a start that died before its first checkpoint left nothing to continue: start again
                    deleteTree(dir);
                    outcome = FineTuning.start(c.config(), dir, fo, out);
                }
                if (outcome.diverged()) {
                    throw new SamtuneException("training diverged: " + outcome.stopReason());
                }
                new CellStatus(CellStatus.TRAINED, seconds(t0), CellStatus.residentMb(), null).write(dir);
            }
            MetricsTable table = evaluate(dir, c, evaluation);
            table.writeCsv(dir.resolve(TEST_METRICS));
            CellStatus s = new CellStatus(CellStatus.DONE, seconds(t0), CellStatus.residentMb(), null);
            s.write(dir);
            return s;
        } catch (RuntimeException e) {
            String msg = e instanceof SamtuneException ? e.getMessage()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
            CellStatus s = new CellStatus(CellStatus.FAILED, seconds(t0), CellStatus.residentMb(),
                    msg == null ? e.toString() : msg.replace('\n', ' '));
            try {
                Files.createDirectories(dir);
                s.write(dir);
                java.io.StringWriter trace = new java.io.StringWriter();
                e.printStackTrace(new java.io.PrintWriter(trace));
                AtomicFiles.writeString(dir.resolve("error.txt"), trace.toString());
            } catch (RuntimeException | IOException ignored) {
                // the failure is still reported in cells.csv
            }
            return s;
        }
    }

    /**
     * A cell's training options: with caching, the study's shared disk cache ({@code STUDY/embedding-cache}, beside
     * {@code cells/}). Its key is the encoder's weights and the prepared image, so only cells with the same frozen
     * encoder and preprocessing find each other's embeddings, and a cell reads exactly what it would compute.
     */
    static FineTuning.Options cellOptions(Path studyDir, Options options) {
        Path shared = options.cacheEmbeddings() ? studyDir.resolve(EMBEDDING_CACHE) : null;
        return new FineTuning.Options(options.checkpointEvery(), options.cacheEmbeddings(), 0, false, shared,
                options.embeddingCacheBytes());
    }

    /** Scores the cell's run on its dataset's test list, exactly as {@code samtune eval --run RUN --data TEST}. */
    static MetricsTable evaluate(Path dir, StudyCell c, StudyPlan.Evaluation e) {
        MetricOptions metrics = MetricOptions.DEFAULT.withNsdToleranceMm(e.nsdMmOrDefault());
        Path images = c.testList().toAbsolutePath().getParent();
        try (NDManager manager = Compute.newManager()) {
            TrainedModel.Loaded model = TrainedModel.open(manager, dir, e.weightsOrDefault(), null);
            return RunEvaluator.evaluate(model, new RunEvaluator.Options(c.testList(), images, images,
                    e.lowResOrDefault(), e.keepEmptyOrDefault(), metrics)).table();
        }
    }

    /** Every done cell's test rows, in the plan's cell order. */
    static List<StudyResults.Row> collect(StudyGrid grid, Path outDir) {
        List<StudyResults.Row> rows = new ArrayList<>();
        for (StudyCell c : grid.cells()) {
            Path dir = outDir.resolve(c.relativeDir());
            CellStatus s = CellStatus.read(dir);
            if (s == null || !CellStatus.DONE.equals(s.state())) {
                continue;
            }
            rows.addAll(TestMetrics.read(dir.resolve(TEST_METRICS), c, grid.label(c.strategy())));
        }
        return rows;
    }

    private static String statusLine(StudyCell c, CellStatus s) {
        return String.join(",", Csv.quote(c.relativeDir()), Csv.quote(c.dataset()), Csv.quote(c.strategy().id()),
                Long.toString(c.seed()), s.state(), String.format(Locale.ROOT, "%.1f", s.seconds()),
                Long.toString(s.rssMb()), Csv.quote(s.error() == null ? "" : s.error()));
    }

    private static void writeCells(Path outDir, List<String> lines) {
        AtomicFiles.writeString(outDir.resolve(CELLS), "cell,dataset,strategy,seed,state,seconds,rss_mb,error\n"
                + String.join("\n", lines) + (lines.isEmpty() ? "" : "\n"));
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SamtuneException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
