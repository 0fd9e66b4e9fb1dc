package org.samtune.data.augment;

import java.util.Random;

/**
 * torchvision's {@code RandomResizedCrop(size, scale, ratio, NEAREST)} on a tensor image: the crop box is drawn as
 * in {@code get_params} (area fraction uniform in {@code scale}, aspect ratio log-uniform in {@code ratio}, up to
 * 10 tries that must fit, else the central crop with the ratio clamped), then resized to the output size with
 * PyTorch's {@code nearest} interpolation ({@code src = min(floor(dst · in/out), in − 1)}, in float).
 */
public final class RandomResizedCrop {
    /** The crop box: top row, left column, height, width. */
    public record Box(int top, int left, int height, int width) {}

    private RandomResizedCrop() {}

    /** {@code RandomResizedCrop.get_params} for an image of {@code height × width}. */
    public static Box sample(int height, int width, double scaleMin, double scaleMax, double ratioMin, double ratioMax,
            Random rng) {
        double area = (double) height * width;
        float logRatioMin = (float) Math.log((float) ratioMin);
        float logRatioMax = (float) Math.log((float) ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double targetArea = area * uniform(rng, scaleMin, scaleMax);
            double aspectRatio = (float) Math.exp(uniform(rng, logRatioMin, logRatioMax));
            int w = (int) Math.rint(Math.sqrt(targetArea * aspectRatio));
            int h = (int) Math.rint(Math.sqrt(targetArea / aspectRatio));
            if (0 < w && w <= width && 0 < h && h <= height) {
                int top = rng.nextInt(height - h + 1);
                int left = rng.nextInt(width - w + 1);
                return new Box(top, left, h, w);
            }
        }
        // Fallback: central crop.
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < Math.min(ratioMin, ratioMax)) {
            w = width;
            h = (int) Math.rint(w / Math.min(ratioMin, ratioMax));
        } else if (inRatio > Math.max(ratioMin, ratioMax)) {
            h = height;
            w = (int) Math.rint(h * Math.max(ratioMin, ratioMax));
        } else {
            w = width;
            h = height;
        }
        return new Box((height - h) / 2, (width - w) / 2, h, w);
    }

    /** torch's {@code uniform_} on a float32 tensor, drawn from the given generator. */
    private static float uniform(Random rng, double from, double to) {
        return (float) (from + (to - from) * rng.nextDouble());
    }

    /**
     * For each output index along one axis, the source index inside the crop ({@code interpolate(mode='nearest')}).
     */
    static int[] nearestIndex(int inSize, int outSize) {
        int[] idx = new int[outSize];
        float scale = (float) inSize / outSize;
        for (int o = 0; o < outSize; o++) {
            if (outSize == inSize) {
                idx[o] = o;
            } else if (outSize == 2 * inSize) {
                idx[o] = o >> 1;
            } else {
                idx[o] = Math.min((int) Math.floor(o * scale), inSize - 1);
            }
        }
        return idx;
    }

    /** Crops {@code box} from a (channels, height, width) image and resizes it to (outHeight, outWidth). */
    public static float[] apply(float[] chw, int channels, int height, int width, Box box, int outHeight, int outWidth) {
        int[] rows = nearestIndex(box.height(), outHeight);
        int[] cols = nearestIndex(box.width(), outWidth);
        float[] out = new float[channels * outHeight * outWidth];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < outHeight; y++) {
                int src = (c * height + box.top() + rows[y]) * width + box.left();
                int dst = (c * outHeight + y) * outWidth;
                for (int x = 0; x < outWidth; x++) {
                    out[dst + x] = chw[src + cols[x]];
                }
            }
        }
        return out;
    }

    /** The same crop and resize on a label map (nearest keeps labels exact). */
    public static byte[] apply(byte[] labels, int height, int width, Box box, int outHeight, int outWidth) {
        int[] rows = nearestIndex(box.height(), outHeight);
        int[] cols = nearestIndex(box.width(), outWidth);
        byte[] out = new byte[outHeight * outWidth];
        for (int y = 0; y < outHeight; y++) {
            int src = (box.top() + rows[y]) * width + box.left();
            for (int x = 0; x < outWidth; x++) {
                out[y * outWidth + x] = labels[src + cols[x]];
            }
        }
        return out;
    }
}
