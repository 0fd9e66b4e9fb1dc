package org.samtune.data;

import org.samtune.data.resize.PilResize;

/**
 * finetune-SAM's per-sample preprocessing ({@code utils/dataset.py Public_dataset.__getitem__}, spec §3.4), without
 * the training augmentations:
 * <ol>
 *   <li>image: PIL {@code convert('RGB')}, {@code transforms.Resize((size, size))} on the PIL image (PIL bilinear,
 *       antialiased; aspect ratio NOT kept, no padding), {@code ToTensor} (÷255 in float32), then
 *       {@link Normalization#SAM} (ImageNet mean/std) or {@link Normalization#MEDSAM} (global min–max);</li>
 *   <li>mask: PIL {@code convert('L')}, {@code Resize((size, size), NEAREST)}.</li>
 * </ol>
 * {@code size} is 1024 for every SAM backbone (the image encoder's position embedding is fixed to 64×64 tokens).
 */
public final class FinetuneSamPreprocessing {
    /** torchvision Normalize mean of the 'sam' setting (= SAM's pixel_mean / 255). */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    /** torchvision Normalize std of the 'sam' setting (= SAM's pixel_std / 255). */
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private FinetuneSamPreprocessing() {}

    /** The {@code -normalize_type} choices. */
    public enum Normalization {
        /** (x − ImageNet mean) / ImageNet std per channel, x in [0, 1]; the trainers hard-code this. */
        SAM,
        /** (x − min) / (max − min) over the whole 3-channel image; for MedSAM weights. */
        MEDSAM
    }

    /** The model input (3, size, size) for an 8-bit grey or RGB image. */
    public static float[] image(UInt8Image image, int size, Normalization normalization) {
        // PIL resamples each band alike, so resizing a grey image before replicating it is the same, 3x cheaper
        UInt8Image rgb = PilResize.bilinear(image, size, size).toRgb();
        return normalize(toTensor(rgb), normalization);
    }

    /** The label mask resized to (size, size) with PIL NEAREST; values unchanged. */
    public static UInt8Image mask(UInt8Image mask, int size) {
        if (mask.channels() != 1) {
            throw new IllegalArgumentException("a label mask has one channel, got " + mask.channels());
        }
        return PilResize.nearest(mask, size, size);
    }

    /** torchvision {@code ToTensor} of an 8-bit image: (C, H, W) float32 in [0, 1] (x / 255 in float). */
    public static float[] toTensor(UInt8Image image) {
        float[] chw = image.toChwFloats();
        for (int i = 0; i < chw.length; i++) {
            chw[i] = chw[i] / 255f;
        }
        return chw;
    }

    /**
     * Normalises a (3, H, W) tensor in [0, 1] in place and returns it. MEDSAM on a constant image divides 0 by 0 in
     * PyTorch (NaN everywhere); here it yields zeros instead, since a NaN input would poison the whole batch.
     */
    public static float[] normalize(float[] chw, Normalization normalization) {
        if (chw.length % 3 != 0) {
            throw new IllegalArgumentException("expected a 3-channel image, got " + chw.length + " values");
        }
        switch (normalization) {
            case SAM -> {
                int plane = chw.length / 3;
                for (int c = 0; c < 3; c++) {
                    float mean = IMAGENET_MEAN[c];
                    float std = IMAGENET_STD[c];
                    for (int i = c * plane; i < (c + 1) * plane; i++) {
                        chw[i] = (chw[i] - mean) / std;
                    }
                }
            }
            case MEDSAM -> {
                float min = Float.POSITIVE_INFINITY;
                float max = Float.NEGATIVE_INFINITY;
                for (float v : chw) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                float range = max - min;
                for (int i = 0; i < chw.length; i++) {
                    chw[i] = range > 0f ? (chw[i] - min) / range : 0f;
                }
            }
        }
        return chw;
    }
}
