package org.samtune.train;

/**
 * The learning rate of each optimiser step, as finetune-SAM sets it (spec §5.1).
 *
 * <p>The reference computes {@code lr_} <em>after</em> the optimiser step of 0-based iteration {@code i}:
 * {@code base·(i+1)/warmup} while {@code i < warmup}, then {@code base·(1 − (i − warmup)/maxIter)^0.9}; the step at
 * iteration {@code i} therefore uses the value computed after step {@code i − 1}, and the very first step uses the
 * optimiser's initial lr {@code base/warmup}. So steps 0 and 1 both run at {@code base/warmup}, step {@code warmup}
 * is the first at {@code base}. {@code maxIter} is {@code epochs · batchesPerEpoch}. Without warm-up the rate is
 * constant.
 *
 * <p>{@link #warmupCosine} is MAE's schedule ({@code util/lr_sched.adjust_learning_rate}, set before each step):
 * linear from 0 over the warm-up, then a half cosine from the base rate down to a minimum at the last step.
 */
public final class LrSchedule {
    private static final double POLY_POWER = 0.9;

    private final double baseLr;
    private final int warmupIters;
    private final long maxIters;
    /** Set for nnU-Net's schedule: the rate changes once per epoch of this many iterations (0 otherwise). */
    private final long itersPerEpoch;
    private final int epochs;
    /** NaN for the reference's poly schedule; MAE's cosine floor otherwise. */
    private final double cosineMinLr;

    private LrSchedule(double baseLr, int warmupIters, long maxIters) {
        this(baseLr, warmupIters, maxIters, 0, 0, Double.NaN);
    }

    private LrSchedule(double baseLr, int warmupIters, long maxIters, long itersPerEpoch, int epochs,
            double cosineMinLr) {
        if (!(baseLr > 0) || Double.isInfinite(baseLr)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + baseLr);
        }
        this.baseLr = baseLr;
        this.warmupIters = warmupIters;
        this.maxIters = maxIters;
        this.itersPerEpoch = itersPerEpoch;
        this.epochs = epochs;
        this.cosineMinLr = cosineMinLr;
    }

    /**
     * MAE's schedule per iteration: {@code base · step / warmupIters} during the warm-up (0 for the first step),
     * then {@code minLr + (base − minLr) · ½ · (1 + cos(π · (step − warmupIters) / (totalIters − warmupIters)))}.
     */
    public static LrSchedule warmupCosine(double baseLr, int warmupIters, long totalIters, double minLr) {
        if (warmupIters < 0 || totalIters <= warmupIters) {
            throw new IllegalArgumentException("cosine schedule: expected 0 <= warm-up < total iterations, got "
                    + warmupIters + " and " + totalIters);
        }
        if (!(minLr >= 0) || minLr > baseLr) {
            throw new IllegalArgumentException("cosine schedule: minimum rate must be in [0, " + baseLr + "], got "
                    + minLr);
        }
        return new LrSchedule(baseLr, warmupIters, totalIters, 0, 0, minLr);
    }

    private boolean isCosine() {
        return !Double.isNaN(cosineMinLr);
    }

    /** A constant rate (the reference without {@code -if_warmup}). */
    public static LrSchedule constant(double baseLr) {
        return new LrSchedule(baseLr, 0, 0);
    }

    /** Linear warm-up over {@code warmupIters} steps, then poly decay over {@code maxIters} (= epochs · batches). */
    public static LrSchedule warmupPoly(double baseLr, int warmupIters, long maxIters) {
        if (warmupIters < 1) {
            throw new IllegalArgumentException("warm-up must last at least one iteration, got " + warmupIters);
        }
        if (maxIters < 1) {
            throw new IllegalArgumentException("maximum iterations must be positive, got " + maxIters);
        }
        return new LrSchedule(baseLr, warmupIters, maxIters);
    }

    /**
     * nnU-Net's {@code PolyLRScheduler}, stepped at the start of every epoch: {@code lr·(1 − epoch/epochs)^0.9}
     * for all iterations of that epoch, no warm-up.
     */
    public static LrSchedule polyPerEpoch(double baseLr, long itersPerEpoch, int epochs) {
        if (itersPerEpoch < 1 || epochs < 1) {
            throw new IllegalArgumentException("iterations per epoch and epochs must be positive, got "
                    + itersPerEpoch + " and " + epochs);
        }
        return new LrSchedule(baseLr, 0, 0, itersPerEpoch, epochs, Double.NaN);
    }

    public boolean hasWarmup() {
        return warmupIters > 0;
    }

    public double baseLr() {
        return baseLr;
    }

    /** The rate the optimiser uses for the step with 0-based global index {@code step}. */
    public double lrForStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (itersPerEpoch > 0) {
            double remaining = 1.0 - (step / itersPerEpoch) / (double) epochs;
            return remaining <= 0 ? 0.0 : baseLr * Math.pow(remaining, POLY_POWER);
        }
        if (isCosine()) {
            if (step < warmupIters) {
                return baseLr * step / warmupIters;
            }
            double t = Math.min(1.0, (step - warmupIters) / (double) (maxIters - warmupIters));
            return cosineMinLr + (baseLr - cosineMinLr) * 0.5 * (1 + Math.cos(Math.PI * t));
        }
        if (!hasWarmup()) {
            return baseLr;
        }
        return step == 0 ? baseLr / warmupIters : lrAfterStep(step - 1);
    }

    /** The reference's {@code lr_}: the rate it sets after the optimiser step of 0-based iteration {@code i}. */
    public double lrAfterStep(long i) {
        if (itersPerEpoch > 0 || isCosine()) {
            return lrForStep(i + 1);
        }
        if (!hasWarmup()) {
            return baseLr;
        }
        if (i < warmupIters) {
            return baseLr * ((i + 1) / (double) warmupIters);
        }
        double remaining = 1.0 - (i - warmupIters) / (double) maxIters;
        // Python would raise on a negative base; the reference never gets there (i < maxIters), a resumed run
        // trained past its planned length could, so the rate stops at 0.
        return remaining <= 0 ? 0.0 : baseLr * Math.pow(remaining, POLY_POWER);
    }

    @Override
    public String toString() {
        if (itersPerEpoch > 0) {
            return "poly(0.9) per epoch over " + epochs + " epochs from " + baseLr + " (nnU-Net)";
        }
        if (isCosine()) {
            return "warm-up " + warmupIters + " iterations then cosine decay to " + cosineMinLr + " at iteration "
                    + maxIters + " from " + baseLr;
        }
        return hasWarmup()
                ? "warm-up " + warmupIters + " iterations then poly(0.9) decay over " + maxIters + " from " + baseLr
                : "constant " + baseLr;
    }
}
