package org.samtune.data;

import org.samtune.Choice;

/** How mask values become class indices (finetune-SAM's {@code -targets}, spec §3.4 step 5). */
public enum TargetMode implements Choice {
    /** Every label > 0 becomes class 1: binary segmentation of the union of all structures. */
    COMBINE_ALL("combine_all"),
    /** Mask values are class indices as they are (must already be 0..numClasses-1; no remapping). */
    MULTI_ALL("multi_all");

    private final String id;

    TargetMode(String id) {
        this.id = id;
    }

    /** The reference's spelling ({@code combine_all}, {@code multi_all}). */
    @Override
    public String id() {
        return id;
    }

    public static TargetMode parse(String text) {
        return Choice.parse(TargetMode.class, text, "targets");
    }

    /** Class indices from an 8-bit mask (values 0..255, stored as bytes). */
    public byte[] labels(byte[] mask) {
        byte[] out = new byte[mask.length];
        for (int i = 0; i < mask.length; i++) {
            out[i] = switch (this) {
                case COMBINE_ALL -> (byte) (mask[i] != 0 ? 1 : 0);
                case MULTI_ALL -> mask[i];
            };
        }
        return out;
    }
}
