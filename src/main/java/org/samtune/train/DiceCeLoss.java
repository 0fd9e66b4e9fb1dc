package org.samtune.train;

import org.samtune.model.nn.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import org.samtune.SamtuneException;

/**
 * finetune-SAM's training loss, 1:1 sum of MONAI's {@code DiceLoss(sigmoid=True, squared_pred=True,
 * to_onehot_y=True)} and {@code nn.CrossEntropyLoss()} (spec §5.1).
 *
 * <p>The Dice part applies a per-channel <em>sigmoid</em> (not a softmax) and includes the background channel:
 * for each sample b and class c, {@code 1 − (2·Σ s·g + 1e-5) / (Σ g² + Σ s² + 1e-5)}, averaged over b and c
 * ({@code batch=False}). The cross-entropy takes a softmax over classes and averages over all pixels.
 *
 * <p>Built from NDArray operations only, so inside a {@code GradientCollector} the total is differentiable with
 * respect to the logits.
 */
public final class DiceCeLoss {
    /** MONAI's default {@code smooth_nr} and {@code smooth_dr}. */
    public static final double SMOOTH = 1e-5;

    /** The total and its two parts, each a scalar; the parts are for logging. */
    public record Parts(NDArray total, NDArray dice, NDArray ce) {}

    /**
     * @param logits (B, C, H, W) float logits
     * @param target (B, 1, H, W) or (B, H, W) class indices in [0, C) (any integer or float type)
     */
    public Parts compute(NDArray logits, NDArray target) {
        Shape ps = logits.getShape();
        if (ps.dimension() != 4) {
            throw new IllegalArgumentException("logits must be (B, C, H, W), got " + ps);
        }
        long b = ps.get(0);
        long c = ps.get(1);
        NDArray labels = target.getShape().dimension() == 3 ? target.expandDims(1) : target;
        Shape ts = labels.getShape();
        if (ts.dimension() != 4 || ts.get(0) != b || ts.get(1) != 1 || ts.get(2) != ps.get(2) || ts.get(3) != ps.get(3)) {
            throw new IllegalArgumentException("target must be (B, 1, H, W) or (B, H, W) matching logits " + ps
                    + ", got " + target.getShape());
        }
        checkLabels(labels, c);
        NDManager m = logits.getManager();
        // One-hot by comparison with 0..C-1 broadcast over the class axis: (B, C, H, W) float.
        NDArray classes = m.arange(0, (int) c, 1, DataType.INT64).reshape(1, c, 1, 1);
        NDArray oneHot = labels.toType(DataType.INT64, false).eq(classes).toType(logits.getDataType(), false);

        NDArray s = Activation.sigmoid(logits);
        int[] spatial = {2, 3};
        NDArray intersection = s.mul(oneHot).sum(spatial);
        NDArray denominator = oneHot.mul(oneHot).sum(spatial).add(s.mul(s).sum(spatial));
        NDArray dice = Scalars.mul(intersection, 2).add(SMOOTH).div(denominator.add(SMOOTH)).neg().add(1).mean();

        NDArray logProb = logits.logSoftmax(1);
        NDArray ce = logProb.mul(oneHot).sum(new int[] {1}).mean().neg();
        return new Parts(dice.add(ce), dice, ce);
    }

    private static void checkLabels(NDArray labels, long numClasses) {
        long max = labels.max().toType(DataType.INT64, false).getLong();
        long min = labels.min().toType(DataType.INT64, false).getLong();
        if (min < 0 || max >= numClasses) {
            throw new SamtuneException("training target: label values must be in [0, " + (numClasses - 1)
                    + "] for " + numClasses + " classes, found [" + min + ", " + max + "]");
        }
    }
}
