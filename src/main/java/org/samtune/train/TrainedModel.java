package org.samtune.train;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.samtune.SamtuneException;
import org.samtune.model.Sam;
import org.samtune.model.SamModels;

/**
 * A fine-tuned model rebuilt from its run folder: the run's config.yaml says the architecture, the classes and
 * the tuning plan; the base checkpoint (checked against the SHA-256 the run recorded) gives the pretrained weights;
 * {@code checkpoints/best.safetensors} (or last) gives the tuned ones.
 */
public final class TrainedModel {
    private TrainedModel() {}

    /** The model in eval mode and the settings it was trained with. */
    public record Loaded(Sam sam, TrainConfig config, SamplePipeline pipeline, Path weights) {
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
                ai.djl.ndarray.NDArray image = sam.manager().create(s.image(),
                        new ai.djl.ndarray.types.Shape(1, 3, pipeline.size(), pipeline.size()));
                ai.djl.ndarray.NDArray low = decode(sam.embedImages(image), java.util.List.of(s));
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

    /** The run's preprocessing without augmentation. */
    public static SamplePipeline pipeline(TrainConfig c, Sam sam) {
        return SamplePipeline.forRun(c, sam, false);
    }
}
