package org.samtune.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * Metrics of every foreground class of a class-index image (0 = background, 1..n = classes) against the ground
 * truth, on a 2-D or 3-D grid: MONAI's {@code include_background=False} on one-hot masks.
 */
public final class ClassEvaluator {
    private ClassEvaluator() {}

    /** One {@link ClassMetrics} per class 1..classCount, in class order. */
    public static List<ClassMetrics> evaluate(
            byte[] predClasses, byte[] truthClasses, int classCount, int[] size, double[] spacingMm,
            MetricOptions options) {
        if (predClasses.length != truthClasses.length) {
            throw new IllegalArgumentException("prediction has " + predClasses.length + " voxels, truth "
                    + truthClasses.length);
        }
        List<ClassMetrics> out = new ArrayList<>(classCount);
        boolean[] pred = new boolean[predClasses.length];
        boolean[] truth = new boolean[truthClasses.length];
        for (int c = 1; c <= classCount; c++) {
            for (int i = 0; i < pred.length; i++) {
                pred[i] = Byte.toUnsignedInt(predClasses[i]) == c;
                truth[i] = Byte.toUnsignedInt(truthClasses[i]) == c;
            }
            out.add(SegmentationMetrics.compute(pred, truth, size, spacingMm, options));
        }
        return out;
    }
}
