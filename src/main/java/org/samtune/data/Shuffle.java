package org.samtune.data;

import java.util.Random;

/**
 * The one Fisher–Yates shuffle of the project (epoch order, dataset mixing, augmentation order): the same
 * {@code rng} calls in the same order, so every seeded draw is reproducible and resumes bit for bit.
 */
public final class Shuffle {
    private Shuffle() {}

    /** A random permutation of 0..n-1, drawn from {@code rng}. */
    public static int[] permutation(int n, Random rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
