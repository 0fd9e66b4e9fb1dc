package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * {@code torch.nn.BatchNorm2d} (momentum 0.1). In training mode it normalises with the batch's statistics and
 * updates the running statistics (unbiased variance) in place, as PyTorch does even when the layer is frozen —
 * MobileSAM fine-tuning in train mode depends on this. In eval mode it uses the running statistics.
 */
public class BatchNorm2d extends Module implements Layer {
    public final int channels;
    public final float eps;
    public final float momentum;
    public final Parameter weight;
    public final Parameter bias;

    public BatchNorm2d(NDManager manager, int channels, float eps, float momentum) {
        super(manager);
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = parameter("weight", channels);
        this.bias = parameter("bias", channels);
        fill(weight, 1f);
        buffer("running_mean", manager.zeros(new Shape(channels)), true);
        buffer("running_var", manager.ones(new Shape(channels)), true);
        buffer("num_batches_tracked", manager.zeros(new Shape(), DataType.INT64), true);
    }

    public BatchNorm2d(NDManager manager, int channels) {
        this(manager, channels, 1e-5f, 0.1f);
    }

    public NDArray runningMean() {
        return buffer("running_mean");
    }

    public NDArray runningVar() {
        return buffer("running_var");
    }

    @Override
    public NDArray forward(NDArray x) {
        Shape perChannel = new Shape(1, channels, 1, 1);
        NDArray w = weight.array().reshape(perChannel);
        NDArray b = bias.array().reshape(perChannel);
        if (!isTraining()) {
            NDArray scale = w.div(runningVar().reshape(perChannel).add(eps).sqrt());
            return x.sub(runningMean().reshape(perChannel)).mul(scale).add(b);
        }
        int[] axes = {0, 2, 3};
        NDArray mean = x.mean(axes, true);
        NDArray centred = x.sub(mean);
        NDArray var = centred.square().mean(axes, true);
        updateRunningStats(mean, var, x.getShape().size() / channels);
        return centred.div(var.add(eps).sqrt()).mul(w).add(b);
    }

    /**
     * Running statistics are state, not part of the graph: updated in place on the device, without recording
     * gradients and without copying to the host, as PyTorch's {@code running_mean = (1 - m)·running_mean + m·mean}
     * with the unbiased batch variance.
     */
    private void updateRunningStats(NDArray batchMean, NDArray biasedVar, long n) {
        float unbias = n > 1 ? (float) ((double) n / (n - 1)) : 1f;
        NDArray m = batchMean.stopGradient().reshape(channels);
        NDArray v = biasedVar.stopGradient().reshape(channels).mul(unbias);
        runningMean().muli(1 - momentum).addi(m.mul(momentum));
        runningVar().muli(1 - momentum).addi(v.mul(momentum));
        buffer("num_batches_tracked").addi(1);
    }

    @Override
    protected void resetParameters(Random rng) {
        fill(weight, 1f);
        fill(bias, 0f);
    }
}
