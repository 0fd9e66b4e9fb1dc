package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import org.samtune.SamtuneException;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Linear;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.Parameter;

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
        module("qkv", new Linear(manager, dim, dim * 3, qkvBias));
        proj = module("proj", new Linear(manager, dim, dim));
    }

    /** The current qkv projection (a plain Linear, or LoRA's wrapper around it). */
    public Layer qkv() {
        return (Layer) child("qkv");
    }

    /** (B, H, W, C) → (B, H, W, C). */
    public NDArray forward(NDArray x) {
        long[] s = x.getShape().getShape();
        long b = s[0], h = s[1], w = s[2];
        // qkv with shape (3, B * nHead, H * W, C)
        NDArray qkv = qkv().forward(x).reshape(b, h * w, 3, numHeads, headDim)
                .transpose(2, 0, 3, 1, 4)
                .reshape(3, b * numHeads, h * w, headDim);
        NDArray q = qkv.get(0);
        NDArray k = qkv.get(1);
        NDArray v = qkv.get(2);

        NDArray attn = q.mul(scale).matMul(k.transpose(0, 2, 1));
        if (rel_pos_h != null) {
            attn = addDecomposedRelPos(attn, q, rel_pos_h.array(), rel_pos_w.array(), h, w);
        }
        attn = attn.softmax(-1);
        x = attn.matMul(v).reshape(b, numHeads, h, w, headDim)
                .transpose(0, 2, 3, 1, 4)
                .reshape(b, h, w, dim);
        return proj.forward(x);
    }

    /**
     * Relative positional embeddings along height and width for self-attention on an (h, w) grid:
     * attn[b,(i,j),(k,l)] += q[b,i,j]·Rh[i,k] + q[b,i,j]·Rw[j,l], with Rh[i,k] = rel_pos_h[i − k + h − 1].
     * The einsums of the reference become two batched matmuls (over rows, then over columns).
     */
    static NDArray addDecomposedRelPos(NDArray attn, NDArray q, NDArray relPosH, NDArray relPosW, long h, long w) {
        NDArray rh = relPos(h, relPosH); // (h, h, C)
        NDArray rw = relPos(w, relPosW); // (w, w, C)
        long bh = q.getShape().get(0);
        long c = q.getShape().get(2);
        NDArray rq = q.reshape(bh, h, w, c);
        // einsum("bhwc,hkc->bhwk"): per row i, (B·w, C) @ Rh[i]ᵀ
        NDArray relH = rq.transpose(1, 0, 2, 3).reshape(h, bh * w, c)
                .matMul(rh.transpose(0, 2, 1))
                .reshape(h, bh, w, h)
                .transpose(1, 0, 2, 3);
        // einsum("bhwc,wkc->bhwk"): per column j, (B·h, C) @ Rw[j]ᵀ
        NDArray relW = rq.transpose(2, 0, 1, 3).reshape(w, bh * h, c)
                .matMul(rw.transpose(0, 2, 1))
                .reshape(w, bh, h, w)
                .transpose(1, 2, 0, 3);
        // In place on attn (a fresh q·kᵀ product that backward does not need): the same two additions in the same
        // order as the reference, without two more (B·heads, hw, hw) arrays (805 MB each for a global block at 1024).
        NDArray view = attn.reshape(bh, h, w, h, w);
        view.addi(relH.expandDims(4)).addi(relW.expandDims(3));
        return view.reshape(bh, h * w, h * w);
    }

    /** get_rel_pos for equal query and key sizes: the (size, size, C) table of rel_pos[i − j + size − 1]. */
    static NDArray relPos(long size, NDArray relPos) {
        long span = relPos.getShape().get(0);
        if (span != 2 * size - 1) {
            throw new SamtuneException("relative position table has " + span + " rows but a " + size
                    + "-token grid needs " + (2 * size - 1) + " (input size differs from the checkpoint's; "
                    + "rel_pos interpolation is not supported)");
        }
        long[] idx = new long[(int) (size * size)];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                idx[(int) (i * size + j)] = i - j + size - 1;
            }
        }
        // The gather's backward reads the index after this method returns. An array created from Java data wraps
        // memory that close() frees, so hand autograd a libtorch-owned copy (closing that only drops our handle).
        NDArray javaIndex = relPos.getManager().create(idx);
        NDArray index = javaIndex.duplicate();
        javaIndex.close();
        try {
            return relPos.get(new NDIndex("{}", index)).reshape(size, size, -1);
        } finally {
            index.close();
        }
    }
}
