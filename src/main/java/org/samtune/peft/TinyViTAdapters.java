package org.samtune.peft;

import java.util.ArrayList;
import java.util.List;
import org.samtune.model.BasicLayer;
import org.samtune.model.TinyViT;
import org.samtune.model.TinyViTBlock;
import org.samtune.model.nn.Module;

/**
 * finetune-SAM's encoder adapters for MobileSAM's TinyViT (spec §4.5): every block of a selected transformer stage
 * gets a residual {@code Space_Adapter} on the attention output and a parallel {@code MLP_Adapter} (no skip,
 * scaled by 0.5), both {@code Adapter(dim, 0.25)}.
 *
 * <p>finetune-SAM numbers the stages by "depth" = {@code i_layer - 1}: depth 0 is {@code layers.1}, 1 is
 * {@code layers.2}, 2 is {@code layers.3}; the conv stage {@code layers.0} never gets adapters. Its default
 * {@code encoder_adapter_depths = [0, 1, 10, 11]} (chosen for the 12-block ViT-B) therefore selects stages 0 and
 * 1; depths outside 0..2 select nothing, as in finetune-SAM.
 */
public final class TinyViTAdapters {
    private TinyViTAdapters() {}

    /**
     * @param depths finetune-SAM's {@code encoder_adapter_depths} (stage indexes of {@code layers[1:]})
     * @param init   how the new Linear layers start. Note: finetune-SAM's TinyViT re-initialises its encoder
     *               adapters with TinyViT's {@code _init_weights} (trunc-normal std 0.02 weights, zero biases)
     *               because they exist before that call; {@link #initializeAsFinetuneSam} applies that afterwards.
     * @param seed   seed of the first adapter; each further adapter uses the next seed
     * @return the new adapter modules, MLP_Adapter then Space_Adapter per block, in block order
     */
    public static List<Module> insert(TinyViT encoder, List<Integer> depths, AdapterInit init, long seed) {
        List<Module> added = new ArrayList<>();
        long s = seed;
        for (int stage = 1; stage <= 3; stage++) {
            if (!depths.contains(stage - 1)) {
                continue;
            }
            BasicLayer layer = encoder.basicLayer(stage);
            for (TinyViTBlock block : layer.blocks.items()) {
                Adapter mlp = new Adapter(block.manager(), block.dim, false);
                Adapter space = new Adapter(block.manager(), block.dim, true);
                mlp.initialize(init, s++);
                space.initialize(init, s++);
                block.attachAdapters(space, mlp);
                added.add(mlp);
                added.add(space);
            }
        }
        return added;
    }

    /**
     * Re-initialises adapters as finetune-SAM's TinyViT ends up with them: its {@code _init_weights} runs after
     * the blocks (and their adapters) exist, so every adapter Linear gets timm's {@code trunc_normal_(std=0.02)}
     * weights (truncated at ±2, i.e. ±100 standard deviations: in effect N(0, 0.02²)) and zero biases — a much
     * smaller start than PyTorch's default. The draw comes from a Java RNG ({@code seed}), not torch's.
     */
    public static void initializeAsFinetuneSam(List<Module> adapters, long seed) {
        java.util.Random rng = new java.util.Random(seed);
        for (Module m : adapters) {
            for (var e : m.namedParameters().entrySet()) {
                var p = e.getValue();
                float[] v = new float[Math.toIntExact(p.numel())];
                if (e.getKey().endsWith("weight")) {
                    for (int i = 0; i < v.length; i++) {
                        double x;
                        do {
                            x = rng.nextGaussian() * 0.02;
                        } while (x < -2 || x > 2);
                        v[i] = (float) x;
                    }
                }
                p.assign(v);
            }
        }
    }
}
