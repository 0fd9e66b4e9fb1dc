package org.samtune.peft;

import org.samtune.model.BlockOrder;

/**
 * Where samtune deliberately differs from finetune-SAM (README, "Where samtune deliberately differs"), as one
 * record built once from {@link Compat} and read by every place that behaves differently. A field is true / set to
 * samtune's choice in {@link Compat#SAMTUNE}, and to finetune-SAM's in {@link Compat#FINETUNE_SAM}.
 *
 * <p>Seeding everything, evaluating at the original resolution and strict settings files are the same in both modes
 * (they change no number the reference would compute), so they are not switches here.
 *
 * @param blockOrder            1. windowed ViT blocks: LayerNorm then window padding (official SAM) or padding first
 *                              (finetune-SAM: padding tokens become {@code norm1.bias})
 * @param adapterTrainsTaskHeads 2. in adapter mode the decoder's task heads (mask tokens, IoU token, hypernetwork
 *                              MLPs, IoU head) also train; finetune-SAM freezes everything but the adapters
 * @param tinyVitLoraLayout     3. which of TinyViT's qkv channels LoRA updates (q and v per head, or finetune-SAM's
 *                              first and last {@code dim} channels)
 * @param tinyVitLoraTrainsConvStage 3. finetune-SAM also unfreezes TinyViT's conv stage ({@code layers.0}) with LoRA
 * @param frozenEncoderInEvalMode 4. a frozen encoder stays in eval mode (MobileSAM's BatchNorm statistics do not
 *                              drift; embeddings can be cached); finetune-SAM calls {@code model.train()}
 * @param nearestLowResTargets  5. ground truth to the decoder's size by nearest neighbour; finetune-SAM uses bilinear
 *                              + round, which invents labels at class boundaries
 * @param selectByForegroundDice 6. validation Dice leaves the background out of the mean and slices without the class
 *                              out of that class's mean (MONAI's {@code ignore_empty}); finetune-SAM averages every
 *                              class including the background and scores an absent class predicted absent as 1
 */
public record Quirks(BlockOrder blockOrder, boolean adapterTrainsTaskHeads, TinyViTLoraLayout tinyVitLoraLayout,
                     boolean tinyVitLoraTrainsConvStage, boolean frozenEncoderInEvalMode, boolean nearestLowResTargets,
                     boolean selectByForegroundDice) {

    private static final Quirks SAMTUNE = new Quirks(BlockOrder.OFFICIAL, true, TinyViTLoraLayout.PER_HEAD, false,
            true, true, true);
    private static final Quirks FINETUNE_SAM = new Quirks(BlockOrder.FINETUNE_SAM, false,
            TinyViTLoraLayout.FINETUNE_SAM, true, false, false, false);

    public static Quirks of(Compat compat) {
        return compat == Compat.FINETUNE_SAM ? FINETUNE_SAM : SAMTUNE;
    }
}
