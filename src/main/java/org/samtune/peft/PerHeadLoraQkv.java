package org.samtune.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Linear;
import org.samtune.model.nn.Module;

/**
 * LoRA on TinyViT's fused qkv with its per-head layout (B, N, heads·[q|k|v]): the rank-r query update
 * {@code B_q A_q x} (width dim = heads·headDim) is split by head and added to each head's q slice, the value update
 * to each head's v slice; keys are untouched. Same state-dict names as finetune-SAM's {@code _LoRA_qkv}
 * ({@code qkv.qkv.*}, {@code qkv.linear_a_q.weight}, ...), so checkpoints of either layout load into the other —
 * with a different meaning, which is why the layout is a recorded choice ({@link TinyViTLoraLayout}).
 */
public final class PerHeadLoraQkv extends Module implements Layer {
    public final Linear qkv;
    public final Linear linear_a_q;
    public final Linear linear_b_q;
    public final Linear linear_a_v;
    public final Linear linear_b_v;
    private final int dim;
    private final int numHeads;
    private final int headDim;

    public PerHeadLoraQkv(NDManager manager, Linear qkv, int numHeads, int rank) {
        super(manager);
        if (qkv.outFeatures != 3 * qkv.inFeatures || qkv.inFeatures % numHeads != 0) {
            throw new IllegalArgumentException("per-head LoRA needs qkv Linear(dim, 3·dim) with dim divisible by "
                    + numHeads + " heads, got Linear(" + qkv.inFeatures + ", " + qkv.outFeatures + ")");
        }
        this.dim = qkv.inFeatures;
        this.numHeads = numHeads;
        this.headDim = dim / numHeads;
        this.qkv = module("qkv", qkv);
        linear_a_q = module("linear_a_q", new Linear(manager, dim, rank, false));
        linear_b_q = module("linear_b_q", new Linear(manager, rank, dim, false));
        linear_a_v = module("linear_a_v", new Linear(manager, dim, rank, false));
        linear_b_v = module("linear_b_v", new Linear(manager, rank, dim, false));
    }

    @Override
    public NDArray forward(NDArray x) {
        Shape prefix = x.getShape().slice(0, x.getShape().dimension() - 1);
        Shape perHead = prefix.addAll(new Shape(numHeads, headDim));
        NDArray fused = qkv.forward(x).reshape(prefix.addAll(new Shape(numHeads, 3L * headDim)));
        NDArray newQ = linear_b_q.forward(linear_a_q.forward(x)).reshape(perHead);
        NDArray newV = linear_b_v.forward(linear_a_v.forward(x)).reshape(perHead);
        NDList parts = fused.split(new long[] {headDim, 2L * headDim}, fused.getShape().dimension() - 1);
        NDArray out = NDArrays.concat(new NDList(parts.get(0).add(newQ), parts.get(1), parts.get(2).add(newV)), -1);
        return out.reshape(prefix.addAll(new Shape(3L * dim)));
    }

    /** A: Kaiming-uniform (a=√5), B: zeros, as LoRA_Sam.reset_parameters; the wrapped qkv keeps its weights. */
    void initLora(Random rng) {
        Lora.kaimingUniform(linear_a_q, rng);
        Lora.kaimingUniform(linear_a_v, rng);
        linear_b_q.weight.assign(new float[Math.toIntExact(linear_b_q.weight.numel())]);
        linear_b_v.weight.assign(new float[Math.toIntExact(linear_b_v.weight.numel())]);
    }
}
