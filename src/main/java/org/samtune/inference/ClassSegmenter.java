package org.samtune.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.function.Function;
import org.samtune.data.prepare.SliceSegmenter;
import org.samtune.data.UInt8Image;
import org.samtune.model.Sam;
import org.samtune.model.unet.DenseSegmenter;

/**
 * A model whose decoder channels are classes (finetune-SAM's multimask output; a fine-tuned run or a finetune-SAM
 * checkpoint) applied to one prepared image: encoder → {@link PromptDecoder} → {@link ClassLabels}. Used by
 * {@code eval --run}, {@code predict} (2-D and volumes) and, batched, by validation during training.
 */
public final class ClassSegmenter {
    private final Sam sam;
    // baselines: a U-Net (no prompts; logits already at the input size) instead of a SAM
    private final DenseSegmenter dense;

    public ClassSegmenter(Sam sam) {
        this.sam = sam;
        this.dense = null;
    }

    /** A U-Net baseline: its logits are at the input size, so the "low-res" size is the input size. */
    public ClassSegmenter(DenseSegmenter dense) {
        this.sam = null;
        this.dense = dense;
    }

    /** The number of classes (decoder channels, background included). */
    public int classes() {
        return dense != null ? dense.numClasses() : sam.config.decoder().numMultimaskOutputs();
    }

    /** The decoder's output size (4 × the embedding grid: 256 for SAM). */
    public int lowResSize() {
        return dense != null ? dense.inputSize() : 4 * sam.config.prompt().imageEmbeddingSize();
    }

    /** The decoder's logits (classes, low, low) for one image. */
    public float[] lowResLogits(ModelInput in) {
        try (NDScope scope = new NDScope()) {
            if (dense != null) { // a U-Net takes no prompts
                NDArray x = dense.asModule().manager().create(in.image(), new Shape(1, 3, in.size(), in.size()));
                return dense.forward(x).toFloatArray();
            }
            NDArray x = sam.manager().create(in.image(), new Shape(1, 3, in.size(), in.size()));
            return PromptDecoder.lowResLogits(sam, sam.manager(), sam.embedImages(x), List.of(in.prompts()))
                    .toFloatArray();
        }
    }

    /** Logits (classes, origH, origW) at the image's own size, as SAM's {@code postprocess_masks}. */
    public float[] logits(ModelInput in) {
        return org.samtune.data.SamTransforms.postprocessMasks(lowResLogits(in), 1, classes(), lowResSize(),
                lowResSize(), in.size(), in.validHeight(), in.validWidth(), in.originalHeight(),
                in.originalWidth());
    }

    /** Class labels at the image's own size (row-major, 0 = background): {@link ClassLabels#atOriginalSize}. */
    public int[] segment(ModelInput in) {
        return ClassLabels.atOriginalSize(lowResLogits(in), classes(), lowResSize(), in.size(), in.validHeight(),
                in.validWidth(), in.originalHeight(), in.originalWidth());
    }

    /** Class labels at the decoder's size (low², row-major), finetune-SAM's scoring size. */
    public int[] segmentLowRes(ModelInput in) {
        int low = lowResSize();
        return ClassLabels.argmax(lowResLogits(in), classes(), low * low);
    }

    /**
     * Volume slices (8-bit grey values, see {@link org.samtune.data.prepare.Grey8}) through {@code preprocessing} (grey
     * image → model input without prompts) and this model.
     */
    public SliceSegmenter forSlices(Function<UInt8Image, ModelInput> preprocessing) {
        return (slice, width, height) -> segment(preprocessing.apply(UInt8Image.fromGrey(slice, width, height)));
    }
}
