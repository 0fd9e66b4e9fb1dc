package org.samtune.eval;

/**
 * The metrics of one class on one image (a 2-D slice or a 3-D volume). Distances are in millimetres. NaN means
 * "undefined" (the class is absent where the definition needs it, see docs/metrics.md); +∞ means one side has the
 * class and the other has none.
 */
public record ClassMetrics(
        double dice, double iou, double hd95Mm, double assdMm, double nsd, long predVoxels, long truthVoxels) {

    /** The metric names in the order of {@link #values()}: the column names of the results table. */
    public static final String[] NAMES = {"dice", "iou", "hd95_mm", "assd_mm", "nsd"};

    public double[] values() {
        return new double[] {dice, iou, hd95Mm, assdMm, nsd};
    }
}
