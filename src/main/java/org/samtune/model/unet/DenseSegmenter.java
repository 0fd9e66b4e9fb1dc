package org.samtune.model.unet;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.samtune.model.nn.Module;

/**
 * A segmentation network that maps an image batch straight to per-class logits, with no prompts and no separate
 * image embedding: the U-Net baselines. The trainer, validation and evaluation use it where they would otherwise
 * run SAM's encoder, prompt encoder and mask decoder.
 */
public interface DenseSegmenter {
    /** (B, 3, inputSize, inputSize) normalised images → (B, numClasses, inputSize, inputSize) logits. */
    NDArray forward(NDArray images);

    /**
     * The outputs the training loss sees, highest resolution first: just {@link #forward} for a network without
     * deep supervision; with it, one logit map per decoder stage (sizes inputSize, inputSize/2, ...).
     */
    default List<NDArray> trainingOutputs(NDArray images) {
        return List.of(forward(images));
    }

    /** The loss weight of each of {@link #trainingOutputs}; they sum to 1. */
    default double[] outputWeights() {
        return new double[] {1};
    }

    /** Side of the square input; the logits have the same size. */
    int inputSize();

    int numClasses();

    /** This network as a module, for parameters, train/eval mode and state-dict loading. */
    default Module asModule() {
        return (Module) this;
    }
}
