package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * A module with one input and one output. Slots typed {@code Layer} can be swapped (e.g. a Linear wrapped by
 * LoRA) without the owner changing its forward pass.
 */
public interface Layer {
    NDArray forward(NDArray x);
}
