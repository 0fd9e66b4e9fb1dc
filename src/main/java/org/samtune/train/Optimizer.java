package org.samtune.train;

import java.util.Map;
import org.samtune.checkpoint.StateDict;

/**
 * What the training loop and the resume checkpoint need from an optimiser: {@link AdamW} (finetune-SAM's recipe)
 * and {@link SgdNesterov} (nnU-Net's).
 */
public interface Optimizer extends AutoCloseable {
    /** One update of every trainable parameter that has a gradient. Call outside a GradientCollector. */
    void step();

    /** Sets the gradients of the optimised parameters to zero. */
    void zeroGrad();

    double lr();

    /** The rate of the next steps. */
    void setLr(double lr);

    /** The per-parameter state on the heap, for resume. */
    StateDict stateDict();

    /** Replaces the state with a saved one (checked against the parameters' names and shapes). */
    void loadStateDict(StateDict sd);

    /** Settings as text, for the metadata of saved state. */
    Map<String, String> hyperparameters();

    @Override
    void close();
}
