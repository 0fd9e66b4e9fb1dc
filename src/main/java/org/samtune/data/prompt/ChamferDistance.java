package org.samtune.data.prompt;

/**
 * OpenCV's {@code distanceTransform(src, DIST_L2, maskSize=5)}: the two-pass 5×5 chamfer distance of Borgefors with
 * OpenCV's weights a = 1, b = 1.4, c = 2.1969 (orthogonal, diagonal, knight's move), in OpenCV's 16.16 fixed point.
 * Distance of each non-zero pixel to the nearest zero pixel; the area outside the image counts as infinitely far
 * (OpenCV's border value), which is why finetune-SAM pads the mask by one zero pixel first.
 */
public final class ChamferDistance {
    private static final int SHIFT = 16;
    private static final long HV = Math.round(1.0f * (1 << SHIFT));
    private static final long DIAG = Math.round(1.4f * (1 << SHIFT));
    private static final long LONG = Math.round(2.1969f * (1 << SHIFT));
    private static final long MAX = 0xFFFFFFFFL - LONG;
    private static final float SCALE = 1f / (1 << SHIFT);

    private ChamferDistance() {}

    /** Distances for a row-major image where non-zero bytes are foreground. */
    public static float[] l2Mask5(byte[] src, int width, int height) {
        final int border = 2;
        int step = width + 2 * border;
        long[] t = new long[(height + 2 * border) * step];
        java.util.Arrays.fill(t, MAX);
        // forward pass
        for (int y = 0; y < height; y++) {
            int row = (y + border) * step + border;
            for (int x = 0; x < width; x++) {
                int j = row + x;
                if (src[y * width + x] == 0) {
                    t[j] = 0;
                    continue;
                }
                long d = t[j - 2 * step - 1] + LONG;
                d = Math.min(d, t[j - 2 * step + 1] + LONG);
                d = Math.min(d, t[j - step - 2] + LONG);
                d = Math.min(d, t[j - step - 1] + DIAG);
                d = Math.min(d, t[j - step] + HV);
                d = Math.min(d, t[j - step + 1] + DIAG);
                d = Math.min(d, t[j - step + 2] + LONG);
                d = Math.min(d, t[j - 1] + HV);
                t[j] = Math.min(d, MAX);
            }
        }
        // backward pass
        float[] out = new float[width * height];
        for (int y = height - 1; y >= 0; y--) {
            int row = (y + border) * step + border;
            for (int x = width - 1; x >= 0; x--) {
                int j = row + x;
                long d = t[j];
                if (d > HV) {
                    d = Math.min(d, t[j + 2 * step + 1] + LONG);
                    d = Math.min(d, t[j + 2 * step - 1] + LONG);
                    d = Math.min(d, t[j + step + 2] + LONG);
                    d = Math.min(d, t[j + step + 1] + DIAG);
                    d = Math.min(d, t[j + step] + HV);
                    d = Math.min(d, t[j + step - 1] + DIAG);
                    d = Math.min(d, t[j + step - 2] + LONG);
                    d = Math.min(d, t[j + 1] + HV);
                    t[j] = d;
                }
                out[y * width + x] = (float) d * SCALE;
            }
        }
        return out;
    }
}
