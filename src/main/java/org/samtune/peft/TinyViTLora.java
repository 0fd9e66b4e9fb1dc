package org.samtune.peft;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.samtune.SamtuneException;
import org.samtune.model.TinyViT;
import org.samtune.model.TinyViTAttention;
import org.samtune.model.TinyViTBlock;
import org.samtune.model.nn.Linear;
import org.samtune.model.nn.Module;

/**
 * finetune-SAM's encoder LoRA for MobileSAM's TinyViT ({@code LoRA_Sam}, the {@code except} path of
 * models/sam_LoRa.py): the qkv of every block of each selected transformer stage is wrapped; stage index
 * {@code t} (0..2) means {@code layers[t + 1]}. Wrapped keys become {@code layers.S.blocks.J.attn.qkv.qkv.*} plus
 * {@code qkv.linear_a_q.weight} (r, dim), {@code linear_b_q.weight} (dim, r), {@code linear_a_v}, {@code linear_b_v}.
 *
 * <p>finetune-SAM also un-freezes the whole conv stage {@code layers.0} in this mode ({@link #alsoTrained}).
 * Its {@code encoder_lora_layer = []} crashes for vit_t; here an empty list selects every stage.
 */
public final class TinyViTLora {
    private TinyViTLora() {}

    /**
     * @param stages indexes into {@code layers[1:]} (finetune-SAM's {@code encoder_lora_layer}; its default
     *               [0, 1, 10, 11] selects stages 0 and 1, other values select nothing); empty = all three
     * @param rank   LoRA rank r (finetune-SAM's scripts: 4)
     * @param layout which qkv channels the updates reach ({@link TinyViTLoraLayout#FINETUNE_SAM} reproduces
     *               finetune-SAM)
     * @param rng    draws the A matrices in block order (q then v); B starts at zero so the output is unchanged
     * @return the new LoRA wrappers in block order
     */
    public static List<Module> insert(TinyViT encoder, List<Integer> stages, int rank, TinyViTLoraLayout layout,
                                      Random rng) {
        if (rank < 1) {
            throw new SamtuneException("LoRA rank must be >= 1, got " + rank);
        }
        List<Integer> chosen = stages.isEmpty() ? List.of(0, 1, 2) : stages;
        List<Module> added = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            if (!chosen.contains(t)) {
                continue;
            }
            for (TinyViTBlock block : encoder.basicLayer(t + 1).blocks.items()) {
                TinyViTAttention attn = block.attn;
                if (!(attn.qkv() instanceof Linear qkv)) {
                    throw new SamtuneException("TinyViT layers." + (t + 1) + " block already has LoRA");
                }
                Module wrapped;
                if (layout == TinyViTLoraLayout.PER_HEAD) {
                    PerHeadLoraQkv w = new PerHeadLoraQkv(attn.manager(), qkv, attn.numHeads, rank);
                    w.initLora(rng);
                    wrapped = w;
                } else {
                    LoraQkv w = new LoraQkv(attn.manager(), qkv, rank);
                    w.initLora(rng);
                    wrapped = w;
                }
                attn.replaceModule("qkv", wrapped);
                added.add(wrapped);
            }
        }
        return added;
    }

    /** finetune-SAM un-freezes TinyViT's conv stage ({@code layers.0}: MBConvs and the first PatchMerging). */
    public static List<Module> alsoTrained(TinyViT encoder) {
        return List.of(encoder.convLayer());
    }
}
