package org.samtune.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.Safetensors;
import org.samtune.data.SegmentationDataset;
import org.samtune.model.SamModels;
import org.samtune.model.nn.Module;
import org.samtune.model.unet.DenseSegmenter;
import org.samtune.model.unet.UNets;

/**
 * A run of a U-Net baseline ({@code --arch unet-resnet34 | unet-plain}): the same data lists, pipeline, loss,
 * {@link Trainer} loop, validation, run folder and checkpoints as a SAM run, with the network's own recipe:
 * <ul>
 *   <li>{@code unet-resnet34}: finetune-SAM's (AdamW, warm-up + poly per iteration), as its SAM runs;
 *   <li>{@code unet-plain}: nnU-Net's ({@link SgdNesterov}: momentum 0.99, Nesterov, gradients clipped at norm 12;
 *       poly 0.9 per epoch; deep supervision).
 * </ul>
 * Every weight trains, so the tuned-weights files hold the whole network.
 */
final class UNetTraining {
    private UNetTraining() {}

    /** The schedule a U-Net run uses, or null for the settings' own (warm-up + poly, or constant). */
    static LrSchedule schedule(TrainConfig c, long itersPerEpoch) {
        return UNets.PLAIN.equals(c.arch()) ? LrSchedule.polyPerEpoch(c.lr(), itersPerEpoch, c.epochs()) : null;
    }

    static Optimizer optimizer(TrainConfig c, Module model) {
        return UNets.PLAIN.equals(c.arch())
                ? SgdNesterov.nnUNet(model.namedParameters(), c.lr(), c.weightDecay())
                : new AdamW(model.namedParameters(), c.lr(), AdamW.BETA1, AdamW.BETA2, AdamW.EPS, c.weightDecay());
    }

    /** One line naming the recipe, for train.log and the console. */
    static String recipe(TrainConfig c, LrSchedule schedule) {
        return UNets.PLAIN.equals(c.arch())
                ? String.format(Locale.ROOT, "nnU-Net recipe: SGD Nesterov momentum %.2f, weight decay %s, gradient "
                        + "norm clipped at %.0f, %s; deep supervision", SgdNesterov.MOMENTUM, c.weightDecay(),
                        SgdNesterov.MAX_GRAD_NORM, schedule)
                : "finetune-SAM recipe: AdamW, weight decay " + c.weightDecay() + ", "
                        + (c.warmup() ? "warm-up " + c.warmupIters() + " iterations then poly(0.9)" : "constant lr")
                        + " from " + c.lr();
    }

    /** The network of a run, initialised from its seed and, when the config names one, its starting checkpoint. */
    static UNets.Built build(NDManager manager, TrainConfig c) {
        Path base = c.checkpoint() == null || c.checkpoint().isBlank() ? null : Path.of(c.checkpoint());
        if (base != null && !Files.isRegularFile(base)) {
            throw new SamtuneException(base + ": checkpoint not found (config field checkpoint)");
        }
        return UNets.build(manager, c.arch(), c.imageSize(), c.numClasses(), base, c.seed());
    }

