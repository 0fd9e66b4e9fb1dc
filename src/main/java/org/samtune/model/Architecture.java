package org.samtune.model;

import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.function.Predicate;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.StateDict;

/**
 * One model architecture that {@code --arch} names, with everything a verb needs to know about it before building:
 * input and decoder-output sizes, how many encoder blocks (ViT) or attention stages (TinyViT) adapters and LoRA can
 * go into and which of them by default, how to build it, and how to recognise its checkpoints. The entries live in
 * {@link Architectures}; add a new one there.
 *
 * <p>{@link Family#DENSE} is for networks that are not a SAM (a U-Net baseline): they have no prompt encoder, no
 * encoder blocks for adapters, and {@link #factory} is null; verbs that need a SAM refuse them with
 * {@link #requireSam(String)}.
 *
 * @param name                 the {@code --arch} spelling
 * @param description          one line for {@code --help} and {@code inspect}
 * @param family               SAM (prompt encoder + mask decoder) or a dense network
 * @param inputSize            model input side in pixels (SAM's {@code img_size})
 * @param lowResSize           decoder output side in pixels (the loss and validation size)
 * @param encoderUnits         ViT blocks, or TinyViT attention stages, that adapters / LoRA can use (0: none)
 * @param defaultEncoderBlocks the units that get adapters / LoRA when {@code --encoder-blocks} is not given
 * @param factory              builds the untrained SAM (null for a dense network)
 * @param detector             whether a state dict holds this architecture (never, for models only trained here)
 */
public record Architecture(String name, String description, Family family, int inputSize, int lowResSize,
                           int encoderUnits, List<Integer> defaultEncoderBlocks, Factory factory,
                           Predicate<StateDict> detector) {

    /** SAM-like (image encoder, prompt encoder, mask decoder) or a plain dense segmentation network. */
    public enum Family { SAM, DENSE }

    /** Builds an untrained model (zero weights: initialise or load next). */
    @FunctionalInterface
    public interface Factory {
        /**
         * @param checkpoint the state dict the weights will come from, or null (some entries read shapes off it)
         * @param numClasses output channels including background; 0 keeps the checkpoint's three multimask outputs
         * @param order      encoder block order (finetune-SAM's differs from official SAM's)
         * @param imageSize  input side in pixels ({@code --image-size}); 0: the architecture's (or checkpoint's)
         */
        Sam create(NDManager manager, StateDict checkpoint, int numClasses, BlockOrder order, int imageSize);
    }

    public Architecture {
        defaultEncoderBlocks = List.copyOf(defaultEncoderBlocks);
        for (int b : defaultEncoderBlocks) {
            if (b < 0 || b >= encoderUnits) {
                throw new IllegalArgumentException(name + ": default encoder block " + b + " outside 0.."
                        + (encoderUnits - 1));
            }
        }
        if ((family == Family.SAM) != (factory != null)) {
            throw new IllegalArgumentException(name + ": a SAM architecture has a factory, a dense one does not");
        }
    }

    /** Whether this is a dense (non-SAM) network such as a U-Net baseline. */
    public boolean isDense() {
        return family == Family.DENSE;
    }

    /** "blocks" for a ViT, "stages" for TinyViT: the word errors and help use. */
    public String encoderUnitName() {
        return "vit_t".equals(name) ? "attention stages" : "blocks";
    }

    /**
     * The model input and the size of the masks it is trained and scored at when run at {@code imageSize}
     * ({@code field} names the setting in errors): a SAM predicts at a quarter of its input (its low-resolution
     * masks), a dense network at its input. Sizes are multiples of 16, SAM's patch; TinyViT runs at its own size only.
     */
    public int[] sized(int imageSize, String field) {
        if (imageSize <= 0 || imageSize % 16 != 0) {
            throw new SamtuneException(field + ": expected a positive multiple of 16 (the patch size), got "
                    + imageSize);
        }
        if ("vit_t".equals(name) && imageSize != inputSize) {
            throw new SamtuneException(field + ": vit_t (MobileSAM's TinyViT) runs at " + inputSize + " only, got "
                    + imageSize + "; another input size needs vit_b, vit_l, vit_h or compact");
        }
        return new int[] {imageSize, isDense() ? imageSize : imageSize / 4};
    }

    /** Whether the checkpoint holds this architecture. */
    public boolean detects(StateDict sd) {
        return detector.test(sd);
    }

    /** This architecture, or a one-line refusal when {@code verb} needs a SAM and it is not one. */
    public Architecture requireSam(String verb) {
        if (family != Family.SAM) {
            throw new SamtuneException(verb + ": --arch " + name + " is not a SAM (" + description + ")");
        }
        return this;
    }

    /** An untrained model of this architecture. */
    public Sam create(NDManager manager, StateDict checkpoint, int numClasses, BlockOrder order) {
        return create(manager, checkpoint, numClasses, order, 0);
    }

    /** An untrained model of this architecture at input size {@code imageSize} (0: the natural one). */
    public Sam create(NDManager manager, StateDict checkpoint, int numClasses, BlockOrder order, int imageSize) {
        return requireSam("build").factory.create(manager, checkpoint, numClasses, order, imageSize);
    }
}
