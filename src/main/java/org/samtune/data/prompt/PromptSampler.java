package org.samtune.data.prompt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.samtune.SamtuneException;

/**
 * finetune-SAM's training prompts (spec §3.6, {@code utils/funcs.py}) from a binary target mask: positive points
 * deep inside the largest components ({@code get_first_prompt}) or jittered boxes around them
 * ({@code get_top_boxes}). In both cases the ground truth becomes the union of the chosen components only.
 * Coordinates are (x, y) pixels of the mask's frame. All randomness comes from the {@link Random} passed in.
 */
public final class PromptSampler {
    /** finetune-SAM's constants: 5 points over the components, padded to 8; top 10% interior; 10% box jitter. */
    public static final int PROMPT_POINTS = 5;
    public static final int MAX_POINTS = 8;
    public static final double DIST_THRESHOLD_RATIO = 0.1;
    public static final double BOX_JITTER = 0.1;

    /** Which components get prompts: one at random, or the k largest ({@code largest_k}, k = 1..9). */
    public record Regions(boolean random, int k) {
        public static Regions largest(int k) {
            if (k < 1 || k > 9) {
                throw new SamtuneException("prompt regions: largest_k needs k in 1..9, got " + k);
            }
            return new Regions(false, k);
        }

        public static Regions randomOne() {
            return new Regions(true, 1);
        }

        /** {@code random} or {@code largest_3} (the reference's spelling; the dataset uses largest_3). */
        public static Regions parse(String text) {
            if (text.equals("random")) {
                return randomOne();
            }
            if (text.startsWith("largest_") && text.length() == 9 && Character.isDigit(text.charAt(8))) {
                return largest(text.charAt(8) - '0');
            }
            throw new SamtuneException("prompt regions: expected 'random' or 'largest_K' (K = 1..9), got '" + text + "'");
        }
    }

    /** {@code coords} is (8, 2) row-major (x, y); {@code labels} (8,) with 1 = foreground, −1 = none. */
    public record Points(float[] coords, float[] labels, byte[] mask) {}

    /** {@code boxes} is (k, 4) row-major (x0, y0, x1, y1). */
    public record Boxes(float[] boxes, int count, byte[] mask) {}

    private PromptSampler() {}

    /** {@code get_first_prompt(mask, 0.1, prompt_num=5, max_prompt_num=8, region_type)}. */
    public static Points points(byte[] mask, int width, int height, Regions regions, Random rng) {
        ConnectedComponents cc = ConnectedComponents.label(mask, width, height);
        float[] coords = new float[MAX_POINTS * 2];
        float[] labels = new float[MAX_POINTS];
        if (cc.count() == 0) {
            Arrays.fill(labels, -1f); // (0, 0, -1) × 8
            return new Points(coords, labels, new byte[mask.length]);
        }
        List<Integer> order = cc.byAreaDescending();
        List<Integer> chosen;
        int[] perRegion;
        if (regions.random()) {
            chosen = List.of(order.get(rng.nextInt(order.size())));
            perRegion = new int[] {1};
        } else {
            int valid = Math.min(regions.k(), order.size());
            perRegion = valid < PROMPT_POINTS ? randomSumTo(PROMPT_POINTS, valid, rng) : ones(PROMPT_POINTS);
            chosen = order.subList(0, Math.min(valid, PROMPT_POINTS));
        }
        byte[] union = new byte[mask.length];
        int n = 0;
        int lastX = 0;
        int lastY = 0;
        for (int r = 0; r < chosen.size(); r++) {
            byte[] component = cc.mask(chosen.get(r));
            or(union, component);
            int[] candidates = interiorPixels(component, width, height);
            for (int p = 0; p < perRegion[r]; p++) {
                int idx = candidates[rng.nextInt(candidates.length)];
                lastX = idx % width;
                lastY = idx / width;
                coords[2 * n] = lastX;
                coords[2 * n + 1] = lastY;
                labels[n] = 1;
                n++;
            }
        }
        for (; n < MAX_POINTS; n++) { // repeat the last point
            coords[2 * n] = lastX;
            coords[2 * n + 1] = lastY;
            labels[n] = 1;
        }
        return new Points(coords, labels, union);
    }

