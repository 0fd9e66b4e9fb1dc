package org.samtune.data.augment;

import java.util.Random;

/**
 * torchvision's {@code RandomRotation(degrees, NEAREST, expand=False, fill=0)} on a tensor image: the angle is
 * uniform in [−degrees, degrees], the rotation is about the image centre (counter-clockwise for positive angles,
 * as displayed), and sampling follows {@code affine_grid} + {@code grid_sample(nearest, align_corners=False)} in
 * float32; pixels from outside the image are 0.
 */
public final class RandomRotation {
    private RandomRotation() {}

    public static double sampleAngle(double degrees, Random rng) {
        return (float) (-degrees + 2 * degrees * rng.nextDouble());
    }

    /**
     * For each output pixel, the flat source index {@code y·width + x}, or −1 when it falls outside (fill).
     * Shared by the image and the mask so they move together.
     */
    public static int[] sourceIndex(int height, int width, double angleDegrees) {
        // _get_inverse_affine_matrix(center=[0,0], angle=-angle, translate=0, scale=1, shear=0)
        double rot = Math.toRadians(-angleDegrees);
        float m0 = (float) Math.cos(rot);
        float m1 = (float) Math.sin(rot);
        float m3 = (float) -Math.sin(rot);
        float m4 = (float) Math.cos(rot);
        float halfW = 0.5f * width;
        float halfH = 0.5f * height;
        // theta^T / [0.5 w, 0.5 h]
        float ax = m0 / halfW;
        float bx = m1 / halfW;
        float ay = m3 / halfH;
        float by = m4 / halfH;
        int[] idx = new int[height * width];
        for (int y = 0; y < height; y++) {
            float baseY = -height * 0.5f + 0.5f + y;
            for (int x = 0; x < width; x++) {
                float baseX = -width * 0.5f + 0.5f + x;
                float gx = baseX * ax + baseY * bx;
                float gy = baseX * ay + baseY * by;
                // grid_sample, align_corners=False: ((g + 1) · size − 1) / 2, nearest = round half to even
                float ix = ((gx + 1f) * width - 1f) / 2f;
                float iy = ((gy + 1f) * height - 1f) / 2f;
                int sx = (int) Math.rint(ix);
                int sy = (int) Math.rint(iy);
                idx[y * width + x] = (sx >= 0 && sx < width && sy >= 0 && sy < height) ? sy * width + sx : -1;
            }
        }
        return idx;
    }

    public static float[] apply(float[] chw, int channels, int height, int width, int[] sourceIndex) {
        int plane = height * width;
        float[] out = new float[chw.length];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < plane; i++) {
                int s = sourceIndex[i];
                out[c * plane + i] = s < 0 ? 0f : chw[c * plane + s];
            }
        }
        return out;
    }

    public static byte[] apply(byte[] labels, int[] sourceIndex) {
        byte[] out = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            int s = sourceIndex[i];
            out[i] = s < 0 ? 0 : labels[s];
        }
        return out;
    }
}
