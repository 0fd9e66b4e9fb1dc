package org.samtune.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Activations;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Linear;
import org.samtune.model.nn.Module;

/**
 * Medical-SAM-Adapter's bottleneck {@code Adapter} (as finetune-SAM uses it): D_fc1 (D → ratio·D) → GELU → D_fc2
 * (ratio·D → D), plus the input when {@code skipConnect}. State-dict names {@code D_fc1.*}, {@code D_fc2.*}.
 */
public final class Adapter extends Module implements Layer {
    public static final double DEFAULT_MLP_RATIO = 0.25;

    public final Linear D_fc1;
    public final Linear D_fc2;
    public final boolean skipConnect;

    public Adapter(NDManager manager, int dim, double mlpRatio, boolean skipConnect) {
        super(manager);
        int hidden = (int) (dim * mlpRatio);
        D_fc1 = module("D_fc1", new Linear(manager, dim, hidden));
        D_fc2 = module("D_fc2", new Linear(manager, hidden, dim));
        this.skipConnect = skipConnect;
    }

    public Adapter(NDManager manager, int dim, boolean skipConnect) {
        this(manager, dim, DEFAULT_MLP_RATIO, skipConnect);
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray xs = D_fc2.forward(Activations.gelu(D_fc1.forward(x)));
        return skipConnect ? x.add(xs) : xs;
    }

    /** Initialises as selected: PyTorch's defaults from {@code seed}, then optionally a zero up-projection. */
    public void initialize(AdapterInit how, long seed) {
        initialize(seed);
        if (how == AdapterInit.ZERO_UP_PROJECTION) {
            D_fc2.weight.assign(new float[Math.toIntExact(D_fc2.weight.numel())]);
            D_fc2.bias.assign(new float[Math.toIntExact(D_fc2.bias.numel())]);
        }
    }
}
