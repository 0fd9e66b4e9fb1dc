package org.samtune.eval;

import org.samtune.SamtuneException;

/**
 * How the metrics are computed.
 *
 * @param nsdToleranceMm the tolerance of the normalised surface Dice (MONAI's {@code class_thresholds}), in mm
 * @param hausdorffPercentile the percentile of each directed surface distance set (95 → HD95; 100 → classic HD)
 * @param ignoreEmpty MONAI's {@code ignore_empty}: true → Dice and IoU are NaN when the ground truth of a class is
 *     empty (the default, as MONAI); false → 1 when the prediction is empty too, 0 otherwise
 */
public record MetricOptions(double nsdToleranceMm, double hausdorffPercentile, boolean ignoreEmpty) {

    public static final MetricOptions DEFAULT = new MetricOptions(2.0, 95, true);

    public MetricOptions {
        if (!(nsdToleranceMm >= 0) || Double.isInfinite(nsdToleranceMm)) {
            throw new SamtuneException("--nsd-mm: expected a finite tolerance >= 0 mm, got " + nsdToleranceMm);
        }
        if (!(hausdorffPercentile >= 0 && hausdorffPercentile <= 100)) {
            throw new SamtuneException("Hausdorff percentile: expected 0..100, got " + hausdorffPercentile);
        }
    }

    public MetricOptions withNsdToleranceMm(double mm) {
        return new MetricOptions(mm, hausdorffPercentile, ignoreEmpty);
    }

    public MetricOptions withIgnoreEmpty(boolean ignore) {
        return new MetricOptions(nsdToleranceMm, hausdorffPercentile, ignore);
    }
}
