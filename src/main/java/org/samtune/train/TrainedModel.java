package org.samtune.train;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.Safetensors;
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

        /** Logits (B, classes, lowRes, lowRes) of a prepared image batch and its samples (prompts). */
        public ai.djl.ndarray.NDArray lowResLogits(ai.djl.ndarray.NDArray images,
                                                   java.util.List<SamplePipeline.Sample> samples) {
            return dense != null ? dense.forward(images) : decode(sam.embedImages(images), samples);
        }

        /**
         * Class labels of one slice at its original size: the run's preprocessing, the model, the decoder's
         * low-res logits upsampled, cropped and resized back as SAM's postprocessing, then the argmax.
         */
        public int[] segment(org.samtune.data.Slice2D slice) {
            return segment(pipeline.prepare(slice, false, null), slice.height(), slice.width());
        }

        /** As {@link #segment(org.samtune.data.Slice2D)} for an already prepared sample. */
        public int[] segment(SamplePipeline.Sample s, int height, int width) {
            float[] logits;
            int classes;
            try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
                ai.djl.ndarray.NDArray image = manager().create(s.image(),
                        new ai.djl.ndarray.types.Shape(1, 3, pipeline.size(), pipeline.size()));
                ai.djl.ndarray.NDArray low = lowResLogits(image, java.util.List.of(s));
                classes = (int) low.getShape().get(1);
                logits = low.toFloatArray();
            }
            float[] up = org.samtune.data.SamTransforms.postprocessMasks(logits, 1, classes, pipeline.lowResSize(),
                    pipeline.lowResSize(), pipeline.size(), s.validHeight(), s.validWidth(), height, width);
            int n = height * width;
            int[] out = new int[n];
            for (int p = 0; p < n; p++) {
                int best = 0;
                for (int k = 1; k < classes; k++) {
                    if (up[k * n + p] > up[best * n + p]) {
                        best = k;
                    }
                }
                out[p] = best;
            }
            return out;
        }

        /** Low-res logits (B, classes, h, w) for prepared samples, with the run's prompt mode. */
        public ai.djl.ndarray.NDArray decode(ai.djl.ndarray.NDArray embeddings, java.util.List<SamplePipeline.Sample> samples) {
            return Trainer.decode(sam, pipeline.prompts(), sam.manager(), embeddings, samples);
        }
    }

    /**
     * @param which "best" or "last"
     * @param baseOverride base checkpoint to use instead of the recorded path (e.g. the run moved machines), or null
     */
    public static Loaded open(NDManager manager, Path runDir, String which, Path baseOverride) {
        Path config = runDir.resolve(RunFolder.CONFIG);
        if (!Files.isRegularFile(config)) {
            throw new SamtuneException(runDir + ": not a run folder (no " + RunFolder.CONFIG + ")");
        }
        TrainConfig c = TrainConfig.read(config);
        Path weights = runDir.resolve(FineTuning.CHECKPOINTS).resolve(which + ".safetensors");
        if (!Files.isRegularFile(weights)) {
            throw new SamtuneException(runDir + ": no " + FineTuning.CHECKPOINTS + "/" + which
                    + ".safetensors (expected best or last; has the run validated yet?)");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        var tuned = Safetensors.readWithMetadata(weights, meta);
        if (org.samtune.model.unet.UNets.isUNet(c.arch())) { // baselines: the whole network is in the weights file
            return openUNet(manager, c, weights, tuned);
        }
        Path base = baseOverride != null ? baseOverride
                : c.checkpoint() == null || c.checkpoint().isBlank() ? null : Path.of(c.checkpoint());
        if (base != null && !Files.isRegularFile(base)) {
            throw new SamtuneException(runDir + ": base checkpoint " + base + " (config field checkpoint) not found; "
                    + "pass its new location with --base");
        }
        SamModels.Built built = FineTuning.buildModel(manager, c, base);
        String recorded = meta.getOrDefault("base_sha256", "");
        if (base != null && !recorded.isEmpty() && !recorded.equals(built.checkpointSha256())) {
            throw new SamtuneException(base + ": SHA-256 " + built.checkpointSha256() + " differs from the "
                    + recorded + " this run was trained from (" + meta.get("base_checkpoint") + ")");
        }
        Sam sam = built.sam();
        var report = sam.loadStateDict(new org.samtune.checkpoint.StateDict(tuned, weights.toString()), false);
        if (!report.unexpected().isEmpty() || !report.mismatched().isEmpty()) {
            throw new SamtuneException(weights + ": does not fit the model the run's config describes: "
                    + report.describe(5));
        }
        sam.train(false);
        return new Loaded(sam, c, pipeline(c, sam), weights);
    }

    private static Loaded openUNet(NDManager manager, TrainConfig c, Path weights,
                                   Map<String, org.samtune.checkpoint.TensorData> tensors) {
        var net = org.samtune.model.unet.UNets.build(manager, c.arch(), c.imageSize(), c.numClasses(), null,
                c.seed()).net();
        var report = net.asModule().loadStateDict(new org.samtune.checkpoint.StateDict(tensors, weights.toString()),
                false);
        if (!report.isClean()) {
            throw new SamtuneException(weights + ": does not fit the " + c.arch() + " the run's config describes: "
                    + report.describe(5));
        }
        net.asModule().train(false);
        return new Loaded(null, c, SamplePipeline.forRun(c, net.inputSize(), net.inputSize(), false), weights, net);
    }

    /** The run's preprocessing without augmentation. */
    public static SamplePipeline pipeline(TrainConfig c, Sam sam) {
        return SamplePipeline.forRun(c, sam, false);
    }
}
