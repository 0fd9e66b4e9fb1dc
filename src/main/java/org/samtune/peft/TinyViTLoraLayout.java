package org.samtune.peft;

/** Which qkv output channels a TinyViT LoRA updates. */
public enum TinyViTLoraLayout {
    /**
     * finetune-SAM's exact behaviour: {@code B_q A_q x} is added to qkv channels {@code [0, dim)} and
     * {@code B_v A_v x} to {@code [2·dim, 3·dim)}, as for SAM's ViT. TinyViT's qkv is laid out per head as
     * [q_h | k_h | v_h], so these channels are the q, k and v of the first and the last third of the heads, not
     * "q" and "v" (spec §4.6, quirk 4). Use it to reproduce or load finetune-SAM's MobileSAM LoRA runs.
     */
    FINETUNE_SAM,
    /** LoRA as intended: the update of head h's query goes to q_h and of its value to v_h; keys untouched. */
    PER_HEAD
}
