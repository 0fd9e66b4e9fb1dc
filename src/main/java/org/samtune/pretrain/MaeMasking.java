package org.samtune.pretrain;

import java.util.Arrays;
import java.util.Random;

/**
 * MAE's per-sample random masking ({@code models_mae.random_masking}): uniform noise per patch, patches sorted by
 * their noise, the first {@code int(L · (1 − ratio))} kept and the rest masked. The noise comes from a Java
 * generator seeded by (run seed, epoch, position), so a resumed run masks exactly as the uninterrupted one.
 */
public final class MaeMasking {
    /** MAE's default: three quarters of the patches are hidden. */
    public static final double DEFAULT_RATIO = 0.75;

    private MaeMasking() {}

    /** Patches kept of {@code patches} at {@code ratio}: Python's {@code int(L * (1 - ratio))}. */
    public static int keptPatches(int patches, double ratio) {
        if (!(ratio >= 0 && ratio < 1)) {
            throw new IllegalArgumentException("mask ratio must be in [0, 1), got " + ratio);
        }
        return (int) (patches * (1 - ratio));
    }

    /** Uniform [0, 1) noise for {@code n} samples of {@code patches} patches. */
    public static float[] noise(int n, int patches, Random rng) {
        float[] out = new float[n * patches];
        for (int i = 0; i < out.length; i++) {
            out[i] = rng.nextFloat();
        }
        return out;
    }

    /**
     * The mask of each sample, row-major (n, patches): 1 for a masked patch, 0 for a kept one. The patches with the
     * {@code keptPatches} smallest noise values are kept (argsort of the noise, then the inverse permutation).
     */
    public static float[] mask(float[] noise, int n, int patches, double ratio) {
        if (noise.length != n * patches) {
            throw new IllegalArgumentException("noise holds " + noise.length + " values, expected " + n * patches);
        }
        int keep = keptPatches(patches, ratio);
        float[] mask = new float[n * patches];
        Integer[] order = new Integer[patches];
        for (int s = 0; s < n; s++) {
            int base = s * patches;
            for (int i = 0; i < patches; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Float.compare(noise[base + a], noise[base + b]));
            for (int rank = 0; rank < patches; rank++) {
                mask[base + order[rank]] = rank < keep ? 0f : 1f;
            }
        }
        return mask;
    }
}
