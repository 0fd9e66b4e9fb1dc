package org.samtune.data.resize;

import org.samtune.data.UInt8Image;

/**
 * Pillow's {@code Image.resize((w, h), BILINEAR | NEAREST)} on 8-bit images, bit-exact (Pillow 9.4
 * {@code libImaging/Resample.c} and {@code Geometry.c}). This is what torchvision's {@code resize} does to a PIL
 * image, so it is SAM's {@code ResizeLongestSide.apply_image} and finetune-SAM's 1024² dataset resize.
 *
 * <p>BILINEAR is antialiased: a triangle filter whose support is scaled by the downscale factor, computed in
 * double, then quantised to 22-bit fixed point (PRECISION_BITS = 32 − 8 − 2). Horizontal pass first, rounded and
 * clipped to 8 bits, then the vertical pass on that 8-bit intermediate. A pass whose size does not change is
 * skipped; equal sizes copy.
 *
 * <p>NEAREST samples source pixel {@code (int)(x0 + (x + ½)·scale)} with the position accumulated by repeated
 * addition of {@code scale = in/out} as Pillow does ({@code ImagingScaleAffine}).
 */
public final class PilResize {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResize() {}

    /** Pillow's coefficients for one axis: per output, the first source index, the tap count, fixed-point taps. */
    record Coefficients(int[] first, int[] count, int[][] taps) {
        static Coefficients of(int inSize, int outSize) {
            // box = (0, 0, w, h) as floats; in1 − in0 is evaluated in float then widened
            double scale = (double) (float) inSize / outSize;
            double filterscale = Math.max(scale, 1.0);
            double support = 1.0 * filterscale;
            int[] first = new int[outSize];
            int[] count = new int[outSize];
            int[][] taps = new int[outSize][];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterscale;
                int xmin = (int) (center - support + 0.5);
                if (xmin < 0) {
                    xmin = 0;
                }
                int xmax = (int) (center + support + 0.5);
                if (xmax > inSize) {
                    xmax = inSize;
                }
                xmax -= xmin;
                double[] k = new double[Math.max(xmax, 0)];
                double ww = 0.0;
                for (int x = 0; x < xmax; x++) {
                    double w = triangle((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                int[] fixed = new int[k.length];
                for (int x = 0; x < k.length; x++) {
                    double v = ww != 0.0 ? k[x] / ww : k[x];
                    fixed[x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS))
                            : (int) (0.5 + v * (1 << PRECISION_BITS));
                }
                first[xx] = xmin;
                count[xx] = xmax;
                taps[xx] = fixed;
            }
            return new Coefficients(first, count, taps);
        }
    }

    static double triangle(double x) {
        if (x < 0.0) {
            x = -x;
        }
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    /** Pillow's clip8: drop the fixed-point fraction (arithmetic shift) and clamp to 0–255. */
    static int clip8(int accumulator) {
        int v = accumulator >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** {@code Image.resize((outW, outH), Image.BILINEAR)}. */
    public static UInt8Image bilinear(UInt8Image in, int outH, int outW) {
        checkTarget(outH, outW);
        if (outH == in.height() && outW == in.width()) {
            return new UInt8Image(outH, outW, in.channels(), in.pixels().clone());
        }
        int ch = in.channels();
        Coefficients vert = Coefficients.of(in.height(), outH);
        UInt8Image cur = in;
        if (outW != in.width()) {
            // Pillow only resamples the source rows the vertical pass will read.
            int yFirst = vert.first[0];
            int yLast = vert.first[outH - 1] + vert.count[outH - 1];
            Coefficients hor = Coefficients.of(in.width(), outW);
            int rows = outH != in.height() ? yLast - yFirst : in.height();
            int offset = outH != in.height() ? yFirst : 0;
            byte[] src = in.pixels();
            byte[] tmp = new byte[rows * outW * ch];
            int w = in.width();
            for (int y = 0; y < rows; y++) {
                int srow = (y + offset) * w * ch;
                for (int xx = 0; xx < outW; xx++) {
                    int[] k = hor.taps[xx];
                    int xmin = hor.first[xx];
                    for (int c = 0; c < ch; c++) {
                        int ss = 1 << (PRECISION_BITS - 1);
                        for (int x = 0; x < k.length; x++) {
                            ss += (src[srow + (x + xmin) * ch + c] & 0xff) * k[x];
                        }
                        tmp[(y * outW + xx) * ch + c] = (byte) clip8(ss);
                    }
                }
            }
            cur = new UInt8Image(rows, outW, ch, tmp);
            if (outH != in.height()) {
                int[] shifted = vert.first.clone();
                for (int i = 0; i < shifted.length; i++) {
                    shifted[i] -= yFirst;
                }
                vert = new Coefficients(shifted, vert.count, vert.taps);
            }
        }
        if (outH == in.height()) {
            return cur;
        }
        byte[] src = cur.pixels();
        int w = cur.width();
        byte[] out = new byte[outH * w * ch];
        for (int yy = 0; yy < outH; yy++) {
            int[] k = vert.taps[yy];
            int ymin = vert.first[yy];
            for (int xx = 0; xx < w; xx++) {
                for (int c = 0; c < ch; c++) {
                    int ss = 1 << (PRECISION_BITS - 1);
                    for (int y = 0; y < k.length; y++) {
                        ss += (src[((y + ymin) * w + xx) * ch + c] & 0xff) * k[y];
                    }
                    out[(yy * w + xx) * ch + c] = (byte) clip8(ss);
                }
            }
        }
        return new UInt8Image(outH, w, ch, out);
    }

    /** {@code Image.resize((outW, outH), Image.NEAREST)}. */
    public static UInt8Image nearest(UInt8Image in, int outH, int outW) {
        checkTarget(outH, outW);
        int ch = in.channels();
        if (outH == in.height() && outW == in.width()) {
            return new UInt8Image(outH, outW, ch, in.pixels().clone());
        }
        int[] xs = nearestIndices(in.width(), outW);
        int[] ys = nearestIndices(in.height(), outH);
        byte[] src = in.pixels();
        byte[] out = new byte[outH * outW * ch];
        for (int y = 0; y < outH; y++) {
            int yi = ys[y];
            for (int x = 0; x < outW; x++) {
                int xi = xs[x];
                if (yi < 0 || xi < 0) {
                    continue; // Pillow fills positions outside the source with 0
                }
                System.arraycopy(src, (yi * in.width() + xi) * ch, out, (y * outW + x) * ch, ch);
            }
        }
        return new UInt8Image(outH, outW, ch, out);
    }

    /** Source index per output index (−1 outside the source), accumulated like Pillow's ImagingScaleAffine. */
    static int[] nearestIndices(int inSize, int outSize) {
        double a = (double) (float) inSize / outSize;
        double pos = a * 0.5;
        int[] idx = new int[outSize];
        for (int o = 0; o < outSize; o++) {
            int i = pos < 0.0 ? -1 : (int) pos;
            idx[o] = i < inSize ? i : -1;
            pos += a;
        }
        return idx;
    }

    private static void checkTarget(int outH, int outW) {
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("resize target must be positive, got " + outH + "x" + outW);
        }
    }
}
