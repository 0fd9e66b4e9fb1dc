package org.samtune.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.samtune.SamtuneException;
import org.samtune.data.SegmentationDataset;
import org.samtune.model.Sam;
import org.samtune.model.SamModels;
import org.samtune.model.nn.Compute;

/**
 * A fine-tuning run from its {@link TrainConfig} to its run folder, in four steps: {@link #setUp} builds the model
 * (base checkpoint or random weights, then the tuning plan) and opens the data, checking everything before anything
 * is written; the {@link RunFolder} is created (or reopened to resume); {@link #train} runs the {@link Trainer},
 * logging and checkpointing through a {@link RunListener}; {@link #finish} writes the final checkpoints
 * ({@link RunCheckpoints}) and the summary. A start that fails before its first checkpoint removes what it wrote, so
 * the same command can be run again.
 */
public final class FineTuning {

    /**
     * How a run ended.
     *
     * @param bestEpoch 1-based epoch of the best validation, 0 when the run never validated
     * @param bestDice  its Dice (the selection score), NaN when the run never validated
     * @param seconds   wall time of this session
     */
    public record Outcome(Path runDir, String stopReason, boolean diverged, TrainState state, long trainSlices,
                          long valSlices, long trainableParameters, long totalParameters, int bestEpoch,
                          double bestDice, double seconds, Path bestCheckpoint) {}

    /** Settings of the run that are not part of the reference's config. */
    public record Options(int checkpointEvery, boolean cacheEmbeddings, long maxIterations, boolean exportFull,
                          Path embeddingCacheDir, long embeddingCacheBytes) {
        /** Embeddings cached in RAM (no cache folder). */
        public Options(int checkpointEvery, boolean cacheEmbeddings, long maxIterations, boolean exportFull) {
            this(checkpointEvery, cacheEmbeddings, maxIterations, exportFull, null, 0);
        }

        public static Options defaults() {
            return new Options(50, true, 0, false);
        }
    }

    private FineTuning() {}

    /**
     * The run's model as training starts: architecture and classes from the config, weights from the base
     * checkpoint (or random), then the tuning plan's adapters / LoRA and trainable flags. Evaluation rebuilds the
     * same model before loading the tuned weights.
     */
    static SamModels.Built buildModel(NDManager manager, TrainConfig c, Path base) {
        SamModels.Built built = SamModels.build(manager, c.arch(), c.numClasses(),
                c.plan().quirks().blockOrder(), base, c.encoderFrom().isEmpty() ? null : Path.of(c.encoderFrom()),
                c.seed(), c.imageSize());
        c.plan().apply(built.sam(), c.seed());
        return built;
    }

    /** Starts a new run in {@code runDir}. */
    public static Outcome start(TrainConfig config, Path runDir, Options options, PrintStream out) {
        try (NDManager manager = Compute.newManager()) {
            // baselines: a U-Net (Family.DENSE) has its own set-up and loop, the same run folder and checkpoints
            boolean dense = config.architecture().isDense();
            Setup setup = dense ? null : setUp(manager, config);
            UNetTraining.Setup unet = dense ? UNetTraining.setUp(manager, config) : null;
            RunFolder run = RunFolder.create(runDir, config);
            boolean ok = false;
            try {
                RunProvenance.record(run, false);
                if (config.shots() > 0) {
                    FewShotList.write(config, run);
                }
                Outcome o = dense ? UNetTraining.execute(run, unet, null, options, out)
                        : execute(run, setup, null, options, out);
                ok = true;
                return o;
            } finally {
                run.endStart(ok);
            }
        }
    }

    /** Continues the run in {@code runDir} from its last resume checkpoint. */
    public static Outcome resume(Path runDir, Options options, PrintStream out) {
        RunCheckpoints.Resumed resumed = RunCheckpoints.of(runDir).readResume();
        TrainConfig config = TrainConfig.read(runDir.resolve(RunFolder.CONFIG));
        try (NDManager manager = Compute.newManager();
             RunFolder run = RunFolder.resume(runDir, resumed.state().iteration())) {
            RunProvenance.record(run, true);
            if (config.architecture().isDense()) {
                UNetTraining.Setup unet = UNetTraining.setUp(manager, config);
                out.println("samtune train: resumed at iteration " + resumed.state().iteration() + " (epoch "
                        + (resumed.state().epoch() + 1) + ") from " + resumed.file());
                return UNetTraining.execute(run, unet, resumed, options, out);
            }
            Setup setup = setUp(manager, config);
            out.println("samtune train: resumed at iteration " + resumed.state().iteration() + " (epoch "
                    + (resumed.state().epoch() + 1) + ") from " + resumed.file());
            return execute(run, setup, resumed, options, out);
        }
    }

