package org.samtune.inference;

import ai.djl.ndarray.NDArray;
import org.samtune.data.SamTransforms;

/**
 * The one rule that turns the decoder's class logits into a label map.
 *
 * <ul>
 *   <li><b>At an image's own size</b> ({@link #atOriginalSize}): the low-res logits are first brought back as
 *       segment-anything's {@code postprocess_masks} does — bilinear to img_size², crop of the padding, bilinear
 *       to the original size — and only then the argmax over classes. Resizing logits, not labels, is what SAM
 *       does before its threshold, keeps boundaries smooth at full resolution (a label map resized with nearest
 *       neighbour shows the 4-pixel staircase of the 256² grid on a 1024² image) and, for one foreground
 *       channel against background, draws the same boundary as SAM's thresholded mask.</li>
 *   <li><b>At the decoder's size</b> ({@link #argmax}): the argmax of the low-res logits, compared with the ground
 *       truth brought to that size. This is how finetune-SAM validates and reports (its 256² numbers); samtune
 *       uses it for validation during training and for {@code eval --low-res}.</li>
 * </ul>
 * Ties go to the lowest class index, as {@code torch.argmax}.
 */
public final class ClassLabels {
    private ClassLabels() {}

    /**
     * Labels (origH × origW, row-major) of one image from its low-res logits (classes, low, low).
     *
     * @param inputSize img_size, the model's square input
     * @param validH    rows of the input holding the resized image (the rest was padding)
     * @param validW    columns of the input holding the resized image
     */
    public static int[] atOriginalSize(float[] lowResLogits, int classes, int low, int inputSize, int validH,
                                       int validW, int origH, int origW) {
        if (lowResLogits.length != classes * low * low) {
            throw new IllegalArgumentException(lowResLogits.length + " logits for " + classes + "×" + low + "²");
        }
        float[] up = SamTransforms.postprocessMasks(lowResLogits, 1, classes, low, low, inputSize, validH, validW,
                origH, origW);
        return argmax(up, classes, origH * origW);
    }

    /** The argmax over {@code classes} planes of {@code plane} values each (C, plane), first class on ties. */
    public static int[] argmax(float[] logits, int classes, int plane) {
        if (logits.length != classes * plane) {
            throw new IllegalArgumentException(logits.length + " logits for " + classes + " planes of " + plane);
        }
        int[] out = new int[plane];
        for (int p = 0; p < plane; p++) {
            int best = 0;
            float bestValue = logits[p];
            for (int k = 1; k < classes; k++) {
                float v = logits[k * plane + p];
                if (v > bestValue) {
                    best = k;
                    bestValue = v;
                }
            }
            out[p] = best;
        }
        return out;
    }

    /** The argmax over dimension 1 of (B, classes, h, w) logits: B·h·w labels, image by image. */
    public static int[] argmax(NDArray logits) {
        long[] v = logits.argMax(1).toLongArray();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (int) v[i];
        }
        return out;
    }
}
