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

    /** Everything a U-Net run needs before its first iteration, checked (the U-Net {@link FineTuning.Setup}). */
    record Setup(TrainConfig config, UNets.Built built, SegmentationDataset train, SegmentationDataset val,
                 SamplePipeline pipeline) {
        DenseSegmenter net() {
            return built.net();
        }
    }

    /** Builds the network and opens the data; throws on any inconsistency, writes nothing. */
    static Setup setUp(NDManager manager, TrainConfig c) {
        Engine.getInstance().setRandomSeed((int) c.seed());
        RunData data = RunData.open(c);
        UNets.Built built = build(manager, c);
        int size = built.net().inputSize();
        // U-Net logits are at the input size: the low-res (loss) size is the input size
        return new Setup(c, built, data.train(), data.val(), SamplePipeline.forRun(c, size, size, c.augment()));
    }

    static FineTuning.Outcome execute(RunFolder run, Setup setup, RunCheckpoints.Resumed resumed,
                                      FineTuning.Options options, PrintStream out) {
        long started = System.nanoTime();
        TrainConfig c = setup.config();
        DenseSegmenter net = setup.net();
        Module model = net.asModule();
        if (setup.built().report() != null) {
            run.log(setup.built().report().describe(20));
        }
        SegmentationDataset train = setup.train();
        SegmentationDataset val = setup.val();
        Trainer.Settings settings = new Trainer.Settings(c.epochs(), c.batchSize(), c.lr(), c.warmup(),
                c.warmupIters(), c.valEvery(), c.patience(), c.seed(), false, options.maxIterations(),
                options.checkpointEvery());
        long itersPerEpoch = (train.size() + c.batchSize() - 1) / c.batchSize();
        LrSchedule schedule = schedule(c, itersPerEpoch);
        RunCheckpoints checkpoints = RunCheckpoints.of(run.dir());
        RunCheckpoints.Content content = RunCheckpoints.content(c, model);
        try (Trainer trainer = new Trainer(net, c.plan(), settings, train, val, setup.pipeline(), schedule);
             Optimizer optimizer = optimizer(c, model)) {
            TrainState start = TrainState.start();
            if (resumed != null) {
                RunCheckpoints.restore(resumed, model, optimizer);
                start = resumed.state();
            }
            long total = trainer.totalIterations();
            String recipe = recipe(c, schedule);
            run.log("plan: " + c.arch() + " " + net.inputSize() + "², classes " + String.join(", ", c.classNames())
                    + ", all " + model.parameterCount() + " parameters train; " + recipe + "; " + train.size()
                    + " training slices (" + train.droppedEmpty() + " empty dropped), "
                    + (val == null ? 0 : val.size()) + " validation slices; " + total + " iterations");
            out.println("samtune train: " + c.arch() + " at " + net.inputSize() + "², "
                    + String.format("%,d", model.parameterCount()) + " parameters train (" + recipe + "); "
                    + train.size() + " training / " + (val == null ? 0 : val.size()) + " validation slices; classes "
                    + String.join(", ", c.classNames()));
            Trainer.Result result = FineTuning.train(run, trainer, optimizer, start, checkpoints, content, out);
            return FineTuning.finish(run, result, optimizer, checkpoints, content, options,
                    (System.nanoTime() - started) / 1e9, train.size(), val == null ? 0 : val.size(),
                    model.parameterCount(), model.parameterCount());
        }
    }
}