    /** {@code get_top_boxes(mask, 0.1, region_type)}: one jittered box per chosen component, padded to k. */
    public static Boxes boxes(byte[] mask, int width, int height, Regions regions, Random rng) {
        ConnectedComponents cc = ConnectedComponents.label(mask, width, height);
        int k = regions.random() ? 1 : regions.k();
        float[] boxes = new float[k * 4];
        if (cc.count() == 0) {
            return new Boxes(boxes, k, new byte[mask.length]); // k × [0, 0, 0, 0]
        }
        List<Integer> order = cc.byAreaDescending();
        List<Integer> chosen = regions.random()
                ? List.of(order.get(rng.nextInt(order.size())))
                : order.subList(0, Math.min(k, order.size()));
        byte[] union = new byte[mask.length];
        float[] box = null;
        for (int r = 0; r < chosen.size(); r++) {
            byte[] component = cc.mask(chosen.get(r));
            or(union, component);
            box = jitteredBox(component, width, height, rng);
            System.arraycopy(box, 0, boxes, 4 * r, 4);
        }
        for (int r = chosen.size(); r < k; r++) { // repeat the last box
            System.arraycopy(box, 0, boxes, 4 * r, 4);
        }
        return new Boxes(boxes, k, union);
    }

    /**
     * {@code MaskToBoxSimple}: tight box, each side pushed out by U(0,1)·0.1·(max − min) along its axis, clipped to
     * [0, W] and [0, H] (the reference clips to W and H, not W − 1). Draw order x0, x1, y0, y1.
     */
    static float[] jitteredBox(byte[] component, int width, int height, Random rng) {
        int x0 = width, y0 = height, x1 = -1, y1 = -1;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (component[y * width + x] != 0) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        double yThre = (y1 - y0) * BOX_JITTER;
        double xThre = (x1 - x0) * BOX_JITTER;
        double bx0 = Math.max(0, x0 - xThre * rng.nextDouble());
        double bx1 = Math.min(width, x1 + xThre * rng.nextDouble());
        double by0 = Math.max(0, y0 - yThre * rng.nextDouble());
        double by1 = Math.min(height, y1 + yThre * rng.nextDouble());
        return new float[] {(float) bx0, (float) by0, (float) bx1, (float) by1};
    }

    /**
     * Pixels of a component in its most interior 10%: distance transform of the component padded by one zero pixel,
     * threshold {@code max(sorted_desc[int(0.1 · #(d > 0))], 1)}, pixels with d ≥ threshold in raster order.
     */
    static int[] interiorPixels(byte[] component, int width, int height) {
        float[] dist = paddedDistance(component, width, height);
        float[] sorted = dist.clone();
        Arrays.sort(sorted);
        int positive = 0;
        for (float d : dist) {
            if (d > 0) {
                positive++;
            }
        }
        int idx = (int) (DIST_THRESHOLD_RATIO * positive);
        float threshold = Math.max(sorted[sorted.length - 1 - idx], 1f);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < dist.length; i++) {
            if (dist[i] >= threshold) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The distance transform of a mask padded by one zero pixel on each side, cropped back to the mask. */
    static float[] paddedDistance(byte[] component, int width, int height) {
        int pw = width + 2;
        int ph = height + 2;
        byte[] padded = new byte[pw * ph];
        for (int y = 0; y < height; y++) {
            System.arraycopy(component, y * width, padded, (y + 1) * pw + 1, width);
        }
        float[] d = ChamferDistance.l2Mask5(padded, pw, ph);
        float[] out = new float[width * height];
        for (int y = 0; y < height; y++) {
            System.arraycopy(d, (y + 1) * pw + 1, out, y * width, width);
        }
        return out;
    }

    /** {@code random_sum_to(n, terms)}: distinct sorted cut points from 1..n−1, the gaps as parts. */
    static int[] randomSumTo(int n, int terms, Random rng) {
        List<Integer> pool = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            pool.add(i);
        }
        int[] cuts = new int[terms + 1];
        for (int i = 0; i < terms - 1; i++) {
            cuts[i] = pool.remove(rng.nextInt(pool.size()));
        }
        cuts[terms - 1] = 0;
        cuts[terms] = n;
        Arrays.sort(cuts);
        int[] parts = new int[terms];
        for (int i = 0; i < terms; i++) {
            parts[i] = cuts[i + 1] - cuts[i];
        }
        return parts;
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        Arrays.fill(a, 1);
        return a;
    }

    private static void or(byte[] acc, byte[] m) {
        for (int i = 0; i < acc.length; i++) {
            acc[i] |= m[i];
        }
    }
}
