package org.samtune.train;

import java.util.Random;
import org.samtune.data.SegmentationDataset;

/**
 * What the {@link Trainer} draws its training samples from: how many make an epoch, in which order they come, and
 * how one becomes a {@link SamplePipeline.Sample}. A fine-tuning run takes every slice of its dataset once per epoch
 * in a seeded permutation ({@link #of}); {@code pretrain prompts} takes one binary target per labelled structure of
 * several datasets, mixed by weight.
 */
public interface SampleSource {
    /** Samples per epoch. */
    int size();

    /** The sample indices of {@code epoch}, {@link #size()} of them; a function of (seed, epoch) only. */
    default int[] order(long seed, int epoch) {
        return Trainer.permutation(size(), seed, epoch);
    }

    /** Training sample {@code index}; {@code rng} drives its augmentation and prompts. */
    SamplePipeline.Sample training(int index, Random rng);

    /** Every slice of {@code dataset} once per epoch, through {@code pipeline}. */
    static SampleSource of(SegmentationDataset dataset, SamplePipeline pipeline) {
        return new SampleSource() {
            @Override
            public int size() {
                return dataset.size();
            }

            @Override
            public SamplePipeline.Sample training(int index, Random rng) {
                return pipeline.prepare(dataset.load(index), true, rng);
            }
        };
    }
}
