package org.samtune.peft;

/** How new adapter layers start. */
public enum AdapterInit {
    /**
     * finetune-SAM / Medical-SAM-Adapter: both Linear layers get PyTorch's default init (Kaiming-uniform a=√5,
     * bias U(±1/√fan_in)), so the pretrained function is perturbed from the first step.
     */
    PYTORCH_DEFAULT,
    /** D_fc1 as PyTorch, D_fc2 weight and bias zero: a residual adapter starts as the identity, a parallel one as 0. */
    ZERO_UP_PROJECTION
}
