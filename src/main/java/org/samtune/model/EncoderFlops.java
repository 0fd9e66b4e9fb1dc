package org.samtune.model;

/**
 * Floating-point operations of one image-encoder forward pass (batch 1), computed from the configuration.
 *
 * <p>Counted: every multiply-add of a matmul, Linear, convolution, attention product and relative-position einsum,
 * as 2 FLOPs. Not counted: biases, LayerNorm/BatchNorm, GELU, softmax, residual and rel-pos additions, padding and
 * window copies (element-wise work, a few % of the total). Work on padding tokens is counted when the model does
 * it (SAM's windowed blocks run qkv and proj on the zero-padded windows: 64 → 70 tokens per side at 1024).
 *
 * <p>ViT (image_encoder.py), with T = (img/patch)² tokens, D = embed dim, M = MLP dim, w = window, Tp = padded
 * tokens of a windowed block (⌈G/w⌉²·w²), n = tokens one query attends to (w² or T):
 * <pre>
 *   patch_embed       2·T·D·3·P²
 *   per block         qkv 2·Tx·D·3D + proj 2·Tx·D·D   (Tx = Tp windowed, T global)
 *                     q·kᵀ and attn·v  2·2·Tx·n·D
 *                     rel-pos (decomposed) 2·Tx·(h_k + w_k)·D   (h_k = w_k = √n)
 *                     MLP 2·T·D·M·2
 *   neck              2·T·D·C + 2·T·C·C·9   (C = out_chans)
 * </pre>
 * TinyViT (MobileSAM): Conv2d_BN convolutions as 2·H_out·W_out·C_out·(C_in/groups)·k², MBConv (1×1, depthwise 3×3,
 * 1×1), PatchMerging (1×1 at the input grid, depthwise 3×3 with its stride, 1×1), blocks with qkv/proj on the
 * padded windows, q·kᵀ and attn·v over each window (or the whole grid when it equals the window), local depthwise
 * conv and MLP, then the neck (1×1 to 256, 3×3).
 */
public final class EncoderFlops {
    private EncoderFlops() {}

    public static double vit(SamConfig.ViT c) {
        double g = c.gridSize();
        double t = g * g;
        double d = c.embedDim();
        double flops = 2 * t * d * c.inChans() * c.patchSize() * c.patchSize();
        for (int i = 0; i < c.depth(); i++) {
            boolean global = c.isGlobal(i) || c.windowSize() == 0;
            double w = global ? g : c.windowSize();
            double side = global ? g : Math.ceil(g / w) * w;
            double tx = side * side;
            double n = w * w;
            flops += 2 * tx * d * 3 * d + 2 * tx * d * d;
            flops += 2 * 2 * tx * n * d;
            if (c.useRelPos()) {
                flops += 2 * tx * (2 * w) * d;
            }
            flops += 2 * 2 * t * d * c.mlpDim();
        }
        flops += 2 * t * d * c.outChans() + 2 * t * c.outChans() * c.outChans() * 9.0;
        return flops;
    }

    public static double tinyViT(TinyViTConfig c) {
        var dims = c.embedDims();
        int img = c.imgSize();
        double flops = conv(img / 2, c.inChans(), dims.get(0) / 2, 3, 1) + conv(img / 4, dims.get(0) / 2, dims.get(0), 3, 1);
        for (int i = 0; i < 4; i++) {
            int res = c.stageResolution(i);
            int dim = dims.get(i);
            for (int b = 0; b < c.depths().get(i); b++) {
                if (i == 0) {
                    int hidden = (int) (dim * c.mbconvExpandRatio());
                    flops += conv(res, dim, hidden, 1, 1) + conv(res, hidden, hidden, 3, hidden)
                            + conv(res, hidden, dim, 1, 1);
                } else {
                    int ws = c.windowSizes().get(i);
                    double side = res == ws ? res : Math.ceil((double) res / ws) * ws;
                    double tx = side * side;
                    double n = res == ws ? (double) res * res : (double) ws * ws;
                    double t = (double) res * res;
                    flops += 2 * tx * dim * 3 * dim + 2 * tx * dim * dim + 2 * 2 * tx * n * dim;
                    flops += conv(res, dim, dim, c.localConvSize(), dim);
                    flops += 2 * 2 * t * dim * (int) (dim * c.mlpRatio());
                }
            }
            if (i < 3) {
                int out = dims.get(i + 1);
                int stride = PatchMerging.strideFor(out);
                int outRes = (res + stride - 1) / stride;
                flops += conv(res, dim, out, 1, 1) + conv(outRes, out, out, 3, out) + conv(outRes, out, out, 1, 1);
            }
        }
        int res = c.stageResolution(3);
        flops += conv(res, dims.get(3), TinyViTConfig.NECK_CHANS, 1, 1)
                + conv(res, TinyViTConfig.NECK_CHANS, TinyViTConfig.NECK_CHANS, 3, 1);
        return flops;
    }

    /** A square convolution with an {@code outRes}² output. */
    private static double conv(int outRes, int in, int out, int k, int groups) {
        return 2.0 * outRes * outRes * out * ((double) in / groups) * k * k;
    }
}
