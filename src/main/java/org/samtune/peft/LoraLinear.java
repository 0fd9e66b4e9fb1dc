package org.samtune.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Random;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Linear;
import org.samtune.model.nn.Module;

/**
 * finetune-SAM's {@code _LoRA_qkv_proj} for the mask decoder's q/v projections: {@code proj(x) + w_b(w_a(x))}, no
 * scaling. Wrapping renames the original to {@code q_proj.proj.*} and adds {@code q_proj.w_a}, {@code q_proj.w_b}.
 */
public final class LoraLinear extends Module implements Layer {
    public final Linear proj;
    public final Linear w_a;
    public final Linear w_b;

    public LoraLinear(NDManager manager, Linear proj, int rank) {
        super(manager);
        this.proj = module("proj", proj);
        w_a = module("w_a", new Linear(manager, proj.inFeatures, rank, false));
        w_b = module("w_b", new Linear(manager, rank, proj.outFeatures, false));
    }

    @Override
    public NDArray forward(NDArray x) {
        return proj.forward(x).add(w_b.forward(w_a.forward(x)));
    }

    void initLora(Random rng) {
        Lora.kaimingUniform(w_a, rng);
        w_b.weight.assign(new float[Math.toIntExact(w_b.weight.numel())]);
    }
}
