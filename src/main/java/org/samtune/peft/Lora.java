package org.samtune.peft;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.samtune.SamtuneException;
import org.samtune.model.Block;
import org.samtune.model.ImageEncoderViT;
import org.samtune.model.Sam;
import org.samtune.model.TinyViT;
import org.samtune.model.TransformerAttention;
import org.samtune.model.TwoWayAttentionBlock;
import org.samtune.model.nn.Linear;
import org.samtune.model.nn.Module;

/**
 * Inserts LoRA as finetune-SAM's {@code LoRA_Sam} does (rank 4 in its scripts, no alpha): the fused qkv of the
 * chosen ViT blocks (q and v updated), and in the mask decoder the q and v projections of every two-way block's
 * self-attention and both cross-attentions plus the final token→image attention. State-dict names follow
 * finetune-SAM exactly, so its saved LoRA checkpoints load strictly.
 */
public final class Lora {
    private Lora() {}

    /**
     * @param encoderBlocks ViT block indexes to wrap; empty means every block (finetune-SAM's {@code []}); for
     *                      MobileSAM the TinyViT stage indexes 0..2 (= layers.1..3), see {@link TinyViTLora}
     * @param decoder       wrap the mask decoder's transformer too
     * @param rank          LoRA rank r
     * @param seed          seed for the A matrices (B starts at zero, so the model's output is unchanged)
     * @return the new LoRA modules, for the caller's tuning plan
     */
    public static List<Module> insert(Sam sam, List<Integer> encoderBlocks, boolean decoder, int rank, long seed) {
        return insert(sam, true, encoderBlocks, decoder, rank, seed, TinyViTLoraLayout.FINETUNE_SAM);
    }

    /**
     * As {@link #insert(Sam, List, boolean, int, long)}, with the encoder switchable ({@code encoder} false: no
     * encoder LoRA at all, as finetune-SAM's decoder-only LoRA) and the TinyViT qkv layout chosen: finetune-SAM's
     * channel slices (its quirk) or per-head q and v (correct).
     */
    public static List<Module> insert(Sam sam, boolean encoder, List<Integer> encoderBlocks, boolean decoder,
                                      int rank, long seed, TinyViTLoraLayout tinyLayout) {
        if (rank < 1) {
            throw new SamtuneException("LoRA rank must be >= 1, got " + rank);
        }
        Random rng = new Random(seed);
        List<Module> added = new ArrayList<>();
        if (!encoder) {
            // decoder only
        } else if (sam.imageEncoder() instanceof TinyViT tiny) {
            // MobileSAM: encoderBlocks are stage indexes of layers[1:].
            added.addAll(TinyViTLora.insert(tiny, encoderBlocks, rank, tinyLayout, rng));
        } else if (!(sam.imageEncoder() instanceof ImageEncoderViT vit)) {
            if (!encoderBlocks.isEmpty()) {
                throw new SamtuneException("encoder LoRA: only the ViT encoder is supported here, not "
                        + sam.imageEncoder().getClass().getSimpleName());
            }
        } else {
            int depth = vit.blocks.size();
            List<Integer> blocks = encoderBlocks.isEmpty() ? range(depth) : encoderBlocks;
            for (int i : blocks) {
                if (i < 0 || i >= depth) {
                    throw new SamtuneException("encoder LoRA block " + i + " out of range: the encoder has " + depth
                            + " blocks (0.." + (depth - 1) + ")");
                }
                Block b = vit.blocks.get(i);
                if (!(b.attn.qkv() instanceof Linear qkv)) {
                    throw new SamtuneException("encoder block " + i + " already has LoRA");
                }
                LoraQkv wrapped = new LoraQkv(b.attn.manager(), qkv, rank);
                wrapped.initLora(rng);
                b.attn.replaceModule("qkv", wrapped);
                added.add(wrapped);
            }
        }
        if (decoder) {
            var t = sam.maskDecoder().transformer;
            for (TwoWayAttentionBlock layer : t.layers.items()) {
                wrapQv(layer.self_attn, rank, rng, added);
                wrapQv(layer.cross_attn_token_to_image, rank, rng, added);
                wrapQv(layer.cross_attn_image_to_token, rank, rng, added);
            }
            wrapQv(t.final_attn_token_to_image, rank, rng, added);
        }
        return added;
    }

    private static void wrapQv(TransformerAttention attn, int rank, Random rng, List<Module> added) {
        for (String name : List.of("q_proj", "v_proj")) {
            if (!(attn.child(name) instanceof Linear proj)) {
                throw new SamtuneException("mask decoder " + name + " already has LoRA");
            }
            LoraLinear wrapped = new LoraLinear(attn.manager(), proj, rank);
            wrapped.initLora(rng);
            attn.replaceModule(name, wrapped);
            added.add(wrapped);
        }
    }

    private static List<Integer> range(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }

    /** nn.init.kaiming_uniform_(w, a=√5): U(±1/√fan_in), as a Linear's default weight init. */
    static void kaimingUniform(Linear l, Random rng) {
        double bound = 1.0 / Math.sqrt(l.inFeatures);
        float[] v = new float[Math.toIntExact(l.weight.numel())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        l.weight.assign(v);
    }
}
