package org.samtune.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.samtune.SamtuneException;
import org.samtune.report.MetricsCsv;
import org.samtune.report.TrainingCurve;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The output folder of a fine-tuning run:
 * <ul>
 *   <li>{@code config.yaml}: every setting ({@link TrainConfig}), written once, read back by resume;
 *   <li>{@code metrics.csv}: per-iteration and per-validation rows ({@link MetricsCsv});
 *   <li>{@code training-curve.png}: losses and validation Dice against the epoch, redrawn on request;
 *   <li>{@code train.log}: time-stamped messages;
 *   <li>{@code checkpoints/}: the run's weights ({@link RunCheckpoints}).
 * </ul>
 * Epochs are numbered from 1 in train.log and on the console; metrics.csv keeps the 0-based epoch index.
 * Fine-tuning runs hold a {@link TrainConfig}; other runs ({@code pretrain}) bring their own {@link Settings}.
 */
public final class RunFolder implements AutoCloseable {
    public static final String CONFIG = "config.yaml";
    public static final String METRICS = "metrics.csv";
    public static final String CURVE = "training-curve.png";
    public static final String LOG = "train.log";

    private static final Logger LOG_SLF4J = LoggerFactory.getLogger(RunFolder.class);

    /** What the folder needs from a run's settings. */
    public interface Settings {
        /** Writes config.yaml (atomically). */
        void write(Path file);

        /** Per-class validation columns of metrics.csv. */
        int metricClasses();

        /** Title of training-curve.png. */
        String curveTitle();

        /** A name per validation column (index 0 is train's background, not shown in the log). */
        default List<String> metricNames() {
            return TrainConfig.genericClassNames(metricClasses());
        }
    }

    /** A fine-tuning run's settings as the folder sees them. */
    private record TrainSettings(TrainConfig config) implements Settings {
        @Override
        public void write(Path file) {
            config.write(file);
        }

        @Override
        public int metricClasses() {
            return config.numClasses();
        }

        @Override
        public String curveTitle() {
            return "samtune " + config.arch() + " " + config.plan().describe();
        }

        @Override
        public List<String> metricNames() {
            return config.classNames();
        }
    }

    private final Path dir;
    private final Settings config;
    private final MetricsCsv metrics;
    private final BufferedWriter log;
    private final boolean createdDir;

    private RunFolder(Path dir, Settings config, MetricsCsv metrics, BufferedWriter log, boolean createdDir) {
        this.dir = dir;
        this.config = config;
        this.metrics = metrics;
        this.log = log;
        this.createdDir = createdDir;
    }

    /**
     * Starts a new run in {@code dir} (created if needed). A folder that already holds a run is refused, so results
     * are never mixed; use {@link #resume} to continue it.
     */
    public static RunFolder create(Path dir, TrainConfig config) {
        return create(dir, new TrainSettings(config));
    }

    /** {@link #create(Path, TrainConfig)} for a run with other settings. */
    public static RunFolder create(Path dir, Settings config) {
        if (Files.exists(dir.resolve(CONFIG)) || Files.exists(dir.resolve(METRICS))) {
            throw new SamtuneException(dir + ": already holds a run (" + CONFIG + " or " + METRICS
                    + " exists); choose a new output folder or resume this one");
        }
        boolean created = !Files.exists(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SamtuneException(dir + ": cannot create the run folder: " + e.getMessage(), e);
        }
        config.write(dir.resolve(CONFIG));
        RunFolder f = open(dir, config, -1, created);
        f.log("run started in " + dir.toAbsolutePath());
        return f;
    }

    /**
     * Continues the run in {@code dir}: reads its settings and drops the metric rows the checkpoint being resumed,
     * taken after {@code completedIters} iterations, does not contain (see {@link MetricsCsv#open}).
     */
    public static RunFolder resume(Path dir, long completedIters) {
        Path cfg = dir.resolve(CONFIG);
        if (!Files.isRegularFile(cfg)) {
            throw new SamtuneException(dir + ": not a run folder (no " + CONFIG + ")");
        }
        return resume(dir, completedIters, file -> new TrainSettings(TrainConfig.read(file)));
    }

    /** {@link #resume(Path, long)} for a run whose settings {@code read} parses. */
    public static RunFolder resume(Path dir, long completedIters, java.util.function.Function<Path, Settings> read) {
        Path cfg = dir.resolve(CONFIG);
        if (!Files.isRegularFile(cfg)) {
            throw new SamtuneException(dir + ": not a run folder (no " + CONFIG + ")");
        }
        RunFolder f = open(dir, read.apply(cfg), completedIters, false);
        f.log("run resumed at iteration " + completedIters);
        return f;
    }

