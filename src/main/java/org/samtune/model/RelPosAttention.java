package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Optional;
import org.samtune.SamtuneException;
import org.samtune.model.nn.Compute;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Linear;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.NoGrad;
import org.samtune.model.nn.Parameter;
import org.samtune.model.nn.Precision;
import org.samtune.model.nn.Scalars;
import org.samtune.model.nn.StagedBackward;
import org.samtune.model.nn.TorchScriptOps;

/**
 * The ViT's multi-head attention with decomposed relative position embeddings (image_encoder.py {@code Attention},
 * from MViTv2). All heads (and all windows, folded into the batch by the block) go through one batched matmul.
 *
 * <p>{@code qkv} is a replaceable slot: LoRA swaps it for a wrapper with the same Layer contract (state-dict
 * names {@code attn.qkv.qkv.weight}, {@code attn.qkv.linear_a_q.weight}, ...).
 */
public final class RelPosAttention extends Module {
    public final int dim;
    public final int numHeads;
    public final int headDim;
    private final float scale;
    public final Parameter rel_pos_h;
    public final Parameter rel_pos_w;
    public final Linear proj;
    private final NDArray relPosIndex;
    /** Largest attention-map band computed at once (see forward). */
    static final long ATTENTION_BAND_BYTES = 16L << 20;

    /**
     * @param inputSize side of the token grid this attention sees (the window, or the whole grid for global
     *                  blocks); sets the relative-position tables to (2·inputSize − 1, headDim)
     */
    public RelPosAttention(NDManager manager, int dim, int numHeads, boolean qkvBias, boolean useRelPos,
                           int inputSize) {
        super(manager);
        this.dim = dim;
        this.numHeads = numHeads;
        this.headDim = dim / numHeads;
        this.scale = (float) Math.pow(headDim, -0.5);
        if (useRelPos) {
            // zero-initialised as rel_pos_zero_init=True
            rel_pos_h = parameter("rel_pos_h", 2L * inputSize - 1, headDim);
            rel_pos_w = parameter("rel_pos_w", 2L * inputSize - 1, headDim);
        } else {
            rel_pos_h = null;
            rel_pos_w = null;
        }
        // i − j + size − 1 for the (size, size) grid; kept for the model's lifetime because autograd saves the
        // index of the gather for backward, and DJL arrays made from Java data die with their handle
        relPosIndex = useRelPos ? relPosIndex(manager, inputSize) : null;
        module("qkv", new Linear(manager, dim, dim * 3, qkvBias));
        proj = module("proj", new Linear(manager, dim, dim));
    }

    /** The current qkv projection (a plain Linear, or LoRA's wrapper around it). */
    public Layer qkv() {
        return (Layer) child("qkv");
    }

    /**
     * (B, H, W, C) → (B, H, W, C). Through libtorch's fused attention ({@link TorchScriptOps}) when the helper is
     * available, else the plain path below; both give the reference's numbers within float rounding.
     */
    public NDArray forward(NDArray x) {
        Optional<TorchScriptOps> ops = TorchScriptOps.get();
        if (ops.isEmpty()) {
            return forward(x, ATTENTION_BAND_BYTES);
        }
        long tokens = x.getShape().get(1) * x.getShape().get(2);
        if (rel_pos_h != null && tokens >= MASKED_INFERENCE_TOKENS && !JniUtils.isGradMode()) {
            return forwardInference(x, ops.get());
        }
        Optional<StagedBackward> staged = staged();
        if (staged.isPresent()) {
            return forwardStaged(x, ops.get(), staged.get());
        }
        return forwardFused(x, ops.get());
    }

    /**
     * The stage set this attention cuts into, if it takes the staged path: with gradients inside an open {@link
     * StagedBackward}, relative positions and float32, global blocks and windows alike. ViT-B's windowed blocks took
     * the augmented fused path (heads 64 + 14 + 14 wide, the flash kernel's backward) until a ViT-B adapter step
     * measured 7-10 % faster and 0.1 GB lighter with them staged (docs/bench.md).
     */
    public Optional<StagedBackward> staged() {
        if (rel_pos_h == null || Compute.precision() != Precision.FP32 || TorchScriptOps.get().isEmpty()) {
            return Optional.empty();
        }
        return StagedBackward.current();
    }

