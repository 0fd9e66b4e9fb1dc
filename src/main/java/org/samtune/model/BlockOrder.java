package org.samtune.model;

/**
 * Where a windowed ViT block applies {@code norm1} relative to the window padding.
 *
 * <p>Official SAM normalises first and then zero-pads the token grid, so padding tokens are exact zeros. finetune-SAM
 * (and Medical-SAM-Adapter, whose Block it copies) pads first and normalises after, so padding tokens become
 * {@code norm1.bias} and every window attends to them. The two differ whenever the grid is not a multiple of the
 * window (64 tokens vs window 14 in every released SAM). Reproduce finetune-SAM's numbers with
 * {@link #FINETUNE_SAM}; use {@link #OFFICIAL} for SAM as Meta trained it.
 */
public enum BlockOrder {
    /** norm1, then window partition (segment-anything). */
    OFFICIAL,
    /** window partition, then norm1 (finetune-SAM / Medical-SAM-Adapter). */
    FINETUNE_SAM
}
