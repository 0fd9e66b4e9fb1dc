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
        return load(manager, checkpoint, expectedArch, order, 0);
    }

    /**
     * {@link #load(NDManager, Path, String, BlockOrder)} at input size {@code imageSize} (0: the checkpoint's): the
     * position embedding and global blocks' relative positions are converted as finetune-SAM's {@code load_from}
     * does ({@link PositionResize}).
     */
    public static Sam load(NDManager manager, Path checkpoint, String expectedArch, BlockOrder order,
                           int imageSize) {
        StateDict sd = Checkpoints.load(checkpoint);
        return fromStateDict(manager, sd, checkpoint.toString(), expectedArch, order, imageSize);
    }

    /** {@link #load} for a state dict already in memory; {@code source} names it in errors. */
    public static Sam fromStateDict(NDManager manager, StateDict sd, String source, String expectedArch,
                                    BlockOrder order) {
        return fromStateDict(manager, sd, source, expectedArch, order, 0);
    }

    /** {@link #fromStateDict(NDManager, StateDict, String, String, BlockOrder)} at input size {@code imageSize}. */
    public static Sam fromStateDict(NDManager manager, StateDict sd, String source, String expectedArch,
                                    BlockOrder order, int imageSize) {
        String arch = SamModels.detectArch(sd);
        if (expectedArch != null && !expectedArch.equals(arch)) {
            throw new SamtuneException("checkpoint " + source + " is " + arch + " but --arch asks for "
                    + expectedArch);
        }
        Sam sam;
        if (SamModels.isTinyViT(sd)) {
            if (imageSize > 0 && imageSize != SamConfig.defaultPrompt().inputImageSize()) {
                throw new SamtuneException("--image-size: " + source + " is MobileSAM (vit_t), which runs at "
                        + SamConfig.defaultPrompt().inputImageSize() + " only, got " + imageSize);
            }
            sam = MobileSam.fromStateDict(manager, sd);
        } else if (imageSize > 0) {
            SamConfig config = SamConfig.infer(sd).withImageSize(imageSize).withBlockOrder(order);
            sam = Sam.build(manager, config);
            sam.loadStateDict(PositionResize.fit(sd, config.vit()), true);
        } else {
            sam = Sam.fromStateDict(manager, sd, order);
        }
        sam.train(false);
        return sam;
    }
}
