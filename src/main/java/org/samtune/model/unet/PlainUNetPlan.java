package org.samtune.model.unet;

import java.util.Arrays;

/**
 * The shape of nnU-Net's 2-D PlainConvUNet for a square input with square pixels, as its experiment planner
 * ({@code get_pool_and_conv_props} with a minimal bottleneck edge of 4, {@code UNet_base_num_features} 32,
 * {@code UNet_max_features_2d} 512) derives it: halve while the feature map is at least 8 pixels wide; one stage per
 * resolution; features 32·2^i capped at 512; 3×3 kernels; stride 1 on the first stage and 2 on the others; two
 * convolutions per stage in encoder and decoder. A 256² input gives 7 stages (256 → 4) with 32, 64, 128, 256, 512,
 * 512, 512 features.
 *
 * @param inputSize the square input side
 * @param features features of each stage, first = full resolution
 */
public record PlainUNetPlan(int inputSize, int[] features) {
    static final int MIN_FEATURE_MAP = 4;
    static final int BASE_FEATURES = 32;
    static final int MAX_FEATURES_2D = 512;
    static final int CONVS_PER_STAGE = 2;
    static final int KERNEL = 3;

    public PlainUNetPlan {
        features = features.clone();
    }

    /**
     * The plan for an input side. nnU-Net would pad its patch size up to a multiple of 2^(stages−1); samtune's input
     * size is fixed by the run, so a side that is not such a multiple is refused with the nearest ones.
     */
    public static PlainUNetPlan forSize(int inputSize) {
        int pools = poolings(inputSize);
        int divisor = 1 << pools;
        if (pools < 1 || inputSize % divisor != 0) {
            int lower = inputSize / divisor * divisor;
            throw new IllegalArgumentException("unet-plain: nnU-Net's planner gives " + (pools + 1) + " stages for an "
                    + "input of " + inputSize + " pixels, which must then be a multiple of " + divisor + " (try "
                    + (lower >= 8 ? lower + " or " : "") + (lower + divisor) + ")");
        }
        int[] f = new int[pools + 1];
        for (int i = 0; i < f.length; i++) {
            f[i] = Math.min(MAX_FEATURES_2D, BASE_FEATURES << i);
        }
        return new PlainUNetPlan(inputSize, f);
    }

    /** get_pool_and_conv_props for two equal axes with equal spacing: halvings until an edge is below 8. */
    static int poolings(int size) {
        int pools = 0;
        long current = size;
        while (current >= 2 * MIN_FEATURE_MAP) {
            pools++;
            current = (current + 1) / 2; // np.ceil(size / 2)
        }
        return pools;
    }

    public int stages() {
        return features.length;
    }

    @Override
    public int[] features() {
        return features.clone();
    }

    /**
     * nnU-Net's deep-supervision loss weights for the decoder's outputs (highest resolution first): 1/2^i, the
     * lowest-resolution output set to 0, normalised to sum 1. With a single output its weight is 1.
     */
    public double[] deepSupervisionWeights() {
        int n = stages() - 1;
        double[] w = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            w[i] = n > 1 && i == n - 1 ? 0 : 1.0 / (1L << i);
            sum += w[i];
        }
        for (int i = 0; i < n; i++) {
            w[i] /= sum;
        }
        return w;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PlainUNetPlan p && p.inputSize == inputSize && Arrays.equals(p.features, features);
    }

    @Override
    public int hashCode() {
        return 31 * inputSize + Arrays.hashCode(features);
    }

    @Override
    public String toString() {
        return stages() + " stages " + Arrays.toString(features) + " at " + inputSize + "²";
    }
}
