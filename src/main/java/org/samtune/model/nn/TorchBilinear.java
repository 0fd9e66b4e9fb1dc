package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.functional.interpolate(x, size=(outH, outW), mode='bilinear', align_corners=…,
 * antialias=False)} on float32 data, reproducing PyTorch's CPU arithmetic (torch 1.13 {@code UpSampleKernel.cpp}).
 *
 * <p>Index and weight arithmetic, exactly as ATen does it for a float tensor:
 * <ul>
 *   <li>scale = (float) in / out (align_corners=False) or (float)(in − 1) / (out − 1) (True, 0 when out = 1),
 *       computed from the sizes (SAM always passes sizes, never a scale factor);</li>
 *   <li>source coordinate in double: scale·(dst + 0.5) − 0.5, negative values clamped to 0 (align_corners=True:
 *       scale·dst); i0 = floor, i1 = min(i0 + 1, in − 1); λ1 = (float)(src − i0), λ0 = 1 − λ1 in float;</li>
 *   <li>equal sizes copy (λ0 = 1, λ1 = 0);</li>
 *   <li>each output of the generic NCHW kernel: {@code fma(fma(x00, w0, x01·w1), h0, fma(x10, w0, x11·w1)·h1)},
 *       the fused multiply-adds the x86-64 AVX2 build executes;</li>
 *   <li>tensors that are also "channels-last contiguous" (a contiguous tensor with C = 1, see
 *       {@link #channelsLastContiguous}) go through ATen's channels-last kernel instead:
 *       (float)(Σ (float)(h·w) · x) with the sum in double.</li>
 * </ul>
 * Both reproduce torch 1.13 (CPU, AVX2) bit for bit on the golden data. Other builds (other SIMD levels, libtorch
 * 2.x kernels) may differ in the last float bit.
 *
 * <p>{@link #resize(NDArray, int, int, boolean)} is the differentiable NDArray form, for losses on upsampled
 * logits: out = Wy · X · Wxᵀ with the same interpolation weights as matrices. Mathematically identical; it rounds
 * differently (matrix products, vertical pass first), within ~1e-7 relative.
 */
public final class TorchBilinear {
    private TorchBilinear() {}

    /** One axis of a bilinear resize: for each output index, two source indices and their weights. */
    record Axis(int[] i0, int[] i1, float[] w0, float[] w1) {
        static Axis of(int in, int out, boolean alignCorners) {
            int[] i0 = new int[out];
            int[] i1 = new int[out];
            float[] w0 = new float[out];
            float[] w1 = new float[out];
            float scale = scale(in, out, alignCorners);
            for (int o = 0; o < out; o++) {
                if (in == out) {
                    i0[o] = o;
                    i1[o] = o;
                    w0[o] = 1f;
                    w1[o] = 0f;
                    continue;
                }
                // ATen promotes to double here (dst + 0.5 is a double); the weight is rounded to float once.
                double src = alignCorners ? (double) scale * o : (double) scale * (o + 0.5) - 0.5;
                if (src < 0) {
                    src = 0;
                }
                int lo = Math.min((int) Math.floor(src), in - 1);
                float lambda1 = (float) Math.min(Math.max(src - lo, 0.0), 1.0);
                i0[o] = lo;
                i1[o] = lo < in - 1 ? lo + 1 : lo;
                w1[o] = lambda1;
                w0[o] = 1f - lambda1;
            }
            return new Axis(i0, i1, w0, w1);
        }

        /** The dense (out × in) interpolation matrix of this axis. */
        float[] matrix(int in) {
            int out = i0.length;
            float[] m = new float[out * in];
            for (int o = 0; o < out; o++) {
                m[o * in + i0[o]] += w0[o];
                m[o * in + i1[o]] += w1[o];
            }
            return m;
        }
    }

    static float scale(int in, int out, boolean alignCorners) {
        if (alignCorners) {
            return out > 1 ? (float) (in - 1) / (out - 1) : 0f;
        }
        return (float) in / out;
    }

    /** Resizes one (C, H, W) float image to (C, outH, outW), align_corners=False. */
    public static float[] resize(float[] chw, int channels, int h, int w, int outH, int outW) {
        return resize(chw, 1, channels, h, w, outH, outW, false);
    }

    /**
     * Resizes an (N, C, H, W) float tensor in C order to (N, C, outH, outW), reproducing whichever CPU kernel
     * PyTorch picks for a contiguous tensor of that shape.
     */
    public static float[] resize(float[] x, int n, int c, int h, int w, int outH, int outW, boolean alignCorners) {
        long[] sizes = {n, c, h, w};
        long[] strides = {(long) c * h * w, (long) h * w, w, 1};
        return resize(x, n, c, h, w, outH, outW, alignCorners, channelsLastContiguous(sizes, strides));
    }

    /**
     * ATen's {@code is_contiguous(memory_format=torch.channels_last)} for a 4-D tensor of these sizes and strides,
     * which decides the CPU kernel: the dims C, W, H, N (skipping size-1 dims) must have strides 1, C, C·W, …
     * A contiguous NCHW tensor with C = 1 passes; so does a crop of it along H when N = 1, but not one along W.
     */
    public static boolean channelsLastContiguous(long[] sizes, long[] strides) {
        long expected = 1;
        for (int d : new int[] {1, 3, 2, 0}) {
            if (sizes[d] != 1) {
                if (strides[d] != expected) {
                    return false;
                }
                expected *= sizes[d];
            }
        }
        return true;
    }

    /**
     * Resizes (N, C, H, W) data given in C order, with the kernel chosen explicitly: {@code channelsLastKernel}
     * = {@link #channelsLastContiguous} of the tensor as PyTorch saw it (a strided view may differ from its
     * contiguous copy).
     */
    public static float[] resize(float[] x, int n, int c, int h, int w, int outH, int outW, boolean alignCorners,
            boolean channelsLastKernel) {
        int planes = Math.multiplyExact(n, c);
        checkSizes(x.length, planes, h, w, outH, outW);
        Axis ay = Axis.of(h, outH, alignCorners);
        Axis ax = Axis.of(w, outW, alignCorners);
        float[] out = new float[Math.multiplyExact(planes, Math.multiplyExact(outH, outW))];
        // channels-last kernel: four weight products h·w, summed in double; generic kernel: two fused passes
        boolean channelsLast = channelsLastKernel;
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            int obase = p * outH * outW;
            for (int oy = 0; oy < outH; oy++) {
                int r0 = base + ay.i0[oy] * w;
                int r1 = base + ay.i1[oy] * w;
                float h0 = ay.w0[oy];
                float h1 = ay.w1[oy];
                for (int ox = 0; ox < outW; ox++) {
                    int c0 = ax.i0[ox];
                    int c1 = ax.i1[ox];
                    float w0 = ax.w0[ox];
                    float w1 = ax.w1[ox];
                    float v;
                    if (channelsLast) {
                        v = (float) ((double) (h0 * w0) * x[r0 + c0] + (double) (h0 * w1) * x[r0 + c1]
                                + (double) (h1 * w0) * x[r1 + c0] + (double) (h1 * w1) * x[r1 + c1]);
                    } else {
                        float t0 = Math.fma(x[r0 + c0], w0, x[r0 + c1] * w1);
                        float t1 = Math.fma(x[r1 + c0], w0, x[r1 + c1] * w1);
                        v = Math.fma(t0, h0, t1 * h1);
                    }
                    out[obase + oy * outW + ox] = v;
                }
            }
        }
        return out;
    }

    /**
     * Differentiable bilinear resize of the last two axes of {@code x} (any leading shape, cast to float32), built
     * from matrix products so that DJL's autograd sees it: Wy · X · Wxᵀ. The weight matrices are created in
     * {@code x}'s manager; call it inside an {@code NDScope}. Non-finite inputs spread along rows/columns (0·∞).
     */
    public static NDArray resize(NDArray x, int outH, int outW, boolean alignCorners) {
        Shape s = x.getShape();
        if (s.dimension() < 2) {
            throw new IllegalArgumentException("bilinear resize needs at least 2 axes, got shape " + s);
        }
        int h = Math.toIntExact(s.get(s.dimension() - 2));
        int w = Math.toIntExact(s.get(s.dimension() - 1));
        checkSizes(Math.toIntExact(s.size()), Math.toIntExact(s.size() / Math.max(1L, (long) h * w)), h, w, outH, outW);
        NDManager m = x.getManager();
        NDArray wy = m.create(Axis.of(h, outH, alignCorners).matrix(h), new Shape(outH, h));
        NDArray wxT = m.create(Axis.of(w, outW, alignCorners).matrix(w), new Shape(outW, w)).transpose();
        NDArray xf = x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        return wy.matMul(xf).matMul(wxT);
    }

    public static void checkSizes(int length, int planes, int h, int w, int outH, int outW) {
        if (planes < 0 || h <= 0 || w <= 0 || outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("bilinear resize needs positive sizes, got " + planes + " planes of "
                    + h + "x" + w + " -> " + outH + "x" + outW);
        }
        if ((long) planes * h * w != length) {
            throw new IllegalArgumentException("bilinear resize: " + length + " values are not " + planes
                    + " planes of " + h + "x" + w);
        }
    }
}
