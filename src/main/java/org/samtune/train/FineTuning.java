package org.samtune.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.Safetensors;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.data.SegmentationDataset;
import org.samtune.model.BlockOrder;
import org.samtune.model.Sam;
import org.samtune.model.SamModels;
import org.samtune.model.nn.Module;
import org.samtune.peft.TuningPlan;

/**
 * A fine-tuning run from its {@link TrainConfig} to its run folder: builds the model (from the base checkpoint or
 * random weights), applies the tuning plan, trains, and writes checkpoints:
 * <ul>
 *   <li>{@code checkpoints/best.safetensors}, {@code checkpoints/last.safetensors}: the tuned weights (every
 *       trainable tensor, every tensor not taken from the base checkpoint, and BatchNorm statistics), with the base
 *       checkpoint's file name and SHA-256 in the metadata, so base + tuned rebuilds the model;
 *   <li>{@code checkpoints/resume.safetensors}: the same plus the optimiser state and the loop position, written
 *       atomically after every iteration multiple of {@code --checkpoint-every} and every epoch, so
 *       {@code train --resume} continues after a crash exactly as the uninterrupted run would have.
 * </ul>
 */
public final class FineTuning {
    public static final String CHECKPOINTS = "checkpoints";
    public static final String BEST = "best.safetensors";
    public static final String LAST = "last.safetensors";
    public static final String RESUME = "resume.safetensors";
    public static final String FULL = "full.safetensors";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a run ended. */
    public record Outcome(Path runDir, String stopReason, boolean diverged, TrainState state, long trainSlices,
                          long valSlices, long trainableParameters, long totalParameters) {}

    /** Settings of the run that are not part of the reference's config. */
    public record Options(int checkpointEvery, boolean cacheEmbeddings, long maxIterations, boolean exportFull) {
        public static Options defaults() {
            return new Options(50, true, 0, false);
        }
    }

    private FineTuning() {}

    public static TuningPlan plan(TrainConfig c) {
        return new TuningPlan(TuningPlan.Method.valueOf(c.method().name()),
                c.tune() == TrainConfig.Tune.DECODER ? TuningPlan.Component.DECODER
                        : TuningPlan.Component.ENCODER_DECODER,
                c.encoderBlocks().isEmpty() ? null : c.encoderBlocks(),
                c.compat() == TrainConfig.Compat.FINETUNE_SAM ? TuningPlan.Compat.FINETUNE_SAM
                        : TuningPlan.Compat.SAMTUNE,
                TuningPlan.DEFAULT_LORA_RANK);
    }

    /**
     * The run's model as training starts: architecture and classes from the config, weights from the base
     * checkpoint (or random), then the tuning plan's adapters / LoRA and trainable flags. Evaluation rebuilds the
     * same model before loading the tuned weights.
     */
    static SamModels.Built buildModel(NDManager manager, TrainConfig c, Path base) {
        SamModels.Built built = SamModels.build(manager, c.arch(), c.numClasses(),
                c.compat() == TrainConfig.Compat.FINETUNE_SAM ? BlockOrder.FINETUNE_SAM : BlockOrder.OFFICIAL,
                base, c.seed());
        plan(c).apply(built.sam(), c.seed());
        return built;
    }

    /** Starts a new run in {@code runDir}. */
    public static Outcome start(TrainConfig config, Path runDir, Options options, PrintStream out) {
        try (RunFolder run = RunFolder.create(runDir, config)) {
            return execute(run, null, options, out);
        }
    }

