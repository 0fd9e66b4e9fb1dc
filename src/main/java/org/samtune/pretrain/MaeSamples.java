package org.samtune.pretrain;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
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

    /**
     * Images kept decoded, resized and normalised (before augmentation, which differs every epoch) so that later
     * epochs skip PNG decoding and resizing: at most this share of the heap. Beyond it images are decoded anew.
     */
    static final double CACHE_HEAP_SHARE = 0.25;

    private final int size;
    private final FinetuneSamPreprocessing.Normalization normalization;
    private final boolean augment;
    private final Map<Path, float[]> decoded = new ConcurrentHashMap<>();
    private final long cacheBudgetFloats;
    private final AtomicLong cachedFloats = new AtomicLong();

    public MaeSamples(int size, FinetuneSamPreprocessing.Normalization normalization, boolean augment) {
        this(size, normalization, augment, (long) (Runtime.getRuntime().maxMemory() * CACHE_HEAP_SHARE / Float.BYTES));
    }

    MaeSamples(int size, FinetuneSamPreprocessing.Normalization normalization, boolean augment,
               long cacheBudgetFloats) {
        this.size = size;
        this.normalization = normalization;
        this.augment = augment;
        this.cacheBudgetFloats = cacheBudgetFloats;
    }

    /** (3, size, size) normalised pixels; {@code rng} drives the augmentation. Never the cached array itself. */
    public float[] load(Path image, Random rng) {
        float[] chw = decoded.get(image);
        if (chw == null) {
            chw = decode(image);
            if (cachedFloats.addAndGet(chw.length) <= cacheBudgetFloats) {
                decoded.put(image, chw);
            } else {
                cachedFloats.addAndGet(-chw.length);
            }
        }
        return augment ? augment(chw, rng) : chw.clone();
    }

    /** How many images are held decoded. */
    int cached() {
        return decoded.size();
    }

    private float[] decode(Path image) {
        int[] wh = new int[2];
        byte[] rgb = SliceImages.readRgb(image, wh);
        UInt8Image resized = PilResize.bilinear(new UInt8Image(wh[1], wh[0], 3, rgb), size, size);
        return FinetuneSamPreprocessing.normalize(FinetuneSamPreprocessing.toTensor(resized), normalization);
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
