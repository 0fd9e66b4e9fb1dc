package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Random;

/**
 * {@code torch.nn.BatchNorm2d} (momentum 0.1). In training mode it normalises with the batch's statistics and
 * updates the running statistics (unbiased variance) in place, as PyTorch does even when the layer is frozen —
 * MobileSAM fine-tuning in train mode depends on this. In eval mode it uses the running statistics.
 *
 * <p>Both modes call libtorch's own {@code batch_norm} kernel (the one {@code F.batch_norm} runs), so the
 * normalisation, the running-statistics update (in place on the device, in libtorch's accumulation precision)
 * and the gradients are PyTorch's. DJL's generic {@code batchNorm} is not used: it passes {@code 1 - momentum}
 * computed in float, which is not 0.1.
 */
public class BatchNorm2d extends Module implements Layer {
    public final int channels;
    public final float eps;
    public final float momentum;
    public final Parameter weight;
    public final Parameter bias;
    private final double epsAsDouble;
    private final double momentumAsDouble;

    public BatchNorm2d(NDManager manager, int channels, float eps, float momentum) {
        super(manager);
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        // The decimal the caller wrote (1e-5f → 1e-5, 0.1f → 0.1), as PyTorch's Python floats reach the kernel.
        this.epsAsDouble = Double.parseDouble(Float.toString(eps));
        this.momentumAsDouble = Double.parseDouble(Float.toString(momentum));
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
        PtNDManager m = (PtNDManager) x.getManager();
        PtNDArray out = JniUtils.batchNorm(m.from(x), m.from(runningMean()), m.from(runningVar()),
                m.from(weight.array()), m.from(bias.array()), isTraining(), momentumAsDouble, epsAsDouble);
        if (isTraining()) {
            // torch.nn.BatchNorm2d counts batches in Python around the kernel; the kernel itself has already
            // updated running_mean / running_var in place.
            buffer("num_batches_tracked").addi(1);
        }
        return out;
    }

    @Override
    protected void resetParameters(Random rng) {
        fill(weight, 1f);
        fill(bias, 0f);
    }
}
