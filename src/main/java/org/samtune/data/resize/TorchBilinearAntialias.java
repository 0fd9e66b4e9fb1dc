package org.samtune.data.resize;

import org.samtune.model.nn.TorchBilinear;

/**
 * {@code F.interpolate(x, size, mode='bilinear', align_corners=False, antialias=True)} on float32 data, as
 * torchvision ≥ 0.17 applies it to tensors by default: a separable triangle filter whose support grows with the
 * downscale factor (PIL's filter, but in float32 without fixed-point rounding).
 *
 * <p>Weights follow ATen's {@code _compute_weights_aa} in float32: scale = in/out; support = scale (≥ 1) or 1;
 * center = (float)(scale·(i + 0.5)); xmin = max((long)(center − support + 0.5), 0); xmax = min((long)(center +
 * support + 0.5), in); w_j = tri(((j + xmin) − center + 0.5)·invscale) normalised by their float sum. The width
 * pass runs first into a float buffer, then the height pass; each output accumulates
 * {@code out = x0·w0; out = fma(x_j, w_j, out)}.
 *
 * <p>The weights are bit-identical to torch 1.13's; the accumulation matches torch bit for bit for up to three taps
 * (upsampling, mild downsampling) but torch's compiled loop rounds some longer sums differently, so outputs differ
 * by at most 1 float ulp (max 4.8e-7 on the golden data with values ~N(0, 3)).
 */
public final class TorchBilinearAntialias {
    private TorchBilinearAntialias() {}

    /** One axis: per output index, the first source index, the tap count and the taps' weights. */
    record Taps(int[] first, int[] count, float[][] weights) {
        static Taps of(int in, int out) {
            float scale = (float) in / out;
            float support = scale >= 1.0f ? (float) (1.0 * scale) : 1.0f;
            float invscale = scale >= 1.0f ? (float) (1.0 / scale) : 1.0f;
            int[] first = new int[out];
            int[] count = new int[out];
            float[][] weights = new float[out][];
            for (int i = 0; i < out; i++) {
                float center = (float) (scale * (i + 0.5));
                int xmin = (int) Math.max((long) ((float) (center - support) + 0.5), 0L);
                int xsize = (int) (Math.min((long) ((float) (center + support) + 0.5), in) - xmin);
                float[] w = new float[Math.max(xsize, 0)];
                float total = 0f;
                for (int j = 0; j < xsize; j++) {
                    // (j + xmin) − center is evaluated in float (int64 − float), then widened for + 0.5.
                    float d = (float) (j + xmin) - center;
                    float arg = (float) ((d + 0.5) * invscale);
                    w[j] = triangle(arg);
                    total += w[j];
                }
                if (total != 0f) {
                    for (int j = 0; j < xsize; j++) {
                        w[j] /= total;
                    }
                }
                first[i] = xmin;
                count[i] = xsize;
                weights[i] = w;
            }
            return new Taps(first, count, weights);
        }
    }

    static float triangle(float x) {
        if (x < 0f) {
            x = -x;
        }
        return x < 1f ? (float) (1.0 - x) : 0f;
    }

    /** Resizes {@code planes} float images of {@code h × w} (C order, N·C planes of an NCHW tensor) to {@code outH × outW}. */
    public static float[] resize(float[] x, int planes, int h, int w, int outH, int outW) {
        TorchBilinear.checkSizes(x.length, planes, h, w, outH, outW);
        Taps tx = Taps.of(w, outW);
        Taps ty = Taps.of(h, outH);
        float[] tmp = new float[planes * h * outW];
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < h; y++) {
                int row = (p * h + y) * w;
                int orow = (p * h + y) * outW;
                for (int o = 0; o < outW; o++) {
                    tmp[orow + o] = dot(x, row + tx.first[o], 1, tx.weights[o]);
                }
            }
        }
        float[] out = new float[planes * outH * outW];
        for (int p = 0; p < planes; p++) {
            for (int o = 0; o < outH; o++) {
                int src = (p * h + ty.first[o]) * outW;
                int orow = (p * outH + o) * outW;
                for (int c = 0; c < outW; c++) {
                    out[orow + c] = dot(tmp, src + c, outW, ty.weights[o]);
                }
            }
        }
        return out;
    }

    private static float dot(float[] a, int start, int stride, float[] w) {
        if (w.length == 0) {
            return 0f;
        }
        float s = a[start] * w[0];
        for (int j = 1; j < w.length; j++) {
            s = Math.fma(a[start + j * stride], w[j], s);
        }
        return s;
    }
}