    /** Everything a run needs before its first iteration, checked. */
    record Setup(TrainConfig config, SamModels.Built built, SegmentationDataset train, SegmentationDataset val,
                 SamplePipeline pipeline) {
        Sam sam() {
            return built.sam();
        }
    }

    /** Builds the model and opens the data; throws on any inconsistency, writes nothing. */
    static Setup setUp(NDManager manager, TrainConfig c) {
        Engine.getInstance().setRandomSeed((int) c.seed());
        RunData data = RunData.open(c);
        if (c.promptMode() != TrainConfig.PromptMode.NONE && c.numClasses() != 2) {
            throw new SamtuneException("--prompt " + c.promptMode().id() + " trains one mask per prompt set "
                    + "(the union of the prompted structures): use --num-classes 2, got " + c.numClasses());
        }
        Path base = c.checkpoint() == null || c.checkpoint().isBlank() ? null : Path.of(c.checkpoint());
        SamModels.Built built = buildModel(manager, c, base);
        Sam sam = built.sam();
        int size = sam.config.imgSize();
        int lowRes = 4 * sam.config.prompt().imageEmbeddingSize();
        if (c.imageSize() != size || c.outSize() != lowRes) {
            throw new SamtuneException("config: imageSize " + c.imageSize() + " / outSize " + c.outSize()
                    + " do not match the " + built.arch() + " model's input " + size + " and decoder output "
                    + lowRes);
        }
        return new Setup(c, built, data.train(), data.val(), SamplePipeline.forRun(c, sam, c.augment()));
    }

    /** Warnings about settings that run but are probably not what the user meant. */
    static List<String> warnings(TrainConfig c) {
        boolean noCheckpoint = c.checkpoint() == null || c.checkpoint().isBlank();
        if (noCheckpoint && !c.plan().updatesEncoder()) {
            return List.of("warning: no --checkpoint and --tune decoder: the decoder trains on a frozen, randomly "
                    + "initialised image encoder, which sees nothing useful; pass --checkpoint or use --tune "
                    + "encoder+decoder");
        }
        return List.of();
    }

    private static Outcome execute(RunFolder run, Setup setup, RunCheckpoints.Resumed resumed, Options options,
                                   PrintStream out) {
        long started = System.nanoTime();
        TrainConfig c = setup.config();
        Sam sam = setup.sam();
        run.log("compute: " + Compute.describe() + "; input " + c.imageSize() + "x" + c.imageSize());
        if (setup.built().report() != null) {
            run.log(setup.built().report().describe(20));
        }
        for (String w : warnings(c)) {
            run.log(w);
            out.println(w);
        }
        RunCheckpoints checkpoints = RunCheckpoints.of(run.dir());
        RunCheckpoints.Content content = RunCheckpoints.content(c, setup.built());
        Trainer.Settings settings = new Trainer.Settings(c.epochs(), c.batchSize(), c.lr(), c.warmup(),
                c.warmupIters(), c.valEvery(), c.patience(), c.seed(), options.cacheEmbeddings(),
                options.maxIterations(), options.checkpointEvery());
        try (Trainer trainer = new Trainer(sam, c.plan(), settings, setup.train(), setup.val(), setup.pipeline());
             AdamW optimizer = new AdamW(sam.namedParameters(), c.lr(), AdamW.BETA1, AdamW.BETA2, AdamW.EPS,
                     c.weightDecay())) {
            if (options.embeddingCacheDir() != null) {
                if (trainer.embeddingsCacheable()) {
                    trainer.useEmbeddingCache(DiskEmbeddingCache.forModel(options.embeddingCacheDir(),
                            options.embeddingCacheBytes(), sam));
                } else {
                    run.log("embedding cache " + options.embeddingCacheDir() + " unused: embeddings are cached only "
                            + "with a frozen encoder, no augmentation and --compat samtune");
                }
            }
            TrainState start = TrainState.start();
            if (resumed != null) {
                RunCheckpoints.restore(resumed, sam, optimizer);
                start = resumed.state();
            }
            announce(run, setup, trainer, out);
            Trainer.Result result = train(run, trainer, optimizer, start, checkpoints, content, out);
            if (trainer.embeddingsCacheable()) {
                run.log(trainer.embeddingCacheSummary());
            }
            return finish(run, setup, result, optimizer, checkpoints, content, options,
                    (System.nanoTime() - started) / 1e9);
        }
    }

