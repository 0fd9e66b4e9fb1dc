package org.samtune.model;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.Checkpoints;
import org.samtune.checkpoint.StateDict;

/**
 * A SAM model rebuilt from a checkpoint alone: the architecture is read off the state dict (vit_t when the encoder
 * has TinyViT's {@code image_encoder.layers.*} keys, otherwise {@link SamConfig#infer}: vit_b / vit_l / vit_h, or
 * "custom" for any other ViT), and the weights are loaded strictly.
 */
public final class PretrainedSam {
    private PretrainedSam() {}

    /** "vit_t" for a MobileSAM state dict, else the {@link SamConfig#infer} architecture name. */
    public static String detectArch(StateDict sd) {
        if (isTinyViT(sd)) {
            return "vit_t";
        }
        return SamConfig.infer(sd).arch();
    }

    public static boolean isTinyViT(StateDict sd) {
        return sd.keys().stream().anyMatch(k -> k.startsWith("image_encoder.layers."));
    }

    /**
     * Loads {@code checkpoint} (.pth or .safetensors) and builds the model it holds, in eval mode.
     *
     * @param expectedArch null to accept any architecture; otherwise the checkpoint must be this one
     * @param order        ViT block order (OFFICIAL for Meta's weights, FINETUNE_SAM for finetune-SAM's)
     * @throws SamtuneException when the file cannot be read or holds another architecture than expected
     */
    public static Sam load(NDManager manager, Path checkpoint, String expectedArch, BlockOrder order) {
        StateDict sd = Checkpoints.load(checkpoint);
        return fromStateDict(manager, sd, checkpoint.toString(), expectedArch, order);
    }

    /** {@link #load} for a state dict already in memory; {@code source} names it in errors. */
    public static Sam fromStateDict(NDManager manager, StateDict sd, String source, String expectedArch,
                                    BlockOrder order) {
        String arch = detectArch(sd);
        if (expectedArch != null && !expectedArch.equals(arch)) {
            throw new SamtuneException("checkpoint " + source + " is " + arch + " but --arch asks for "
                    + expectedArch);
        }
        Sam sam = isTinyViT(sd) ? MobileSam.fromStateDict(manager, sd) : Sam.fromStateDict(manager, sd, order);
        sam.train(false);
        return sam;
    }
}
