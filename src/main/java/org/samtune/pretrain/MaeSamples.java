package org.samtune.pretrain;

import java.nio.file.Path;
import java.util.Random;
import org.samtune.data.FinetuneSamPreprocessing;
import org.samtune.data.resize.PilResize;
import org.samtune.data.augment.RandomResizedCrop;
import org.samtune.data.SliceImages;
import org.samtune.model.nn.TorchBilinear;
import org.samtune.data.UInt8Image;

/**
 * An unlabelled image as the encoder sees it during pretraining: stretched to the model's square input (as
 * {@code train}'s default resize), normalised as the later fine-tuning will be (SAM's mean/std or MedSAM's [0, 1]),
 * then MAE's augmentation: {@code RandomResizedCrop(scale=(0.2, 1.0))} and a horizontal flip with probability ½.
 * MAE resizes the crop bicubically; here bilinearly (PyTorch's kernel, {@link TorchBilinear}).
 */
public final class MaeSamples {
    public static final double CROP_SCALE_MIN = 0.2;
    public static final double CROP_SCALE_MAX = 1.0;

    private final int size;
    private final FinetuneSamPreprocessing.Normalization normalization;
    private final boolean augment;

    public MaeSamples(int size, FinetuneSamPreprocessing.Normalization normalization, boolean augment) {
        this.size = size;
        this.normalization = normalization;
        this.augment = augment;
    }

    /** (3, size, size) normalised pixels; {@code rng} drives the augmentation. */
    public float[] load(Path image, Random rng) {
        int[] wh = new int[2];
        byte[] rgb = SliceImages.readRgb(image, wh);
        UInt8Image resized = PilResize.bilinear(new UInt8Image(wh[1], wh[0], 3, rgb), size, size);
        float[] chw = FinetuneSamPreprocessing.normalize(FinetuneSamPreprocessing.toTensor(resized), normalization);
        return augment ? augment(chw, rng) : chw;
    }

    float[] augment(float[] chw, Random rng) {
        RandomResizedCrop.Box box = RandomResizedCrop.sample(size, size, CROP_SCALE_MIN, CROP_SCALE_MAX, 3.0 / 4.0,
                4.0 / 3.0, rng);
        float[] crop = new float[3 * box.height() * box.width()];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < box.height(); y++) {
                System.arraycopy(chw, (c * size + box.top() + y) * size + box.left(), crop,
                        (c * box.height() + y) * box.width(), box.width());
            }
        }
        float[] out = TorchBilinear.resize(crop, 3, box.height(), box.width(), size, size);
        if (rng.nextBoolean()) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < size; y++) {
                    int row = (c * size + y) * size;
                    for (int x = 0; x < size / 2; x++) {
                        float t = out[row + x];
                        out[row + x] = out[row + size - 1 - x];
                        out[row + size - 1 - x] = t;
                    }
                }
            }
        }
        return out;
    }
}