    static FineTuning.Outcome execute(RunFolder run, FineTuning.Resumed resumed, FineTuning.Options options,
                                      PrintStream out) {
        TrainConfig c = run.config();
        Engine.getInstance().setRandomSeed((int) c.seed());
        try (NDManager manager = NDManager.newBaseManager()) {
            UNets.Built built = build(manager, c);
            DenseSegmenter net = built.net();
            Module model = net.asModule();
            if (built.report() != null) {
                run.log(built.report().describe(20));
            }
            Set<String> keys = new LinkedHashSet<>(model.stateArrays().keySet());

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
            SamplePipeline pipeline = SamplePipeline.forRun(c, net.inputSize(), net.inputSize(), c.augment());
            Trainer.Settings settings = new Trainer.Settings(c.epochs(), c.batchSize(), c.lr(), c.warmup(),
                    c.warmupIters(), c.valEvery(), c.patience(), c.seed(),
                    c.compat() == TrainConfig.Compat.FINETUNE_SAM, false, options.maxIterations(),
                    options.checkpointEvery());
            long itersPerEpoch = (train.size() + c.batchSize() - 1) / c.batchSize();
            LrSchedule schedule = schedule(c, itersPerEpoch);
            Trainer trainer = new Trainer(net, settings, train, val, pipeline, schedule);

            Path ckptDir = run.file(FineTuning.CHECKPOINTS);
            Map<String, String> meta = metadata(c);
            TrainState start = TrainState.start();
            try (Optimizer optimizer = optimizer(c, model)) {
                if (resumed != null) {
                    FineTuning.restore(model, optimizer, resumed, ckptDir.resolve(FineTuning.RESUME));
                    start = resumed.state();
                }
                long total = trainer.totalIterations();
                String recipe = recipe(c, schedule);
                run.log("plan: " + c.arch() + " " + net.inputSize() + "², " + c.numClasses() + " classes, all "
                        + model.parameterCount() + " parameters train; " + recipe + "; " + train.size()
                        + " training slices (" + train.droppedEmpty() + " empty dropped), "
                        + (val == null ? 0 : val.size()) + " validation slices; " + total + " iterations");
                out.println("samtune train: " + c.arch() + " at " + net.inputSize() + "², "
                        + String.format("%,d", model.parameterCount()) + " parameters train (" + recipe + "); "
                        + train.size() + " training / " + (val == null ? 0 : val.size()) + " validation slices");
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
                        progress.message(String.format(Locale.ROOT, "epoch %d: validation loss %.4f, Dice %s%s",
                                v.epoch(), v.loss(), FineTuning.formatDice(v.classDice()),
                                v.improved() ? " (best)" : ""));
                        run.writeCurve();
                    }

                    @Override
                    public void onBest(TrainState state) {
                        FineTuning.writeWeights(ckptDir.resolve(FineTuning.BEST), model, keys, meta, state);
                    }

                    @Override
                    public void onEpochEnd(int epoch, double seconds) {
                        run.log(String.format(Locale.ROOT, "epoch %d trained in %.2f s", epoch, seconds));
                    }

                    @Override
                    public void onCheckpoint(TrainState state, Optimizer opt) {
                        FineTuning.writeWeights(ckptDir.resolve(FineTuning.LAST), model, keys, meta, state);
                        FineTuning.writeResume(ckptDir.resolve(FineTuning.RESUME), model, keys, opt, meta, state);
                    }

                    @Override
                    public void onMessage(String message) {
                        run.log(message);
                        progress.message(message);
                    }
                });
                TrainState end = result.state();
                if (!result.diverged()) {
                    FineTuning.writeWeights(ckptDir.resolve(FineTuning.LAST), model, keys, meta, end);
                    FineTuning.writeResume(ckptDir.resolve(FineTuning.RESUME), model, keys, optimizer, meta, end);
                    if (!Files.exists(ckptDir.resolve(FineTuning.BEST))) {
                        FineTuning.writeWeights(ckptDir.resolve(FineTuning.BEST), model, keys, meta, end);
                    }
                }
                if (options.exportFull()) {
                    Safetensors.write(ckptDir.resolve(FineTuning.FULL), model.stateDict(), meta);
                }
                run.writeCurve();
                String reason = result.diverged()
                        ? result.stopReason() + "; the last good checkpoint is " + ckptDir.resolve(FineTuning.LAST)
                        : result.stopReason();
                run.log("stopped: " + reason);
                trainer.close();
                return new FineTuning.Outcome(run.dir(), reason, result.diverged(), end, train.size(),
                        val == null ? 0 : val.size(), model.parameterCount(), model.parameterCount());
            }
        }
    }

    private static Map<String, String> metadata(TrainConfig c) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "samtune-tuned-weights/1");
        m.put("arch", c.arch());
        m.put("num_classes", Integer.toString(c.numClasses()));
        m.put("plan", "all weights");
        Path base = c.checkpoint() == null || c.checkpoint().isBlank() ? null : Path.of(c.checkpoint());
        m.put("base_checkpoint", base == null ? "" : base.getFileName().toString());
        m.put("base_sha256", base == null ? "" : SamModels.sha256(base));
        m.put("config_yaml", c.toYaml());
        return m;
    }
}