    /** Continues the run in {@code runDir} from its last resume checkpoint. */
    public static Outcome resume(Path runDir, Options options, PrintStream out) {
        Path resumeFile = runDir.resolve(CHECKPOINTS).resolve(RESUME);
        if (!Files.isRegularFile(resumeFile)) {
            throw new SamtuneException(runDir + ": nothing to resume (no " + CHECKPOINTS + "/" + RESUME
                    + "; the run stopped before its first checkpoint — start it again)");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, TensorData> tensors = Safetensors.readWithMetadata(resumeFile, meta);
        TrainState state = stateFrom(resumeFile, meta);
        try (RunFolder run = RunFolder.resume(runDir, state.iteration())) {
            return execute(run, new Resumed(state, tensors), options, out);
        }
    }

    record Resumed(TrainState state, Map<String, TensorData> tensors) {}

    private static Outcome execute(RunFolder run, Resumed resumed, Options options, PrintStream out) {
        TrainConfig c = run.config();
        if (org.samtune.model.unet.UNets.isUNet(c.arch())) { // baselines: the U-Nets have their own wiring
            return UNetTraining.execute(run, resumed, options, out);
        }
        Engine.getInstance().setRandomSeed((int) c.seed());
        TuningPlan plan = plan(c);
        try (NDManager manager = NDManager.newBaseManager()) {
            Path base = c.checkpoint() == null || c.checkpoint().isBlank() ? null : Path.of(c.checkpoint());
            SamModels.Built built = buildModel(manager, c, base);
            Sam sam = built.sam();
            if (built.report() != null) {
                run.log(built.report().describe(20));
            }
            Set<String> tuned = tunedKeys(sam, built.notFromCheckpoint());

            SegmentationDataset.Options dsOptions =
                    new SegmentationDataset.Options(c.targetMode(), c.numClasses(), c.dropEmpty());
            SegmentationDataset train = SegmentationDataset.open(Path.of(c.trainList()), Path.of(c.imageFolder()),
                    Path.of(c.maskFolder()), dsOptions);
            if (train.size() == 0) {
                throw new SamtuneException(c.trainList() + ": no training slices left after dropping "
                        + train.droppedEmpty() + " with an empty mask (nothing to train on)");
            }
            SegmentationDataset val = c.valList() == null || c.valList().isBlank() ? null
                    : SegmentationDataset.open(Path.of(c.valList()), Path.of(c.imageFolder()),
                            Path.of(c.maskFolder()), dsOptions);

            int size = sam.config.imgSize();
            int lowRes = 4 * sam.config.prompt().imageEmbeddingSize();
            if (c.imageSize() != size || c.outSize() != lowRes) {
                throw new SamtuneException("config: imageSize " + c.imageSize() + " / outSize " + c.outSize()
                        + " do not match the " + built.arch() + " model's input " + size + " and decoder output "
                        + lowRes);
            }
            boolean compat = c.compat() == TrainConfig.Compat.FINETUNE_SAM;
            SamplePipeline pipeline = SamplePipeline.forRun(c, sam, c.augment());
            if (pipeline.prompts() != TrainConfig.PromptMode.NONE && c.numClasses() != 2) {
                throw new SamtuneException("--prompt " + c.promptMode().id() + " trains one mask per prompt set "
                        + "(the union of the prompted structures): use --num-classes 2, got " + c.numClasses());
            }
            Trainer.Settings settings = new Trainer.Settings(c.epochs(), c.batchSize(), c.lr(), c.warmup(),
                    c.warmupIters(), c.valEvery(), c.patience(), c.seed(), compat, options.cacheEmbeddings(),
                    options.maxIterations(), options.checkpointEvery());
            Trainer trainer = new Trainer(sam, plan, settings, train, val, pipeline);

            Path ckptDir = run.file(CHECKPOINTS);
            Map<String, String> baseMeta = baseMetadata(c, built, plan);
            TrainState start = TrainState.start();
            try (AdamW optimizer = new AdamW(sam.namedParameters(), c.lr(), AdamW.BETA1, AdamW.BETA2, AdamW.EPS,
                    c.weightDecay())) {
                if (resumed != null) {
                    restore(sam, optimizer, resumed, run.file(CHECKPOINTS).resolve(RESUME));
                    start = resumed.state();
                }
                long total = trainer.totalIterations();
                run.log("plan: " + c.arch() + " " + plan.describe() + "; trainable parameters "
                        + sam.trainableParameterCount() + " of " + sam.parameterCount() + "; " + train.size()
                        + " training slices (" + train.droppedEmpty() + " empty dropped), "
                        + (val == null ? 0 : val.size()) + " validation slices; " + total + " iterations"
                        + (trainer.embeddingsCacheable() ? "; image embeddings cached after the first epoch" : ""));
                out.println("samtune train: " + c.arch() + " " + plan.describe() + ", "
                        + String.format("%,d", sam.trainableParameterCount()) + " of "
                        + String.format("%,d", sam.parameterCount()) + " parameters train; " + train.size()
                        + " training / " + (val == null ? 0 : val.size()) + " validation slices");
                ProgressLine progress = ProgressLine.forStdout(total, c.epochs(), start.iteration());
                Trainer.Result result = trainer.run(optimizer, start, new Trainer.Listener() {
                    @Override
                    public void onIteration(Trainer.IterationStats s, long totalIterations) {
                        run.logIteration(s.epoch(), s.iteration(), s.loss(), s.dice(), s.ce(), s.lr());
                        progress.update(s.epoch(), s.iteration(), s.loss(), s.lr(), false);
                    }

                    @Override
                    public void onValidation(Trainer.ValidationStats v) {
                        run.logValidation(v.epoch(), v.iteration(), v.loss(), v.classDice());
                        progress.message(String.format(java.util.Locale.ROOT,
                                "epoch %d: validation loss %.4f, Dice %s%s", v.epoch(), v.loss(),
                                formatDice(v.classDice()), v.improved() ? " (best)" : ""));
                        run.writeCurve();
                    }

                    @Override
                    public void onBest(TrainState state) {
                        writeWeights(ckptDir.resolve(BEST), sam, tuned, baseMeta, state);
                    }

                    @Override
                    public void onEpochEnd(int epoch, double seconds) {
                        run.log(String.format(java.util.Locale.ROOT, "epoch %d trained in %.2f s", epoch, seconds));
                    }

                    @Override
                    public void onCheckpoint(TrainState state, Optimizer opt) {
                        writeWeights(ckptDir.resolve(LAST), sam, tuned, baseMeta, state);
                        writeResume(ckptDir.resolve(RESUME), sam, tuned, opt, baseMeta, state);
                    }

                    @Override
                    public void onMessage(String message) {
                        run.log(message);
                        progress.message(message);
                    }
                });
                TrainState end = result.state();
                if (!result.diverged()) {
                    writeWeights(ckptDir.resolve(LAST), sam, tuned, baseMeta, end);
                    writeResume(ckptDir.resolve(RESUME), sam, tuned, optimizer, baseMeta, end);
                    if (!Files.exists(ckptDir.resolve(BEST))) {
                        writeWeights(ckptDir.resolve(BEST), sam, tuned, baseMeta, end);
                    }
                }
                if (options.exportFull()) {
                    Safetensors.write(ckptDir.resolve(FULL), sam.stateDict(), baseMeta);
                }
                run.writeCurve();
                String reason = result.diverged()
                        ? result.stopReason() + "; the last good checkpoint is " + ckptDir.resolve(LAST)
                        : result.stopReason();
                run.log("stopped: " + reason);
                trainer.close();
                return new Outcome(run.dir(), reason, result.diverged(), end, train.size(),
                        val == null ? 0 : val.size(), sam.trainableParameterCount(), sam.parameterCount());
            }
        }
    }

    static String formatDice(double[] d) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < d.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.3f", d[i]));
        }
        return sb.append(']').toString();
    }

    /** What a tuned checkpoint must hold so that base + tuned gives the model back. */
    static Set<String> tunedKeys(Sam sam, Set<String> notFromCheckpoint) {
        Set<String> keys = new LinkedHashSet<>(notFromCheckpoint);
        sam.namedParameters().forEach((k, p) -> {
            if (p.isTrainable()) {
                keys.add(k);
            }
        });
        // BatchNorm statistics move in train mode even where the weights are frozen (MobileSAM).
        for (String k : sam.stateArrays().keySet()) {
            if (k.endsWith("running_mean") || k.endsWith("running_var") || k.endsWith("num_batches_tracked")) {
                keys.add(k);
            }
        }
        return keys;
    }

    private static Map<String, String> baseMetadata(TrainConfig c, SamModels.Built built, TuningPlan plan) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "samtune-tuned-weights/1");
        m.put("arch", built.arch());
        m.put("num_classes", Integer.toString(c.numClasses()));
        m.put("plan", plan.describe());
        m.put("base_checkpoint", built.checkpoint() == null ? "" : built.checkpoint().getFileName().toString());
        m.put("base_sha256", built.checkpointSha256() == null ? "" : built.checkpointSha256());
        m.put("config_yaml", c.toYaml());
        return m;
    }

    static StateDict select(Module sam, Set<String> keys) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        sam.stateArrays().forEach((k, a) -> {
            if (keys.contains(k)) {
                out.put(k, Module.toTensorData(a));
            }
        });
        return new StateDict(out, "tuned");
    }

    static void writeWeights(Path file, Module sam, Set<String> keys, Map<String, String> meta, TrainState state) {
        Map<String, String> m = new LinkedHashMap<>(meta);
        m.put("iteration", Long.toString(state.iteration()));
        m.put("epoch", Integer.toString(state.epoch()));
        m.put("best_val_score", Double.toString(state.bestDice()));
        Safetensors.write(file, select(sam, keys), m);
    }

    static void writeResume(Path file, Module sam, Set<String> keys, Optimizer opt, Map<String, String> meta,
                            TrainState state) {
        Map<String, TensorData> all = new LinkedHashMap<>();
        select(sam, keys).tensors().forEach((k, v) -> all.put("model/" + k, v));
        opt.stateDict().tensors().forEach((k, v) -> all.put("optimizer/" + k, v));
        Map<String, String> m = new LinkedHashMap<>(meta);
        m.put("iteration", Long.toString(state.iteration()));
        try {
            m.put("train_state", JSON.writeValueAsString(state));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        m.put("optimizer_hyperparameters", opt.hyperparameters().toString());
        Safetensors.write(file, new StateDict(all, "resume"), m);
    }

    private static TrainState stateFrom(Path file, Map<String, String> meta) {
        String s = meta.get("train_state");
        if (s == null) {
            throw new SamtuneException(file + ": metadata field train_state missing (not a samtune resume checkpoint)");
        }
        try {
            return JSON.readValue(s, TrainState.class);
        } catch (Exception e) {
            throw new SamtuneException(file + ": metadata field train_state is not readable: " + e.getMessage());
        }
    }

    static void restore(Module sam, Optimizer opt, Resumed r, Path file) {
        Map<String, TensorData> model = new LinkedHashMap<>();
        Map<String, TensorData> optim = new LinkedHashMap<>();
        r.tensors().forEach((k, v) -> {
            if (k.startsWith("model/")) {
                model.put(k.substring(6), v);
            } else if (k.startsWith("optimizer/")) {
                optim.put(k.substring(10), v);
            }
        });
        var report = sam.loadStateDict(new StateDict(model, file.toString()), false);
        if (!report.unexpected().isEmpty() || !report.mismatched().isEmpty()) {
            throw new SamtuneException(file + ": does not fit this run's model: " + report.describe(5));
        }
        opt.loadStateDict(new StateDict(optim, file.toString()));
    }

}