    private static RunFolder open(Path dir, Settings config, long completedIters, boolean createdDir) {
        MetricsCsv metrics = MetricsCsv.open(dir.resolve(METRICS), config.metricClasses(), completedIters);
        try {
            BufferedWriter log = Files.newBufferedWriter(dir.resolve(LOG), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return new RunFolder(dir, config, metrics, log, createdDir);
        } catch (IOException e) {
            metrics.close();
            throw new SamtuneException(dir.resolve(LOG) + ": cannot open the log: " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** The settings of a fine-tuning run. */
    public TrainConfig config() {
        if (config instanceof TrainSettings t) {
            return t.config();
        }
        throw new IllegalStateException(dir + " is not a fine-tuning run");
    }

    public Settings settings() {
        return config;
    }

    /** A file inside the run folder, e.g. {@code file("checkpoints")}. */
    public Path file(String name) {
        return dir.resolve(name);
    }

    /** Appends a time-stamped line to {@code train.log} (and to the application log). */
    public void log(String message) {
        LOG_SLF4J.info(message);
        try {
            log.write(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " " + message);
            log.write('\n');
            log.flush();
        } catch (IOException e) {
            throw new SamtuneException(dir.resolve(LOG) + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** One training iteration ({@code iter} = 0-based global index of the step). */
    public void logIteration(int epoch, long iter, double loss, double diceLoss, double ceLoss, double lr) {
        metrics.train(epoch, iter, loss, diceLoss, ceLoss, lr);
    }

    /**
     * One validation of 0-based {@code epoch}, after {@code itersDone} training iterations; {@code score} is the Dice
     * the run selects by.
     */
    public void logValidation(int epoch, long itersDone, double valLoss, double score, double[] dicePerClass) {
        metrics.validation(epoch, itersDone, valLoss, score, dicePerClass);
        log(String.format(java.util.Locale.ROOT, "epoch %d validation: loss %.5f, Dice %.4f (%s)", epoch + 1,
                valLoss, score, diceByClass(config.metricNames(), dicePerClass)));
    }

    /** "liver 0.912, spleen 0.874" (foreground classes; "n/a" where no validation slice holds the class). */
    public static String diceByClass(List<String> names, double[] dicePerClass) {
        StringBuilder sb = new StringBuilder();
        for (int c = 1; c < dicePerClass.length; c++) {
            sb.append(c == 1 ? "" : ", ").append(c < names.size() ? names.get(c) : "class_" + c).append(' ')
                    .append(Double.isNaN(dicePerClass[c]) ? "n/a"
                            : String.format(java.util.Locale.ROOT, "%.3f", dicePerClass[c]));
        }
        return sb.toString();
    }

    /** Redraws {@code training-curve.png} from {@code metrics.csv}. */
    public void writeCurve() {
        List<MetricsCsv.Row> rows = MetricsCsv.read(metrics.file());
        TrainingCurve.write(file(CURVE), rows, config.curveTitle());
    }

    /**
     * Ends a fresh start: closes the folder when the run went through or left a resume checkpoint to continue from,
     * and {@link #discard()}s it otherwise, so that a failed start never blocks the retry.
     */
    public void endStart(boolean completed) {
        if (completed || RunCheckpoints.of(dir).hasResume()) {
            close();
        } else {
            discard();
        }
    }

    /**
     * Removes what a start that failed before its first checkpoint wrote (config.yaml, provenance.yaml, metrics.csv, train.log, the
     * curve, the checkpoints folder, and the folder itself if this start created it and nothing else is in it), so
     * that the same command can simply be run again. Closes the folder.
     */
    public void discard() {
        close();
        try {
            for (String name : List.of(CONFIG, METRICS, LOG, CURVE, org.samtune.io.Provenance.FILE)) {
                Files.deleteIfExists(dir.resolve(name));
            }
            Path ckpt = dir.resolve(RunCheckpoints.DIR);
            if (Files.isDirectory(ckpt)) {
                try (var files = Files.list(ckpt)) {
                    for (Path p : (Iterable<Path>) files::iterator) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(ckpt);
            }
            if (createdDir) {
                try (var rest = Files.list(dir)) {
                    if (rest.findAny().isEmpty()) {
                        Files.delete(dir);
                    }
                }
            }
        } catch (IOException e) {
            LOG_SLF4J.warn("{}: could not remove the failed start's files: {}", dir, e.getMessage());
        }
    }

    private boolean closed;

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        metrics.close();
        try {
            log.close();
        } catch (IOException e) {
            throw new SamtuneException(dir.resolve(LOG) + ": cannot close: " + e.getMessage(), e);
        }
    }
}
