package org.samtune.train;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.samtune.SamtuneException;
import org.samtune.inference.ClassSegmenter;
import org.samtune.inference.ModelInput;
import org.samtune.model.Sam;
import org.samtune.model.SamModels;

/**
 * A fine-tuned model rebuilt from its run folder: the run's config.yaml says the architecture, the classes and
 * the tuning plan; the base checkpoint (checked against the SHA-256 the run recorded) gives the pretrained weights;
 * {@code checkpoints/best.safetensors} (or last) gives the tuned ones.
 */
public final class TrainedModel {
    private TrainedModel() {}

    /**
     * The model in eval mode and the settings it was trained with: a SAM ({@code dense} null), or a U-Net baseline
     * ({@code sam} null).
     */
    public record Loaded(Sam sam, TrainConfig config, SamplePipeline pipeline, Path weights,
                         org.samtune.model.unet.DenseSegmenter dense) {
        public Loaded(Sam sam, TrainConfig config, SamplePipeline pipeline, Path weights) {
            this(sam, config, pipeline, weights, null);
        }

        /** The manager holding the model's weights. */
        public NDManager manager() {
            return dense != null ? dense.asModule().manager() : sam.manager();
        }

        /**
         * Class labels of one slice at its original size: the run's preprocessing (prompts sampled from the
         * slice's labels when the run was trained with prompts), then {@link ClassSegmenter#segment}.
         */
        public int[] segment(org.samtune.data.Slice2D slice) {
            return segmenter().segment(pipeline.prepare(slice, false, null).input());
        }

        /** The model as a class segmenter (the one inference path of eval and predict; U-Nets too). */
        public ClassSegmenter segmenter() {
            return dense != null ? new ClassSegmenter(dense) : new ClassSegmenter(sam);
        }

        /**
         * The run's preprocessing of an unlabelled RGB image, without prompts: what {@link #segmenter()} takes
         * (add prompts in the input frame with {@link ModelInput}'s prompts for a run trained with them).
         */
        public ModelInput input(org.samtune.data.UInt8Image rgb) {
            SamplePipeline plain = pipeline.withPrompts(TrainConfig.PromptMode.NONE,
                    org.samtune.data.prompt.PromptSampler.Regions.largest(1));
            return plain.prepare(new org.samtune.data.Slice2D("image", rgb.width(), rgb.height(), rgb.toRgb().pixels(),
                    new byte[rgb.width() * rgb.height()]), false, null).input();
        }
    }

    /**
     * @param which "best" or "last"
     * @param baseOverride base checkpoint to use instead of the recorded path (e.g. the run moved machines), or null
     */
    public static Loaded open(NDManager manager, Path runDir, String which, Path baseOverride) {
        return open(manager, runDir, which, baseOverride, 0);
    }

    /**
     * {@link #open(NDManager, Path, String, Path)} at input size {@code imageSize} instead of the run's (0: the
     * run's): base and tuned weights are converted as finetune-SAM's {@code load_from} does.
     */
    public static Loaded open(NDManager manager, Path runDir, String which, Path baseOverride, int imageSize) {
        Path config = runDir.resolve(RunFolder.CONFIG);
        if (!Files.isRegularFile(config)) {
            throw new SamtuneException(runDir + ": not a run folder (no " + RunFolder.CONFIG + ")");
        }
        TrainConfig c = TrainConfig.read(config);
        if (c.architecture().isDense()) { // baselines: the whole network is in the weights file
            return openUNet(manager, c, RunCheckpoints.of(runDir).readWeights(which));
        }
        if (imageSize > 0 && imageSize != c.imageSize()) {
            c = c.toBuilder().imageSize(imageSize).outSize(imageSize / 4).build();
        }
        RunCheckpoints.Tuned tuned = RunCheckpoints.of(runDir).readWeights(which);
        Path base = baseOverride != null ? baseOverride
                : c.checkpoint() == null || c.checkpoint().isBlank() ? null : Path.of(c.checkpoint());
        if (base != null && !Files.isRegularFile(base)) {
            throw new SamtuneException(runDir + ": base checkpoint " + base + " (config field checkpoint) not found; "
                    + "pass its new location with --base");
        }
        SamModels.Built built = FineTuning.buildModel(manager, c, base);
        tuned.checkBase(base, built.checkpointSha256());
        Sam sam = built.sam();
        tuned.loadInto(sam);
        sam.train(false);
        return new Loaded(sam, c, pipeline(c, sam), tuned.file());
    }

    private static Loaded openUNet(NDManager manager, TrainConfig c, RunCheckpoints.Tuned tuned) {
        var net = org.samtune.model.unet.UNets.build(manager, c.arch(), c.imageSize(), c.numClasses(), null,
                c.seed()).net();
        java.util.Set<String> missing = new java.util.TreeSet<>(net.asModule().stateArrays().keySet());
        missing.removeAll(tuned.tensors().keySet());
        if (!missing.isEmpty()) { // every weight trains, so the file holds the whole network
            throw new SamtuneException(tuned.file() + ": does not fit the " + c.arch() + " the run's config "
                    + "describes: missing " + missing.size() + " tensors, e.g. " + missing.iterator().next());
        }
        tuned.loadInto(net.asModule());
        net.asModule().train(false);
        return new Loaded(null, c, SamplePipeline.forRun(c, net.inputSize(), net.inputSize(), false), tuned.file(),
                net);
    }

    /** The run's preprocessing without augmentation. */
    public static SamplePipeline pipeline(TrainConfig c, Sam sam) {
        return SamplePipeline.forRun(c, sam, false);
    }
}
