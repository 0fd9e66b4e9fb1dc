package org.samtune.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.Random;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Linear;
import org.samtune.model.nn.Module;

/**
 * SAMed's {@code _LoRA_qkv} (finetune-SAM models/sam_LoRa.py): the ViT's fused qkv projection plus rank-r updates
 * of the q and v outputs, {@code qkv(x) + [B_q A_q x, 0, B_v A_v x]}; no scaling, no bias, k untouched. Wrapping
 * renames the original to {@code attn.qkv.qkv.*} and adds {@code linear_a_q}, {@code linear_b_q},
 * {@code linear_a_v}, {@code linear_b_v}.
 */
public final class LoraQkv extends Module implements Layer {
    public final Linear qkv;
    public final Linear linear_a_q;
    public final Linear linear_b_q;
    public final Linear linear_a_v;
    public final Linear linear_b_v;
    private final int dim;

    public LoraQkv(NDManager manager, Linear qkv, int rank) {
        super(manager);
        this.dim = qkv.inFeatures;
        this.qkv = module("qkv", qkv);
        linear_a_q = module("linear_a_q", new Linear(manager, dim, rank, false));
        linear_b_q = module("linear_b_q", new Linear(manager, rank, dim, false));
        linear_a_v = module("linear_a_v", new Linear(manager, dim, rank, false));
        linear_b_v = module("linear_b_v", new Linear(manager, rank, dim, false));
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray fused = qkv.forward(x); // B, H, W, 3·dim
        NDArray newQ = linear_b_q.forward(linear_a_q.forward(x));
        NDArray newV = linear_b_v.forward(linear_a_v.forward(x));
        NDList qkvParts = fused.split(3, fused.getShape().dimension() - 1);
        return NDArrays.concat(new NDList(qkvParts.get(0).add(newQ), qkvParts.get(1), qkvParts.get(2).add(newV)), -1);
    }

    /** A: Kaiming-uniform (a=√5), B: zeros, as LoRA_Sam.reset_parameters; the wrapped qkv keeps its weights. */
    void initLora(Random rng) {
        Lora.kaimingUniform(linear_a_q, rng);
        Lora.kaimingUniform(linear_a_v, rng);
        linear_b_q.weight.assign(new float[Math.toIntExact(linear_b_q.weight.numel())]);
        linear_b_v.weight.assign(new float[Math.toIntExact(linear_b_v.weight.numel())]);
    }
}
