package org.samtune.pretrain;

import java.util.List;
import java.util.Random;
import org.samtune.train.SamplePipeline;
import org.samtune.train.SampleSource;
import org.samtune.train.Trainer;
import org.samtune.data.Shuffle;

/**
 * The training samples of {@code pretrain prompts}: the structures of several datasets, mixed by weight. An epoch is
 * as many samples as there are structures in all datasets. Without weights every structure comes once per epoch in
 * a seeded permutation (each dataset in proportion to its size). With weights each position of the epoch draws its
 * dataset with probability weight / sum of weights, then that dataset's next structure from its own seeded
 * permutation, reshuffled when used up (so a small, heavily weighted dataset is cycled through, not sampled with
 * replacement). Everything is a function of (seed, epoch), so a resumed run draws the same order.
 */
public final class DatasetMix implements SampleSource {
    /** Separates the dataset draws of an epoch from its shuffles. */
    private static final int MIX_STREAM = -2;

    private final List<StructureTargets> datasets;
    private final double[] weights;
    private final SamplePipeline pipeline;
    private final int[] offset;
    private final int total;

    /** @param weights one per dataset, all 0 for "in proportion to size" */
    public DatasetMix(List<StructureTargets> datasets, double[] weights, SamplePipeline pipeline) {
        if (weights.length != datasets.size()) {
            throw new IllegalArgumentException("one weight per dataset");
        }
        this.datasets = List.copyOf(datasets);
        this.weights = weights.clone();
        this.pipeline = pipeline;
        this.offset = new int[datasets.size() + 1];
        for (int d = 0; d < datasets.size(); d++) {
            offset[d + 1] = offset[d] + datasets.get(d).size();
        }
        this.total = offset[datasets.size()];
    }

    @Override
    public int size() {
        return total;
    }

    /** Which dataset a sample index belongs to. */
    public int datasetOf(int index) {
        for (int d = 0; d < datasets.size(); d++) {
            if (index < offset[d + 1]) {
                return d;
            }
        }
        throw new IndexOutOfBoundsException(index);
    }

    @Override
    public int[] order(long seed, int epoch) {
        double sum = 0;
        for (double w : weights) {
            sum += w;
        }
        if (sum == 0) {
            return Trainer.permutation(total, seed, epoch);
        }
        double[] cumulative = new double[weights.length];
        double acc = 0;
        for (int d = 0; d < weights.length; d++) {
            acc += weights[d] / sum;
            cumulative[d] = acc;
        }
        Random rng = new Random(Trainer.mix(seed, epoch, MIX_STREAM));
        int[][] perm = new int[datasets.size()][];
        int[] next = new int[datasets.size()];
        int[] order = new int[total];
        for (int i = 0; i < total; i++) {
            double u = rng.nextDouble();
            int d = 0;
            while (d < cumulative.length - 1 && (u >= cumulative[d] || weights[d] == 0)) {
                d++;
            }
            int n = datasets.get(d).size();
            if (perm[d] == null || next[d] == n) {
                perm[d] = Shuffle.permutation(n, rng);
                next[d] = 0;
            }
            order[i] = offset[d] + perm[d][next[d]++];
        }
        return order;
    }


    @Override
    public SamplePipeline.Sample training(int index, Random rng) {
        int d = datasetOf(index);
        return datasets.get(d).sample(pipeline, index - offset[d], true, rng);
    }
}
