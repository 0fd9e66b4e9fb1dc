package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.LayerNorm;
import org.samtune.model.nn.Linear;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.Parameter;
import org.samtune.model.nn.TorchScriptOps;

/**
 * TinyViT's window attention (LeViT style) on (B·windows, N = window², dim) tokens:
 * LayerNorm → qkv → per-head softmax(q·kᵀ·scale + bias) · v → proj.
 *
 * <p>Two layouts differ from SAM's ViT attention. The qkv output is viewed (B, N, heads, 3·headDim) and split
 * per head into q | k | v, so channel c of qkv belongs to head c / (3·headDim). The additive bias is a learned
 * table {@code attention_biases} (heads, offsets) indexed by the (|Δrow|, |Δcol|) offset between two positions
 * of the window; {@code attention_bias_idxs} (N, N) is a non-persistent buffer recomputed here.
 *
 * <p>MobileSAM caches the gathered bias in {@code eval()}; its {@code build_sam_vit_t} calls {@code eval()}
 * before loading, so an un-re-evaluated model keeps zero biases. This class always uses the current table,
 * which is what MobileSAM computes once {@code eval()} (or {@code train()}) is called after loading; inference
 * reuses the gathered bias while the table is unchanged.
 */
public class TinyViTAttention extends Module implements Layer {
    public final int dim;
    public final int numHeads;
    public final int keyDim;
    public final int windowSize;
    public final float scale;
    public final LayerNorm norm;
    public final Linear proj;
    public final Parameter attention_biases;
    private final NDArray flatBiasIdxs;
    /** Inference only: the gathered bias and the table it was gathered from ({@link #cachedBias}). */
    private NDArray biasCache;
    private NDArray biasCacheTable;

    public TinyViTAttention(NDManager manager, int dim, int numHeads, int windowSize) {
        super(manager);
        this.dim = dim;
        this.numHeads = numHeads;
        this.keyDim = dim / numHeads;
        this.windowSize = windowSize;
        this.scale = (float) Math.pow(keyDim, -0.5);
        norm = module("norm", new LayerNorm(manager, dim, 1e-5f));
        module("qkv", new Linear(manager, dim, 3 * dim));
        proj = module("proj", new Linear(manager, dim, dim));

        int n = windowSize * windowSize;
        long[] idxs = biasIndices(windowSize);
        int offsets = (int) java.util.Arrays.stream(idxs).max().orElse(-1) + 1;
        attention_biases = parameter("attention_biases", numHeads, offsets);
        buffer("attention_bias_idxs", manager.create(idxs, new Shape(n, n)), false);
        // attention_biases[:, idxs] as one torch.take over the flattened table: (heads, N, N) flat positions.
        long[] flat = new long[numHeads * n * n];
        for (int h = 0; h < numHeads; h++) {
            for (int i = 0; i < n * n; i++) {
                flat[h * n * n + i] = (long) h * offsets + idxs[i];
            }
        }
        flatBiasIdxs = manager.create(flat, new Shape(numHeads, n, n));
    }

    /**
     * For every pair of positions (p1, p2) of a window (row-major), the index of their offset
     * (|Δrow|, |Δcol|) in first-seen order, as MobileSAM enumerates them: (N·N), N = window².
     */
    public static long[] biasIndices(int windowSize) {
        int n = windowSize * windowSize;
        Map<Integer, Integer> offsets = new LinkedHashMap<>();
        long[] idxs = new long[n * n];
        for (int p1 = 0; p1 < n; p1++) {
            for (int p2 = 0; p2 < n; p2++) {
                int dy = Math.abs(p1 / windowSize - p2 / windowSize);
                int dx = Math.abs(p1 % windowSize - p2 % windowSize);
                int key = dy * windowSize + dx;
                Integer idx = offsets.get(key);
                if (idx == null) {
                    idx = offsets.size();
                    offsets.put(key, idx);
                }
                idxs[p1 * n + p2] = idx;
            }
        }
        return idxs;
    }

    /** The qkv projection; a LoRA wrapper may replace it (state-dict key {@code qkv}). */
    public Layer qkv() {
        return (Layer) child("qkv");
    }

