package org.samtune.inference;

import org.samtune.SamtuneException;
import org.samtune.data.FinetuneSamPreprocessing;
import org.samtune.data.prepare.SliceSegmenter;
import org.samtune.data.UInt8Image;
import org.samtune.model.Sam;

/**
 * Segments 8-bit slices with a SAM checkpoint and no prompt, for {@code samtune predict --checkpoint} on volumes.
 *
 * <ul>
 *   <li>{@link Mode#CLASSES} — finetune-SAM's automatic segmentation (its inference notebooks): PIL RGB →
 *       {@code Resize((img, img))} (bilinear, aspect ratio not kept) → ToTensor → ImageNet normalisation → encoder →
 *       prompt encoder with no prompt → mask decoder with {@code multimask_output=True}, whose
 *       {@code num_classes} channels are class logits → {@link ClassLabels#atOriginalSize} (logits back to the
 *       slice size as SAM's postprocessing, then the argmax). Labels are 0 (background) … num_classes − 1.</li>
 *   <li>{@link Mode#BEST_MASK} — a plain SAM checkpoint has no classes: the official {@link SamPredictor} pipeline
 *       with no prompt and three masks; the mask with the highest predicted IoU, thresholded at logit 0, becomes
 *       label 1. Without a prompt SAM segments "the most salient object" it sees, so this is a demonstration of
 *       the pipeline, not an anatomical segmentation.</li>
 * </ul>
 * Slice values must already be 0–255 (see {@link org.samtune.data.prepare.Grey8}).
 */
public final class SamSliceSegmenter implements SliceSegmenter {
    /** How the decoder's outputs become labels. */
    public enum Mode { CLASSES, BEST_MASK }

    private final Sam model;
    private final Mode mode;
    private final ClassSegmenter classes;

    public SamSliceSegmenter(Sam model, Mode mode) {
        if (mode == Mode.CLASSES && model.config.decoder().numMultimaskOutputs() > 256) {
            throw new SamtuneException("predict: " + model.config.decoder().numMultimaskOutputs()
                    + " decoder classes; label volumes hold at most 256 classes");
        }
        this.model = model;
        this.mode = mode;
        this.classes = new ClassSegmenter(model);
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
        UInt8Image grey = UInt8Image.fromGrey(slice, width, height);
        return mode == Mode.CLASSES ? classes.segment(finetuneSamInput(grey, model.config.imgSize()))
                : bestMask(grey);
    }

    /** finetune-SAM's inference preprocessing: the image stretched to img_size², SAM's normalisation. */
    public static ModelInput finetuneSamInput(UInt8Image image, int imgSize) {
        float[] input = FinetuneSamPreprocessing.image(image, imgSize, FinetuneSamPreprocessing.Normalization.SAM);
        return new ModelInput(input, imgSize, imgSize, imgSize, image.height(), image.width(), Prompts.NONE);
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