    /** The plan and the data, in train.log and on the console. */
    private static void announce(RunFolder run, Setup setup, Trainer trainer, PrintStream out) {
        TrainConfig c = setup.config();
        Sam sam = setup.sam();
        int val = setup.val() == null ? 0 : setup.val().size();
        run.log("plan: " + c.arch() + " " + c.plan().describe() + "; classes " + String.join(", ", c.classNames())
                + "; trainable parameters " + sam.trainableParameterCount() + " of " + sam.parameterCount() + "; "
                + setup.train().size() + " training slices (" + setup.train().droppedEmpty() + " empty dropped), "
                + val + " validation slices; " + trainer.totalIterations() + " iterations"
                + (trainer.embeddingsCacheable() ? "; image embeddings cached after the first epoch" : ""));
        out.println("samtune train: " + c.arch() + " " + c.plan().describe() + ", "
                + String.format("%,d", sam.trainableParameterCount()) + " of "
                + String.format("%,d", sam.parameterCount()) + " parameters train; " + setup.train().size()
                + " training / " + val + " validation slices; classes " + String.join(", ", c.classNames()));
    }

    /** The loop, with progress, logs, metrics and checkpoints. */
    static Trainer.Result train(RunFolder run, Trainer trainer, Optimizer optimizer, TrainState start,
                                        RunCheckpoints checkpoints, RunCheckpoints.Content content, PrintStream out) {
        ProgressLine progress = ProgressLine.forStdout(trainer.totalIterations(), run.config().epochs(),
                start.iteration());
        return trainer.run(optimizer, start, new RunListener(run, progress, checkpoints, content,
                trainer.iterationsPerEpoch(), trainer.totalIterations()));
    }

    /** Final checkpoints, the curve, and the summary in train.log. */
    private static Outcome finish(RunFolder run, Setup setup, Trainer.Result result, Optimizer optimizer,
                                  RunCheckpoints checkpoints, RunCheckpoints.Content content, Options options,
                                  double seconds) {
        return finish(run, result, optimizer, checkpoints, content, options, seconds, setup.train().size(),
                setup.val() == null ? 0 : setup.val().size(), setup.sam().trainableParameterCount(),
                setup.sam().parameterCount());
    }

    /** {@link #finish(RunFolder, Setup, Trainer.Result, Optimizer, RunCheckpoints, RunCheckpoints.Content,
     * Options, double)} for any model (the U-Nets too). */
    static Outcome finish(RunFolder run, Trainer.Result result, Optimizer optimizer, RunCheckpoints checkpoints,
                          RunCheckpoints.Content content, Options options, double seconds, long trainSlices,
                          long valSlices, long trainableParameters, long totalParameters) {
        TrainState end = result.state();
        if (!result.diverged()) {
            checkpoints.writeLastAndResume(content, optimizer, end);
            if (!Files.exists(checkpoints.best())) {
                checkpoints.writeBest(content, end);
            }
        }
        if (options.exportFull()) {
            checkpoints.writeFull(content);
        }
        run.writeCurve();
        String reason = result.diverged()
                ? result.stopReason() + "; the last good checkpoint is " + checkpoints.last()
                : result.stopReason();
        run.log("stopped: " + reason);
        boolean validated = end.bestEpoch() >= 0;
        Outcome o = new Outcome(run.dir(), reason, result.diverged(), end, trainSlices, valSlices,
                trainableParameters, totalParameters, validated ? end.bestEpoch() + 1 : 0,
                validated ? end.bestDice() : Double.NaN, seconds,
                Files.exists(checkpoints.best()) ? checkpoints.best() : null);
        run.log(summary(o));
        return o;
    }

    /** One line: best epoch and Dice, time, where the best checkpoint is. */
    public static String summary(Outcome o) {
        String best = o.bestEpoch() > 0
                ? String.format(Locale.ROOT, "best validation Dice %.4f at epoch %d", o.bestDice(), o.bestEpoch())
                : "no validation (no --val-list, or the run stopped before it)";
        return best + "; " + o.state().iteration() + " iterations in " + ProgressLine.hms(Math.round(o.seconds()))
                + (o.bestCheckpoint() != null ? "; best checkpoint " + o.bestCheckpoint() : "");
    }
}
