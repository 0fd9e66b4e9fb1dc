package org.samtune.train;

import java.util.Locale;
import org.samtune.model.nn.ProcessMemory;

/**
 * Where a training loop's events go: metrics.csv, train.log, the console, and the checkpoints. Fine-tuning and
 * prompt pretraining drive the same {@link Trainer} and report through this one listener.
 */
public final class RunListener implements Trainer.Listener {
    private final RunFolder run;
    private final ProgressLine progress;
    private final RunCheckpoints checkpoints;
    private final RunCheckpoints.Content content;
    private final long perEpoch;
    private final long total;

    public RunListener(RunFolder run, ProgressLine progress, RunCheckpoints checkpoints,
                       RunCheckpoints.Content content, long perEpoch, long total) {
        this.run = run;
        this.progress = progress;
        this.checkpoints = checkpoints;
        this.content = content;
        this.perEpoch = perEpoch;
        this.total = total;
    }

    @Override
    public void onIteration(Trainer.IterationStats s, long totalIterations) {
        run.logIteration(s.epoch(), s.iteration(), s.loss(), s.dice(), s.ce(), s.lr());
        long done = s.iteration() + 1;
        progress.update(s.epoch(), done, s.loss(), s.lr(), done % perEpoch == 0 || done == total);
    }

    @Override
    public void onValidation(Trainer.ValidationStats v) {
        run.logValidation(v.epoch(), v.iteration(), v.loss(), v.score(), v.classDice());
        progress.message(String.format(Locale.ROOT, "epoch %d: validation loss %.4f, Dice %.4f (%s)%s",
                v.epoch() + 1, v.loss(), v.score(), RunFolder.diceByClass(run.settings().metricNames(),
                        v.classDice()), v.improved() ? " (best)" : ""));
        run.writeCurve();
    }

    @Override
    public void onBest(TrainState state) {
        checkpoints.writeBest(content, state);
    }

    @Override
    public void onEpochEnd(int epoch, double seconds) {
        run.log(String.format(Locale.ROOT, "epoch %d trained in %.2f s, %.3f s/step, peak RSS %.0f MB",
                epoch + 1, seconds, seconds / Math.max(1, perEpoch), ProcessMemory.now().peakMb()));
    }

    @Override
    public void onCheckpoint(TrainState state, Optimizer opt) {
        checkpoints.writeLastAndResume(content, opt, state);
    }

    @Override
    public void onMessage(String message) {
        run.log(message);
        progress.message(message);
    }
}