    /** {@code attention_biases[:, attention_bias_idxs]}: (heads, N, N), differentiable w.r.t. the table. */
    public NDArray bias() {
        if (isTraining() || JniUtils.isGradMode()) {
            return gatherBias();
        }
        return cachedBias();
    }

    private NDArray gatherBias() {
        return attention_biases.array().take(flatBiasIdxs.getManager(), flatBiasIdxs);
    }

    /**
     * Inference: the gathered bias, kept with the model as MobileSAM keeps {@code ab} after {@code eval()}. It is
     * kept together with a copy of the table it came from and gathered again whenever the table differs (loading,
     * training steps between evaluations), so a stale bias is never used.
     */
    private synchronized NDArray cachedBias() {
        NDArray table = attention_biases.array();
        if (biasCache == null || !biasCacheTable.contentEquals(table)) {
            NDArray gathered = gatherBias();
            NDArray copy = table.duplicate();
            NDScope.unregister(gathered, copy);
            if (biasCache != null) {
                biasCache.close();
                biasCacheTable.close();
            }
            biasCache = gathered;
            biasCacheTable = copy;
        }
        return biasCache;
    }

    /**
     * Inference runs through libtorch's fused attention ({@link TorchScriptOps}) when the helper is loaded; training
     * keeps the plain path: the bias table needs its gradient, and libtorch's CPU flash kernel does not take a mask
     * that requires one (it would fall back to the unfused math kernel).
     */
    @Override
    public NDArray forward(NDArray x) {
        Optional<TorchScriptOps> ops = TorchScriptOps.get();
        boolean fused = ops.isPresent() && !isTraining() && !JniUtils.isGradMode();
        return fused ? forwardFused(x, ops.get()) : forwardPlain(x);
    }

    /** softmax(q·kᵀ·scale + bias)·v in one libtorch kernel, the maps never stored; inference only. */
    NDArray forwardFused(NDArray x, TorchScriptOps ops) {
        long b = x.getShape().get(0);
        long n = x.getShape().get(1);
        NDList qkv = headsQkv(x);
        NDArray heads = ops.call("biased_attention", qkv.get(0), qkv.get(1), qkv.get(2), bias());
        qkv.close();
        NDArray out = heads.transpose(0, 2, 1, 3).reshape(b, n, dim);
        heads.close();
        return proj.forward(out);
    }

    /** LayerNorm, qkv, and the per-head q, k, v: three (B, heads, N, keyDim) views. */
    private NDList headsQkv(NDArray x) {
        long b = x.getShape().get(0);
        long n = x.getShape().get(1);
        NDArray qkv = qkv().forward(norm.forward(x)).reshape(b, n, numHeads, 3L * keyDim);
        NDList parts = qkv.split(new long[] {keyDim, 2L * keyDim}, 3);
        return new NDList(parts.get(0).transpose(0, 2, 1, 3), parts.get(1).transpose(0, 2, 1, 3),
                parts.get(2).transpose(0, 2, 1, 3));
    }

    /** MobileSAM's operations in its order; differentiable w.r.t. the input, the weights and the bias table. */
    NDArray forwardPlain(NDArray x) {
        long b = x.getShape().get(0);
        long n = x.getShape().get(1);
        NDList qkv = headsQkv(x);
        NDArray q = qkv.get(0);
        NDArray k = qkv.get(1);
        NDArray v = qkv.get(2);
        // (q·kᵀ)·scale + bias with the scale and the bias applied in place on the fresh product: the matmul saves
        // its inputs, not its output, and a multiplication by a constant saves only the constant, so autograd is
        // unaffected; two fewer (windows, heads, N, N) maps are written. Same operations, same order as MobileSAM.
        NDArray attn = q.matMul(k.transpose(0, 1, 3, 2));
        attn.muli(attn.getManager().full(new Shape(), scale, attn.getDataType())).addi(bias());
        NDArray probs = attn.softmax(-1);
        attn.close();
        NDArray heads = probs.matMul(v);
        probs.close();
        NDArray out = heads.transpose(0, 2, 1, 3).reshape(b, n, dim);
        heads.close();
        return proj.forward(out);
    }
}