    /**
     * Training with a {@link StagedBackward} open: the attention runs headDim wide with the relative positions as
     * a float mask, outside autograd, and its gradient is computed by the helper's
     * {@code rel_pos_attention_terms_backward} (tiles of heads and queries, softmax recomputed; then the
     * relative-position terms' gradient handed on to q and the gathered tables) when the staged backward pass
     * reaches it. The augmented fused path makes ViT-B's global products three times wider to let autograd reach
     * the bias; this one does the products of flash attention's backward at their own width.
     */
    NDArray forwardStaged(NDArray x, TorchScriptOps ops, StagedBackward staged) {
        long[] s = x.getShape().getShape();
        long b = s[0], h = s[1], w = s[2];
        checkRelPosSize(h, w);
        NDArray qkv = qkvHeads(x);
        NDArray rh = gather(rel_pos_h.array(), h);
        NDArray rw = gather(rel_pos_w.array(), w);
        // the relative-position terms are formed inside the stage too: its inputs are then qkv and the two
        // gathered tables, whose histories do not meet, so each takes its own backward pass from its gradient
        NDArray rel = NoGrad.call(() -> ops.call("rel_pos_terms", qkv, rh, rw));
        NDArray out = NoGrad.call(() -> ops.call("rel_pos_attention_forward", qkv, rel));
        NDArray leaf = staged.cut(out, new NDList(qkv, rh, rw), new NDList(rel, out),
                grad -> ops.callAll("rel_pos_attention_terms_backward", grad, qkv, rh, rw, rel, out));
        return proj.forward(mergeHeads(leaf, b, h, w));
    }

    /**
     * Grids from this many tokens on (ViT-B's global blocks: 4,096 at 1024², not its 196-token windows) take the
     * masked inference path when no gradient is recorded: measured at ViT-B's global shape
     * ({@code tools/bench_layouts.py --what attention}), 0.42–0.48 s (bands of one grid row then; tiles since)
     * against the augmented fused kernel's 0.57–0.58 s per block.
     */
    static final long MASKED_INFERENCE_TOKENS = 1024;

    /**
     * Inference only: libtorch's fused kernel on tiles of heads and queries (the staged path's), with the
     * decomposed relative positions as a float mask per tile (torchscript_ops.py
     * {@code qkv_rel_pos_attention_inference}), so the products stay headDim wide; under {@code --precision bf16}
     * autocast's own steps on bands of one grid row instead (a bf16 score product, softmax, a bf16 product with v),
     * which beat libtorch's bf16 flash kernel on CPUs without AMX.
     */
    NDArray forwardInference(NDArray x, TorchScriptOps ops) {
        long[] s = x.getShape().getShape();
        long b = s[0], h = s[1], w = s[2];
        checkRelPosSize(h, w);
        NDArray out = ops.call(inPrecision("qkv_rel_pos_attention_inference"), qkvHeads(x),
                gather(rel_pos_h.array(), h), gather(rel_pos_w.array(), w));
        return proj.forward(mergeHeads(out, b, h, w));
    }

    /**
     * The fused path: scaled_dot_product_attention with the decomposed relative positions folded into augmented
     * queries and keys (see torchscript_ops.py), so the (B·heads, HW, HW) maps are never stored, neither for
     * the forward pass nor for backward.
     */
    NDArray forwardFused(NDArray x, TorchScriptOps ops) {
        long[] s = x.getShape().getShape();
        long b = s[0], h = s[1], w = s[2];
        // q, k, v stay stacked: the helper unbinds them (one gradient buffer in backward instead of three)
        NDArray qkv = qkvHeads(x);
        NDArray out;
        if (rel_pos_h != null) {
            checkRelPosSize(h, w);
            out = ops.call(inPrecision("qkv_rel_pos_attention"), qkv, gather(rel_pos_h.array(), h),
                    gather(rel_pos_w.array(), w));
        } else {
            out = ops.call(inPrecision("qkv_attention"), qkv);
        }
        return proj.forward(mergeHeads(out, b, h, w));
    }

    /**
     * The helper method for the selected precision: under {@code --precision bf16} its {@code _bf16} twin, whose
     * products run in bf16 (softmax accumulates in float32 inside the kernel).
     */
    private static String inPrecision(String method) {
        return Compute.precision() == Precision.BF16 ? method + "_bf16" : method;
    }

    /** (B, H, W, C) → q, k, v stacked as (3, B·heads, H·W, headDim). */
    private NDArray qkvHeads(NDArray x) {
        long[] s = x.getShape().getShape();
        long b = s[0], h = s[1], w = s[2];
        return qkv().forward(x).reshape(b, h * w, 3, numHeads, headDim)
                .transpose(2, 0, 3, 1, 4)
                .reshape(3, b * numHeads, h * w, headDim);
    }

    /** (B·heads, H·W, headDim) → (B, H, W, C). */
    private NDArray mergeHeads(NDArray out, long b, long h, long w) {
        return out.reshape(b, numHeads, h, w, headDim)
                .transpose(0, 2, 3, 1, 4)
                .reshape(b, h, w, dim);
    }

