package org.samtune.model;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.Checkpoints;
import org.samtune.checkpoint.StateDict;

/**
 * A SAM model rebuilt from a checkpoint alone: the architecture is read off the state dict ({@link SamModels#detectArch}), and the weights are loaded strictly.
 */
public final class PretrainedSam {
    private PretrainedSam() {}

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
        String arch = SamModels.detectArch(sd);
        if (expectedArch != null && !expectedArch.equals(arch)) {
            throw new SamtuneException("checkpoint " + source + " is " + arch + " but --arch asks for "
                    + expectedArch);
        }
        Sam sam = SamModels.isTinyViT(sd) ? MobileSam.fromStateDict(manager, sd) : Sam.fromStateDict(manager, sd, order);
        sam.train(false);
        return sam;
    }
}
