package org.samtune.model;

import ai.djl.ndarray.NDManager;
import org.samtune.checkpoint.StateDict;

/**
 * MobileSAM ({@code build_sam_vit_t}): SAM's prompt encoder and mask decoder around a TinyViT image encoder.
 * The result is a {@link Sam}, so prediction, adapters, LoRA and checkpoints work as for the ViT models.
 */
public final class MobileSam {
    private MobileSam() {}

    /** SamConfig of a MobileSAM: no ViT, SAM's prompt encoder for the encoder's grid, the given decoder. */
    public static SamConfig samConfig(TinyViTConfig encoder, SamConfig.Decoder decoder) {
        int img = encoder.imgSize();
        return new SamConfig("vit_t", null,
                new SamConfig.Prompt(TinyViTConfig.NECK_CHANS, img / 16, img, 16), decoder);
    }

    /** A MobileSAM with zero weights; load a checkpoint (or initialise) before use. */
    public static Sam build(NDManager manager, TinyViTConfig encoder, SamConfig.Decoder decoder) {
        return new Sam(manager, new TinyViT(manager, encoder), samConfig(encoder, decoder));
    }

    /** The released vit_t (mobile_sam.pt layout: 439 state-dict keys). */
    public static Sam vitT(NDManager manager) {
        return build(manager, TinyViTConfig.vitT(), SamConfig.defaultDecoder(3));
    }

    /**
     * A MobileSAM with the architecture inferred from {@code sd} ({@link TinyViTConfig#infer},
     * {@link SamConfig#inferDecoder}) and its weights loaded strictly, in eval mode.
     */
    public static Sam fromStateDict(NDManager manager, StateDict sd) {
        Sam sam = build(manager, TinyViTConfig.infer(sd), SamConfig.inferDecoder(sd));
        sam.loadStateDict(sd, true);
        sam.train(false);
        return sam;
    }
}