    private void checkRelPosSize(long h, long w) {
        if (h != w || relPosIndex.getShape().get(0) != h * h) {
            throw new SamtuneException("relative position table has " + rel_pos_h.array().getShape().get(0)
                    + " rows but a " + h + "-token grid needs " + (2 * h - 1) + " (input size differs from the "
                    + "checkpoint's; rel_pos interpolation is not supported)");
        }
    }

    /** The plain path, with attention maps computed in bands of at most {@code bandBytes}. */
    NDArray forward(NDArray x, long bandBytes) {
        long[] s = x.getShape().getShape();
        long b = s[0], h = s[1], w = s[2];
        NDArray qkv = qkvHeads(x);
        NDArray q = qkv.get(0);
        NDArray k = qkv.get(1);
        NDArray v = qkv.get(2);

        NDArray qScaled = Scalars.mul(q, scale);
        NDArray kT = k.transpose(0, 2, 1);
        NDArray[] rel = null;
        if (rel_pos_h != null) {
            checkRelPosSize(h, w);
            rel = decomposedRelPos(q, gather(rel_pos_h.array(), h), gather(rel_pos_w.array(), w), h, w);
        }
        // The (B·heads, HW, HW) attention maps are the encoder's biggest arrays (805 MB per global block of ViT-B
        // at 1024²). They are computed for a band of query rows at a time, each band small enough (≤ 16 MB) for
        // the C allocator to reuse the same memory instead of mapping fresh pages for every map; softmax is per
        // row, so the result is the reference's. Relative positions are added in place (matmul does not save its
        // output for backward).
        long n = h * w;
        long bh = b * numHeads;
        long rows = Math.max(1, Math.min(n, bandBytes / (4L * bh * n)));
        NDList bands = new NDList();
        for (long r0 = 0; r0 < n; r0 += rows) {
            long r1 = Math.min(n, r0 + rows);
            NDIndex band = new NDIndex(":, {}:{}, :", r0, r1);
            NDArray attn = qScaled.get(band).matMul(kT);
            if (rel != null) {
                // attn.view(B, q_h, q_w, k_h, k_w) + rel_h[:, :, :, :, None] + rel_w[:, :, :, None, :]
                attn.reshape(bh, r1 - r0, h, w)
                        .addi(rel[0].get(band).expandDims(3))
                        .addi(rel[1].get(band).expandDims(2));
            }
            NDArray probs = attn.softmax(-1);
            attn.close();
            bands.add(probs.matMul(v));
            probs.close();
        }
        NDArray out = bands.size() == 1 ? bands.get(0) : NDArrays.concat(bands, 1);
        return proj.forward(mergeHeads(out, b, h, w));
    }

    /**
     * Relative positional terms along height and width for self-attention on an (h, w) grid (the reference's
     * add_decomposed_rel_pos before the addition): relH[b,(i,j),k] = q[b,i,j]·Rh[i,k] and
     * relW[b,(i,j),l] = q[b,i,j]·Rw[j,l], Rh (h, h, C) = rel_pos_h[i − k + h − 1], Rw likewise. The einsums
     * become two batched matmuls (over rows, then over columns).
     *
     * @return {relH (B·heads, hw, h), relW (B·heads, hw, w)}
     */
    static NDArray[] decomposedRelPos(NDArray q, NDArray rh, NDArray rw, long h, long w) {
        long bh = q.getShape().get(0);
        long c = q.getShape().get(2);
        NDArray rq = q.reshape(bh, h, w, c);
        // einsum("bhwc,hkc->bhwk"): per row i, (B·w, C) @ Rh[i]ᵀ
        NDArray relH = rq.transpose(1, 0, 2, 3).reshape(h, bh * w, c)
                .matMul(rh.transpose(0, 2, 1))
                .reshape(h, bh, w, h)
                .transpose(1, 0, 2, 3)
                .reshape(bh, h * w, h);
        // einsum("bhwc,wkc->bhwk"): per column j, (B·h, C) @ Rw[j]ᵀ
        NDArray relW = rq.transpose(2, 0, 1, 3).reshape(w, bh * h, c)
                .matMul(rw.transpose(0, 2, 1))
                .reshape(w, bh, h, w)
                .transpose(1, 2, 0, 3)
                .reshape(bh, h * w, w);
        return new NDArray[] {relH, relW};
    }

    /** get_rel_pos for equal query and key sizes: the (size, size, C) table of rel_pos[i − j + size − 1]. */
    private NDArray gather(NDArray relPos, long size) {
        return relPos.get(new NDIndex("{}", relPosIndex)).reshape(size, size, -1);
    }

    private static NDArray relPosIndex(NDManager manager, long size) {
        long[] idx = new long[(int) (size * size)];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                idx[(int) (i * size + j)] = i - j + size - 1;
            }
        }
        NDArray index = manager.create(idx);
        ai.djl.ndarray.NDScope.unregister(index);
        return index;
    }
}
