package org.samtune.train;

/**
 * Where a run stands, saved with every resume checkpoint: the next iteration to run, its epoch and batch within the
 * epoch, and the early-stopping bookkeeping.
 *
 * @param iteration            iterations completed so far (global)
 * @param epoch                epoch of the next batch
 * @param batchInEpoch         batches of {@code epoch} already done
 * @param bestDice             best validation score so far (−1 before the first validation)
 * @param bestEpoch            epoch that scored {@code bestDice}
 * @param lastImprovementEpoch epoch of the last improvement (early stopping counts from it)
 */
public record TrainState(long iteration, int epoch, int batchInEpoch, double bestDice, int bestEpoch,
                         int lastImprovementEpoch) {

    public static TrainState start() {
        return new TrainState(0, 0, 0, -1, -1, 0);
    }
}
