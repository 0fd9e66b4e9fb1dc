package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.samtune.data.FinetuneSamPreprocessing;
import org.samtune.data.PilResize;
import org.samtune.data.SliceSegmenter;
import org.samtune.data.UInt8Image;

/**
 * Segments 8-bit slices with a SAM model and no prompt, for {@code samtune predict} on volumes.
 *
 * <ul>
 *   <li>{@link Mode#CLASSES} — finetune-SAM's automatic segmentation (its inference notebooks): PIL RGB →
 *       {@code Resize((img, img))} (bilinear, aspect ratio not kept) → ToTensor → ImageNet normalisation → encoder →
 *       prompt encoder with no prompt → mask decoder with {@code multimask_output=True}, whose
 *       {@code num_classes} channels are class logits → argmax at the low resolution (256² for SAM; the first class
 *       wins ties, as torch) → PIL NEAREST back to the slice size. Labels are 0 (background) … num_classes − 1.</li>
 *   <li>{@link Mode#BEST_MASK} — a plain SAM checkpoint has no classes: the official {@link SamPredictor} pipeline
 *       with no prompt and three masks; the mask with the highest predicted IoU, thresholded at logit 0, becomes
 *       label 1. Without a prompt SAM segments "the most salient object" it sees, so this is a demonstration of
 *       the pipeline, not an anatomical segmentation.</li>
 * </ul>
 * Slice values must already be 0–255 (see {@link org.samtune.data.Grey8}).
 */
public final class SamSliceSegmenter implements SliceSegmenter {
    /** How the decoder's outputs become labels. */
    public enum Mode { CLASSES, BEST_MASK }

    private final Sam model;
    private final Mode mode;

    public SamSliceSegmenter(Sam model, Mode mode) {
        if (mode == Mode.CLASSES && model.config.decoder().numMultimaskOutputs() > 256) {
            throw new org.samtune.SamtuneException("predict: " + model.config.decoder().numMultimaskOutputs()
                    + " decoder classes; label volumes hold at most 256 classes");
        }
        this.model = model;
        this.mode = mode;
    }

    /** CLASSES when the decoder has other than SAM's 3 multimask outputs (a finetune-SAM model), else BEST_MASK. */
    public static Mode defaultMode(Sam model) {
        return model.config.decoder().numMultimaskOutputs() == 3 ? Mode.BEST_MASK : Mode.CLASSES;
    }

    /** The largest label this segmenter writes. */
    public int maxLabel() {
        return mode == Mode.CLASSES ? model.config.decoder().numMultimaskOutputs() - 1 : 1;
    }

    @Override
    public int[] segment(float[] slice, int width, int height) {
        byte[] grey = new byte[width * height];
        for (int i = 0; i < grey.length; i++) {
            grey[i] = (byte) Math.max(0, Math.min(255, Math.round(slice[i])));
        }
        UInt8Image image = new UInt8Image(height, width, 1, grey);
        return mode == Mode.CLASSES ? classes(image) : bestMask(image);
    }

    private int[] classes(UInt8Image grey) {
        int img = model.config.imgSize();
        float[] input = FinetuneSamPreprocessing.image(grey, img, FinetuneSamPreprocessing.Normalization.SAM);
        int classes = model.config.decoder().numMultimaskOutputs();
        float[] logits;
        int low;
        NDManager m = model.manager();
        try (NDScope scope = new NDScope()) {
            NDArray x = m.create(input, new Shape(1, 3, img, img));
            NDArray emb = model.embedImages(x);
            Sam.Prediction p = model.predict(emb, null, null, null, null, true);
            low = Math.toIntExact(p.lowResLogits().getShape().get(3));
            logits = p.lowResLogits().toFloatArray();
        }
        int plane = low * low;
        byte[] labels = new byte[plane];
        for (int i = 0; i < plane; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[c * plane + i] > logits[best * plane + i]) {
                    best = c;
                }
            }
            labels[i] = (byte) best;
        }
        UInt8Image back = PilResize.nearest(new UInt8Image(low, low, 1, labels), grey.height(), grey.width());
        int[] out = new int[back.pixels().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = back.pixels()[i] & 0xff;
        }
        return out;
    }

    private int[] bestMask(UInt8Image grey) {
        try (SamPredictor predictor = new SamPredictor(model)) {
            predictor.setImage(grey.toRgb());
            SamPredictor.Prediction p = predictor.predict(null, null, null, null, true);
            byte[] mask = p.binary(p.best());
            int[] out = new int[mask.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = mask[i];
            }
            return out;
        }
    }
}
